/**
 * Who is calling: what logs, audit records and permission checks name. Keys themselves never appear here.
 * Today every principal may do everything (`permissions: ['*']`); the identities file of the "safe for
 * production" issue will narrow that.
 */
export interface Principal {
  /** Stable display name: `key-<first 8 hex of the key's SHA-256>`, or `local` when no key is configured. */
  name: string;
  kind: 'api-key' | 'local';
  /** Permissions such as `jobs:read`; `*` grants all. Absent means all (today's full-access keys). */
  permissions?: readonly string[];
}

/** The caller when no API key is configured (loopback only) or over stdio (the local user). */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({ name: 'local', kind: 'local' as const });

/** The principal the API key guard attached to a request (LOCAL_PRINCIPAL when none was: no keys configured). */
export function principalOf(req: object): Principal {
  return (req as { principal?: Principal }).principal ?? LOCAL_PRINCIPAL;
}
