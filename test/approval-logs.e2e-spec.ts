import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { requireBuild, ServiceProcess, startServiceProcess } from './support/built-service';
import { FAST } from './support/stack';
import { csrfOf, signIn, uiClient } from './support/ui-session';

const KEY = 'approval-logs-key-00001';

/**
 * The approval page's secrets stay out of the logs even at LOG_LEVEL=debug (every request logged, with its
 * response headers): the key typed into the sign-in form, the session cookie set and sent, the CSRF tokens.
 * The built service, as it runs.
 */
describe('approval page: no secret in the logs', () => {
  let sim: RunningSimulator;
  let svc: ServiceProcess;
  const dir = mkdtempSync(join(tmpdir(), 'approval-logs-'));
  beforeAll(async () => {
    requireBuild();
    sim = await startSimulator({ port: 0, seed: true, timings: FAST });
    svc = await startServiceProcess({ NOMAD_ADDR: sim.url, API_KEYS: KEY, LOG_LEVEL: 'debug', AUDIT_DB_PATH: join(dir, 'audit.sqlite3') });
  }, 40000);
  afterAll(async () => {
    await svc?.stop();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, browses, posts a form and signs out without the key, the session id or a CSRF token in a log line', async () => {
    const ui = uiClient(svc.url);
    const loginForm = await ui.get('/ui/login');
    const loginCsrf = csrfOf(loginForm.text);
    expect((await ui.post('/ui/login', { csrf: loginCsrf, key: KEY })).status).toBe(303);
    const session = ui.cookies.get('nomad_mcp_session')!;
    expect(session).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const page = await ui.get('/ui/audit?outcome=ok');
    expect(page.status).toBe(200);
    const csrf = csrfOf(page.text);
    expect((await ui.post('/ui/approvals/approval-0123456789abcdef01234567/approve', { csrf })).status).toBe(303);
    expect((await ui.post('/ui/logout', { csrf })).status).toBe(303);
    expect((await signIn(ui, 'not-the-key-0000001')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    const logs = svc.logs();
    expect(logs).toContain('/ui/login'); // debug: the requests are logged
    for (const secret of [KEY, session, loginCsrf, csrf, 'not-the-key-0000001']) expect({ secret, logged: logs.includes(secret) }).toEqual({ secret, logged: false });
  });
});
