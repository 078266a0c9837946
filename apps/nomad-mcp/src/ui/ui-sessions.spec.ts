import { ApiKeyRing } from '@nomad-mcp/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditStore } from '../audit/audit.store';
import { sqliteDatabase, TestDatabase } from '../audit/testing/audit-test-databases';
import { AppConfig } from '../config/env.schema';
import { cookiesOf, SESSION_COOKIE, UiSessions } from './ui-sessions';

const quiet = { log: () => undefined, warn: () => undefined };
const req = (over: { cookie?: string; protocol?: 'http' | 'https' } = {}) =>
  ({ headers: { host: '127.0.0.1:8000', ...(over.cookie ? { cookie: over.cookie } : {}) }, protocol: over.protocol ?? 'http' }) as unknown as FastifyRequest;

/** Sign-in sessions of the approval page on a real (SQLite) table and a real key ring. */
describe('UiSessions', () => {
  let db: TestDatabase;
  let audit: AuditStore;
  const ring = new ApiKeyRing(['full-access-key-0001'], undefined, Date.now, quiet);
  const sessions = (publicUrl?: string) => new UiSessions(audit, ring, { http: { publicUrl } } as AppConfig);

  beforeAll(async () => {
    db = sqliteDatabase();
    audit = new AuditStore(db.options);
  });
  afterAll(async () => {
    await audit.close();
    await db.drop();
  });

  it('reads cookies, the first of a repeated name winning', () => {
    expect(cookiesOf(req({ cookie: 'a=1; nomad_mcp_session=abc%20d; a=2; junk' }))).toEqual({ a: '1', nomad_mcp_session: 'abc d' });
  });

  it('a session is a random id whose hash only is stored; it resolves to the key\'s principal, and ends on sign-out', async () => {
    const s = sessions();
    expect(await s.signIn(req(), 'wrong-key')).toEqual({ ok: false, reason: 'That key is not accepted.' });
    const r = await s.signIn(req(), 'full-access-key-0001');
    if (!r.ok) throw new Error(r.reason);
    const withCookie = req({ cookie: `${SESSION_COOKIE}=${r.sessionId}` });
    const current = (await s.current(withCookie))!;
    expect(current.principal.name).toMatch(/^key-[0-9a-f]{8}$/);
    expect(s.csrfMatches(current, current.csrf)).toBe(true);
    expect(s.csrfMatches(current, `${current.csrf}x`)).toBe(false);
    expect(s.csrfMatches(current, undefined)).toBe(false);
    const rows = await (await audit.connection()).selectFrom('ui_sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(r.sessionId);
    expect(JSON.stringify(rows)).not.toContain('full-access-key-0001');
    await s.signOut(withCookie);
    expect(await s.current(withCookie)).toBeUndefined();
    expect(await s.current(req({ cookie: `${SESSION_COOKIE}=made-up` }))).toBeUndefined();
  });

  it('cookies are HttpOnly, SameSite=Strict, on /ui; Secure over TLS or behind an https PUBLIC_URL', () => {
    const set: string[] = [];
    const reply = { header: (name: string, value: string) => set.push(`${name}: ${value}`) } as unknown as FastifyReply;
    sessions().setCookie(req(), reply, SESSION_COOKIE, 'x y', 90_000);
    sessions().setCookie(req({ protocol: 'https' }), reply, SESSION_COOKIE, 'x', 1000);
    sessions('https://mcp.example.com').setCookie(req(), reply, SESSION_COOKIE, 'x', 1000);
    sessions().clearCookie(req(), reply, SESSION_COOKIE);
    const expires = /Expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT/.source;
    expect(set).toEqual([
      expect.stringMatching(new RegExp(`^Set-Cookie: nomad_mcp_session=x%20y; Max-Age=90; ${expires}; Path=/ui; HttpOnly; SameSite=Strict$`)),
      expect.stringMatching(new RegExp(`^Set-Cookie: nomad_mcp_session=x; Max-Age=1; ${expires}; Path=/ui; HttpOnly; SameSite=Strict; Secure$`)),
      expect.stringMatching(/; Secure$/),
      'Set-Cookie: nomad_mcp_session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/ui; HttpOnly; SameSite=Strict',
    ]);
  });
});
