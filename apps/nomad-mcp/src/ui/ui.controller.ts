import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { API_KEY_RING, ApiKeyRing, Public, sameSecret } from '@nomad-mcp/auth';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { randomBytes } from 'node:crypto';
import { ApprovalsService, TrailQuery } from './approvals.service';
import { LayoutOptions } from './ui-html';
import { approvalPage, approvalsPage, auditPage, jobPage, problemPage, signInPage } from './ui-pages';
import { LOGIN_COOKIE, SESSION_COOKIE, SESSION_TTL_MS, UiSession, UiSessions, cookiesOf } from './ui-sessions';

/** Every answer of the page: HTML that no other site may frame, cache or script (it has no script at all). */
function send(res: Response, status: number, page: string): void {
  void res.code(status)
    .headers({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    })
    .send(page);
}

/** What a decision's redirect may say: fixed texts by code, so a crafted link cannot put words on the page. */
const NOTICES: Record<string, { text: string; bad?: boolean }> = {
  approved: { text: 'Approved: the agent may now apply it with its next call (once, and only if the job has not changed meanwhile).' },
  denied: { text: 'Denied: the agent is told so, with your note, when it asks.' },
  late: { text: 'Nothing was decided: the change had been decided or had expired already.', bad: true },
  own: { text: 'Nothing was decided: you asked for this change yourself, so another person must decide on it.', bad: true },
};

const body = (req: Request): Record<string, unknown> => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
const text = (v: unknown, max = 500): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);

/**
 * The approval and audit page (/ui): HTML forms, no JavaScript. It signs in with a key of its own (a session
 * cookie, not the API key guard), so it is @Public() to that guard; every page but sign-in needs a session,
 * every POST the session's CSRF token (and the edge refuses foreign origins before this runs).
 */
@ApiExcludeController()
@Public()
@Controller('ui')
export class UiController {
  constructor(
    private readonly sessions: UiSessions,
    private readonly approvals: ApprovalsService,
    @Inject(API_KEY_RING) private readonly keys: ApiKeyRing,
  ) {}

  @Get()
  root(@Res() res: Response): void {
    void res.redirect('/ui/approvals', 303);
  }

  @Get('login')
  loginForm(@Req() req: Request, @Res() res: Response): void {
    this.showSignIn(req, res, 200);
  }

  @Post('login')
  async login(@Req() req: Request, @Res() res: Response): Promise<void> {
    const expected = cookiesOf(req)[LOGIN_COOKIE];
    const given = body(req).csrf;
    if (!expected || !sameSecret(typeof given === 'string' ? given : undefined, expected)) {
      return this.showSignIn(req, res, 403, { text: 'Refused: the sign-in form was not the one this page gave out (missing or wrong CSRF token). Sign in again.', bad: true });
    }
    const r = await this.sessions.signIn(req, typeof body(req).key === 'string' ? (body(req).key as string) : '');
    if (!r.ok) return this.showSignIn(req, res, 401, { text: r.reason, bad: true });
    this.sessions.clearCookie(req, res, LOGIN_COOKIE);
    this.sessions.setCookie(req, res, SESSION_COOKIE, r.sessionId, SESSION_TTL_MS);
    void res.redirect('/ui/approvals', 303);
  }

  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.postSession(req, res);
    if (!s) return;
    await this.sessions.signOut(req);
    this.sessions.clearCookie(req, res, SESSION_COOKIE);
    void res.redirect('/ui/login', 303);
  }

  @Get('approvals')
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.getSession(req, res);
    if (!s) return;
    const [waiting, recent] = await Promise.all([this.approvals.waiting(s.principal), this.approvals.recent(s.principal)]);
    send(res, 200, approvalsPage(this.layout(s, 'Pending changes'), waiting, recent));
  }

  @Get('approvals/:id')
  async one(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('done') done?: string): Promise<void> {
    const s = await this.getSession(req, res);
    if (!s) return;
    const c = await this.approvals.get(s.principal, id);
    if (!c) return send(res, 404, problemPage(this.layout(s, 'Not found'), `No change ${id} is visible to you.`));
    send(res, 200, approvalPage({ ...this.layout(s, `${c.operation} asked by ${c.identity}`), notice: NOTICES[done ?? ''] }, c, s.csrf, c.identity === s.principal.name));
  }

  @Post('approvals/:id/approve')
  approve(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return this.decide(req, res, id, 'approved');
  }

  @Post('approvals/:id/deny')
  deny(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return this.decide(req, res, id, 'denied');
  }

  @Get('audit')
  async audit(@Req() req: Request, @Res() res: Response, @Query() q: Record<string, unknown>): Promise<void> {
    const s = await this.getSession(req, res);
    if (!s) return;
    const f: TrailQuery = {
      identity: text(q.identity, 256), job: text(q.job, 256), operation: text(q.operation, 128), outcome: text(q.outcome, 16),
      since: text(q.since, 40), until: text(q.until, 40), cursor: text(q.cursor, 512),
    };
    const r = await this.approvals.trail(s.principal, f);
    send(res, r.problem ? 400 : 200, auditPage(this.layout(s, 'Audit trail', r.problem, !!r.problem), f, r.page));
  }

  @Get('jobs/:namespace/:job')
  async job(@Req() req: Request, @Res() res: Response, @Param('namespace') namespace: string, @Param('job') job: string): Promise<void> {
    const s = await this.getSession(req, res);
    if (!s) return;
    const ns = namespace === '-' ? undefined : namespace;
    const [changes, trail] = await Promise.all([this.approvals.recent(s.principal, { job, namespace: ns }), this.approvals.trail(s.principal, { job, limit: 50 })]);
    send(res, 200, jobPage(this.layout(s, `Job ${job}`), ns, job, changes, trail.page));
  }

  private async decide(req: Request, res: Response, id: string, decision: 'approved' | 'denied'): Promise<void> {
    const s = await this.postSession(req, res);
    if (!s) return;
    const r = await this.approvals.decide(s.principal, id, decision, text(body(req).reason) ?? null);
    // post/redirect/get: a reload does not send the decision again
    void res.redirect(`/ui/approvals/${encodeURIComponent(id)}?done=${r.ok ? decision : r.own ? 'own' : 'late'}`, 303);
  }

  /** The session of a page view; without one, a redirect to sign in. */
  private async getSession(req: Request, res: Response): Promise<UiSession | undefined> {
    const s = await this.sessions.current(req);
    if (!s) void res.redirect('/ui/login', 303);
    return s;
  }

  /** The session of a form POST, whose CSRF token must be the session's; otherwise 403 and nothing done. */
  private async postSession(req: Request, res: Response): Promise<UiSession | undefined> {
    const s = await this.sessions.current(req);
    if (!s) {
      send(res, 403, signInPage(this.newLoginToken(req, res), { text: 'Refused: you are not signed in (or your session ended). Nothing was done.', bad: true }, !this.keys.enabled));
      return undefined;
    }
    if (!this.sessions.csrfMatches(s, body(req).csrf)) {
      send(res, 403, problemPage(this.layout(s, 'Refused'), 'Refused: the form did not carry this session\'s CSRF token. Nothing was done; reload the page and try again.'));
      return undefined;
    }
    return s;
  }

  private showSignIn(req: Request, res: Response, status: number, notice?: LayoutOptions['notice']): void {
    send(res, status, signInPage(this.newLoginToken(req, res), notice, !this.keys.enabled));
  }

  /** The sign-in form's double-submit token: in a cookie (SameSite=Strict) and in the form; both must match. */
  private newLoginToken(req: Request, res: Response): string {
    const token = randomBytes(24).toString('base64url');
    this.sessions.setCookie(req, res, LOGIN_COOKIE, token, 30 * 60 * 1000);
    return token;
  }

  private layout(s: UiSession, title: string, notice?: string, bad = false): LayoutOptions {
    return { title, who: { name: s.principal.name, csrf: s.csrf }, notice: notice ? { text: notice.slice(0, 300), bad } : undefined };
  }
}
