import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A confirmation token: the right to apply one planned change once. It is signed (HMAC-SHA256) and binds the
 * caller, the operation, the arguments (a digest of them), the job's modify index the plan was made against,
 * and an expiry; its nonce makes it single-use (the ledger records each use). Nothing secret is inside, but
 * nothing in it can be changed without the signature failing.
 *
 *   v1.<base64url(JSON claims)>.<base64url(HMAC(secret, "v1." + claims))>
 */
export interface ConfirmationClaims {
  /** Operation name. */
  op: string;
  /** Caller (principal name). */
  who: string;
  /** Digest of the call's arguments (see argumentsDigest). */
  args: string;
  /** The job's JobModifyIndex when planned; null when there was no job yet. */
  index: number | null;
  /** Expiry, epoch milliseconds. */
  exp: number;
  /** Random: what makes the token single-use. */
  nonce: string;
}

export type TokenCheck =
  | { ok: true; claims: ConfirmationClaims }
  | { ok: false; reason: 'malformed' | 'forged' };

const VERSION = 'v1';
const TOKEN_SHAPE = /^v1\.[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{43}$/;

export class ConfirmationSigner {
  private readonly key: Buffer;

  /** With no secret, a random one: tokens then hold only in this process (set NOMAD_MCP_CONFIRM_SECRET for replicas). */
  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  sign(claims: Omit<ConfirmationClaims, 'nonce'>): { token: string; claims: ConfirmationClaims } {
    const full: ConfirmationClaims = { ...claims, nonce: randomBytes(12).toString('base64url') };
    const body = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
    return { token: `${VERSION}.${body}.${this.mac(body)}`, claims: full };
  }

  /** Whether the token is one this service signed, and what it says (its binding is checked by the caller). */
  open(token: string): TokenCheck {
    if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'malformed' };
    const [, body, mac] = token.split('.');
    const expected = Buffer.from(this.mac(body), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ConfirmationClaims;
      if (typeof claims.op !== 'string' || typeof claims.who !== 'string' || typeof claims.args !== 'string' ||
        typeof claims.exp !== 'number' || typeof claims.nonce !== 'string' || !(claims.index === null || typeof claims.index === 'number')) {
        return { ok: false, reason: 'malformed' };
      }
      return { ok: true, claims };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`${VERSION}.${body}`).digest('base64url');
  }
}

/**
 * A digest of a call's validated arguments, the confirmation token itself left out: key order and how the
 * arguments arrived (REST path and body, MCP arguments) do not matter, any changed value does.
 */
export function argumentsDigest(input: object, omit = 'confirm_token'): string {
  return createHash('sha256').update(canonical(input, omit)).digest('base64url');
}

function canonical(value: unknown, omit?: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v)).join(',')}]`;
  const keys = Object.keys(value).filter((k) => k !== omit && (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
