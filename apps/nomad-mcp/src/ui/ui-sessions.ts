import { Inject, Injectable } from '@nestjs/common';
import { API_KEY_RING, ApiKeyRing, isLoopbackHost, LOCAL_PRINCIPAL, Principal, sameSecret } from '@nomad-mcp/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { AuditStore } from '../audit/audit.store';
import { AppConfig, APP_CONFIG } from '../config/env.schema';
import { mayApprove } from '../operations/core/human-approval';

/** The browser's cookie: a random session id only (the key it signed in with is never stored anywhere). */
export const SESSION_COOKIE = 'nomad_mcp_session';
/** Before sign-in: the double-submit token of the sign-in form (its CSRF protection). */
export const LOGIN_COOKIE = 'nomad_mcp_login';
/** A session ends this long after sign-in, whatever happens meanwhile. */
export const SESSION_TTL_MS = 60 * 60 * 1000;

/** A signed-in person: who (looked up again on every request) and the session's CSRF token. */
export interface UiSession {
  principal: Principal;
  csrf: string;
  expiresAt: string;
}

export type SignIn = { ok: true; sessionId: string } | { ok: false; reason: string };

/** A Set-Cookie value: every cookie of this page is HttpOnly, SameSite=Strict, for /ui only, Secure over TLS. */
const cookie = (name: string, value: string, lifetime: string, secure: boolean) =>
  `${name}=${value}; ${lifetime}; Path=/ui; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The request's cookies (only the first of a repeated name counts). */
export function cookiesOf(req: { headers: { cookie?: string } }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        /* a malformed value is no value */
      }
    }
  }
  return out;
}

/**
 * The approval page's sign-in sessions. They live in the audit database (any replica sharing it knows them);
 * the row is keyed by the SHA-256 of the session id, so a read of the database gives no usable cookie. On every
 * request the identity is looked up again in the key configuration: a key removed or expired, or a scope taken
 * away, ends its sessions at once.
 */
@Injectable()
export class UiSessions {
  constructor(
    private readonly audit: AuditStore,
    @Inject(API_KEY_RING) private readonly keys: ApiKeyRing,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the key; on success opens a session (the caller sets its cookie). The key itself is forgotten here. */
  async signIn(req: FastifyRequest, key: string): Promise<SignIn> {
    const principal = this.keys.enabled ? this.keys.identify(key.trim() || undefined) : this.keyless(req);
    if (!principal) return { ok: false, reason: 'That key is not accepted.' };
    if (principal.expiresAt && principal.expiresAt.getTime() <= Date.now()) return { ok: false, reason: `The key of '${principal.name}' has expired.` };
    if (!mayApprove(principal)) return { ok: false, reason: `'${principal.name}' may not use this page: it needs the scope 'approve' or 'admin'.` };
    const sessionId = randomBytes(32).toString('base64url');
    const now = Date.now();
    const db = await this.audit.connection();
    await db.deleteFrom('ui_sessions').where('expires_at', '<', new Date(now).toISOString()).execute();
    await db.insertInto('ui_sessions').values({
      id_sha256: sha256(sessionId), identity: principal.name, csrf: randomBytes(24).toString('base64url'),
      created_at: new Date(now).toISOString(), expires_at: new Date(now + SESSION_TTL_MS).toISOString(),
    }).execute();
    return { ok: true, sessionId };
  }

  /** The request's session, when its cookie names a live one whose identity may still approve. */
  async current(req: FastifyRequest): Promise<UiSession | undefined> {
    const id = cookiesOf(req)[SESSION_COOKIE];
    if (!id || id.length > 100) return undefined;
    const db = await this.audit.connection();
    const row = await db.selectFrom('ui_sessions').selectAll().where('id_sha256', '=', sha256(id)).executeTakeFirst();
    if (!row || row.expires_at <= new Date().toISOString()) return undefined;
    const principal = this.keys.enabled ? this.keys.principalNamed(row.identity) : row.identity === LOCAL_PRINCIPAL.name ? this.keyless(req) : undefined;
    if (!principal || (principal.expiresAt && principal.expiresAt.getTime() <= Date.now()) || !mayApprove(principal)) return undefined;
    return { principal, csrf: row.csrf, expiresAt: row.expires_at };
  }

  /** Whether a form's CSRF token is the session's (constant time). */
  csrfMatches(session: UiSession, given: unknown): boolean {
    return typeof given === 'string' && sameSecret(given, session.csrf);
  }

  async signOut(req: FastifyRequest): Promise<void> {
    const id = cookiesOf(req)[SESSION_COOKIE];
    if (!id) return;
    const db = await this.audit.connection();
    await db.deleteFrom('ui_sessions').where('id_sha256', '=', sha256(id)).execute();
  }

  /** Sets a cookie the way every cookie of this page is set: HttpOnly, SameSite=Strict, Path=/ui, Secure over TLS. */
  setCookie(req: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeMs: number): void {
    const expires = new Date(Date.now() + maxAgeMs).toUTCString();
    reply.header('Set-Cookie', cookie(name, encodeURIComponent(value), `Max-Age=${Math.floor(maxAgeMs / 1000)}; Expires=${expires}`, this.secure(req)));
  }

  clearCookie(req: FastifyRequest, reply: FastifyReply, name: string): void {
    reply.header('Set-Cookie', cookie(name, '', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT', this.secure(req)));
  }

  /** Served over TLS: by the service itself, or (PUBLIC_URL https://…) by a proxy in front of it. */
  private secure(req: FastifyRequest): boolean {
    return req.protocol === 'https' || /^https:/i.test(this.config.http?.publicUrl ?? '');
  }

  /** Without keys the service answers loopback only: the page does too, as the local user. */
  private keyless(req: FastifyRequest): Principal | undefined {
    return isLoopbackHost(req.headers.host) ? { ...LOCAL_PRINCIPAL } : undefined;
  }
}
