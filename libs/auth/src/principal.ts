import { createHash } from 'node:crypto';

/**
 * Who is calling: the identity an operation runs as (audit, permissions, rate limit). An API key is named
 * `key-` + the first 8 hex characters of its SHA-256: stable across restarts, distinct per key, and it reveals
 * nothing of the key. With no key configured every caller is the one local user.
 */
export interface Principal {
  name: string;
  kind: 'api-key' | 'local';
  /**
   * Scopes such as `read` or `operate`; `*` grants all. Absent means all: today's keys are full-access keys
   * (the identities file of the "safe for production" issue will narrow them).
   */
  permissions?: readonly string[];
  /** Namespace globs it may use (identities file); absent means every namespace. */
  namespaces?: readonly string[];
  /** When its key stops being accepted (identities file). */
  expiresAt?: Date;
  /**
   * Which changes need a confirmed second call, when its identities-file entry says (`confirm`); else
   * NOMAD_MCP_CONFIRM decides, else `destructive` for identities and `off` for plain keys and local use.
   */
  confirm?: 'destructive' | 'writes' | 'off';
}

export const LOCAL_PRINCIPAL: Readonly<Principal> = Object.freeze({ name: 'local', kind: 'local' });

/** The principal name of a key, from its SHA-256 digest (the form the key ring holds). */
export function principalNameOfDigest(digest: Buffer): string {
  return `key-${digest.toString('hex').slice(0, 8)}`;
}

/** The principal name of a key given in clear (tests, tooling). */
export function principalNameOfKey(key: string): string {
  return principalNameOfDigest(createHash('sha256').update(key, 'utf8').digest());
}

/** The caller of a guarded request, as ApiKeyGuard attached it (LOCAL_PRINCIPAL when no key is configured). */
export function requestPrincipal(req: object): Principal {
  return (req as { principal?: Principal }).principal ?? LOCAL_PRINCIPAL;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard on every guarded route; absent on public ones (/health). */
    principal?: Principal;
  }
}
