import { IsOptional, IsString, Matches } from 'class-validator';

/** What check_connection checks besides Nomad itself and the token. */
export class CheckConnectionQueryDto {
  /**
   * The namespace to check (that it exists, and that the token may use it). Defaults to the service's default namespace.
   * @example "development"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[a-zA-Z0-9-]{1,128}$/, { message: 'namespace must be 1-128 letters, digits or dashes' })
  namespace?: string;
}

export class NomadTokenIdentity {
  /** The token's accessor ID (its public identifier; never the secret). */
  accessor_id: string;
  /** The token's name. */
  name: string;
  /** management (may do everything) or client (what its policies grant). */
  type: string;
  /** The ACL policies of a client token. */
  policies: string[];
  /** When it expires (RFC 3339); null when it does not. */
  expires_at: string | null;
}

export class ConnectionResult {
  /** One sentence: connected and as whom, or the first thing to fix. */
  message: string;
  /** True when nothing needs fixing. */
  ok: boolean;
  /** The Nomad address the service uses (without any password in it). */
  address: string;
  /** Whether Nomad answered at all. */
  reachable: boolean;
  /** The cluster leader's address; null when unknown. */
  leader: string | null;
  /** The region of the agent the service talks to; null when unknown. */
  region: string | null;
  /** Nomad's version (needs agent:read); null when unknown. */
  nomad_version: string | null;
  /** Whether Nomad enforces ACLs; null when unknown. */
  acl_enabled: boolean | null;
  /** Whose Nomad token the calls send: NOMAD_TOKEN, or the caller's own. */
  token_source: string;
  /** The token as Nomad describes it; null when ACLs are off or it could not be read. */
  token: NomadTokenIdentity | null;
  /** The namespace checked. */
  namespace: string;
  /** Whether that namespace exists; null when unknown. */
  namespace_exists: boolean | null;
  /** What to fix, one sentence each (empty when ok). */
  problems: string[];
  /** What was found that needs nothing done. */
  notes: string[];
}
