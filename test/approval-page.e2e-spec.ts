import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWholeTrail, SERVICE_DATABASES, ServiceDatabase } from '../apps/nomad-mcp/src/audit/testing/audit-test-databases';
import { call, waitFor } from './support/http';
import { startStack, Stack } from './support/stack';
import { csrfOf, signIn, uiClient } from './support/ui-session';

const KEYS = { self: 'approval-self-key-00006', other: 'approval-other-key-0005', bot: 'approval-bot-key-0001', approver: 'approval-person-key-02', reader: 'approval-reader-key-003', admin: 'approval-admin-key-0004' };
type Who = keyof typeof KEYS;
const NS = 'development';

/**
 * NOMAD_MCP_CONFIRM_BY=human over real sockets: an agent's destructive change waits as a pending change in the
 * audit database; a person signs in on /ui (two replicas share the database: the agent asks one, the person
 * approves on the other) and approves or denies; the agent's next call applies it once, as itself, or hears
 * no. Run on SQLite and on Postgres.
 */
describe.each(SERVICE_DATABASES)('approval page and NOMAD_MCP_CONFIRM_BY=human (%s)', (_name, makeDb) => {
  let a: Stack; // the replica the agent calls
  let b: Stack; // the replica the person uses
  let db: ServiceDatabase;
  let dir: string;
  const as = (who: Who) => ({ 'X-API-Key': KEYS[who] });
  const writesSince = (from: number) => a.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET') && !/\/plan(\?|$)/.test(l));
  const jobStatus = async (job: string) => (await a.nomad('GET', `/v1/job/${job}?namespace=${NS}`)).json?.Status;

  beforeAll(async () => {
    db = await makeDb();
    dir = mkdtempSync(join(tmpdir(), 'approval-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, [
      'identities:',
      `  - { name: ci-bot, key: ${KEYS.bot}, scopes: [read, operate, write] }`,
      `  - { name: self-bot, key: ${KEYS.self}, scopes: [read, operate, approve] }`,
      `  - { name: other-bot, key: ${KEYS.other}, scopes: [read, operate] }`,
      `  - { name: on-call, key: ${KEYS.approver}, scopes: [approve] }`,
      `  - { name: dashboard, key: ${KEYS.reader}, scopes: [read] }`,
      `  - { name: ops-admin, key: ${KEYS.admin}, scopes: ['*'], confirm: 'off' }`,
    ].join('\n'));
    const env = { API_KEYS_FILE: file, NOMAD_MCP_CONFIRM_BY: 'human', ...db.env };
    a = await startStack({ env });
    b = await startStack({ env: { ...env, NOMAD_ADDR: a.sim!.url }, sim: false });
    for (const job of ['web-a', 'web-b', 'web-c']) {
      expect((await a.api('POST', '/api/claude/create-job', { job_id: job, docker_image: 'nginx:1.27', count: 1, namespace: NS }, as('admin'))).status).toBe(201);
    }
    // running, and their first deployments done: a restart is refused while a deployment is still running
    await waitFor('jobs running, deployed', async () => {
      for (const job of ['web-a', 'web-b', 'web-c']) {
        if ((await jobStatus(job)) !== 'running') return false;
        if ((await a.nomad('GET', `/v1/job/${job}/deployment?namespace=${NS}`)).json?.Status !== 'successful') return false;
      }
      return true;
    }, 20000);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a destructive change waits for a person: 428 with an approval id and the page, nothing changed in Nomad', async () => {
    const from = a.nomadTraffic.length;
    const r = await a.api('POST', '/api/claude/jobs/web-a/stop', { namespace: NS }, as('bot'));
    expect(r.status).toBe(428);
    const id = r.json.approval.approval_id as string;
    expect(id).toMatch(/^approval-[0-9a-f]{24}$/);
    expect(r.json.message).toMatch(new RegExp(`^Nothing was changed: stop_job needs a person's approval\\. Waiting for approval at /ui/approvals/${id} \\(approval id ${id}, until .*\\)\\. Plan: stop job 'web-a'`));
    expect(r.json.next_step).toContain(`wait_for_approval with approval_id "${id}"`);
    expect(r.json.next_step).toContain(`confirm_token "${id}"`);
    expect(r.json.confirmation).toBeUndefined();
    expect(writesSince(from)).toEqual([]);
    // asked again with the same arguments: the same pending change, not a second one
    expect((await a.api('POST', '/api/claude/jobs/web-a/stop', { namespace: NS }, as('bot'))).json.approval.approval_id).toBe(id);
    // the id while it still waits: still waiting, still nothing changed
    const early = await a.api('POST', '/api/claude/jobs/web-a/stop', { namespace: NS, confirm_token: id }, as('bot'));
    expect({ status: early.status, message: early.json.message }).toEqual({ status: 428, message: expect.stringMatching(/^Nothing was changed: stop_job is still waiting for a person's approval\./) });
    expect(writesSince(from)).toEqual([]);
    expect(await jobStatus('web-a')).toBe('running');
  });

  it('the page needs a sign-in by an approve or admin identity; the session cookie holds no key', async () => {
    const ui = uiClient(b.url);
    const anon = await ui.get('/ui/approvals');
    expect({ status: anon.status, location: anon.headers.get('location') }).toEqual({ status: 303, location: '/ui/login' });
    const reader = await signIn(ui, KEYS.reader);
    expect(reader.status).toBe(401);
    expect(reader.text).toContain('&#39;dashboard&#39; may not use this page: it needs the scope &#39;approve&#39; or &#39;admin&#39;.');
    expect((await signIn(ui, 'not-a-key-at-all')).status).toBe(401);
    const ok = await signIn(ui, KEYS.approver);
    expect({ status: ok.status, location: ok.headers.get('location') }).toEqual({ status: 303, location: '/ui/approvals' });
    const session = ui.setCookies.find((c) => c.startsWith('nomad_mcp_session='))!;
    expect(session).toMatch(/; Path=\/ui/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).not.toMatch(/Secure/); // plain HTTP here; over TLS it is Secure (see the unit spec)
    expect(session).not.toContain(KEYS.approver);
    const page = await ui.get('/ui/approvals');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.text).toContain('signed in as <strong>on-call</strong>');
    expect(page.text).toMatch(/stop_job.*web-a/s);
  });

  it('a form POST without the CSRF token, or from another origin, is refused and decides nothing', async () => {
    const id = (await a.api('POST', '/api/claude/jobs/web-c/restart', { namespace: NS }, as('bot'))).json.approval.approval_id as string;
    const ui = uiClient(b.url);
    await signIn(ui, KEYS.approver);
    const page = await ui.get(`/ui/approvals/${id}`);
    const csrf = csrfOf(page.text);
    const noToken = await ui.post(`/ui/approvals/${id}/approve`, {});
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('CSRF token');
    const wrong = await ui.post(`/ui/approvals/${id}/approve`, { csrf: `${csrf}x` });
    expect(wrong.status).toBe(403);
    const foreign = await ui.post(`/ui/approvals/${id}/approve`, { csrf }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.message).toMatch(/^Cross-site request refused/);
    // a form body anywhere but /ui is still never read
    const elsewhere = await call(b.url, 'POST', '/api/claude/jobs/web-c/stop', { rawBody: 'namespace=development', headers: { ...as('bot'), 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(elsewhere.status).toBe(415);
    const after = await ui.get(`/ui/approvals/${id}`);
    expect(after.text).toContain('status-pending');
  });

  it('approved on the other replica, the agent applies it once with the approval id; the trail names both', async () => {
    const asked = await a.api('POST', '/api/claude/jobs/web-a/stop', { namespace: NS }, as('bot'));
    const id = asked.json.approval.approval_id as string;
    const ui = uiClient(b.url);
    await signIn(ui, KEYS.approver);
    const page = await ui.get(`/ui/approvals/${id}`);
    expect(page.text).toContain('stop job &#39;web-a&#39;');
    expect(page.text).toContain('&quot;job_id&quot;: &quot;web-a&quot;');
    const decided = await ui.post(`/ui/approvals/${id}/approve`, { csrf: csrfOf(page.text), reason: 'maintenance window' });
    expect({ status: decided.status, location: decided.headers.get('location') }).toEqual({ status: 303, location: `/ui/approvals/${id}?done=approved` });
    expect((await ui.get(`/ui/approvals/${id}?done=approved`)).text).toContain('Approved: the agent may now apply it');

    // another caller cannot use it; another argument set cannot either
    const foreign = await a.api('POST', '/api/claude/jobs/web-a/stop', { namespace: NS, confirm_token: id }, as('other'));
    expect({ status: foreign.status, message: foreign.json.message }).toEqual({ status: 403, message: expect.stringMatching(/was asked for by another caller/) });
    const otherArgs = await a.api('POST', '/api/claude/jobs/web-c/stop', { namespace: NS, confirm_token: id }, as('bot'));
    expect({ status: otherArgs.status, message: otherArgs.json.message }).toEqual({ status: 428, message: expect.stringContaining(`Approval ${id} is for other arguments, not this call.`) });
    const from = a.nomadTraffic.length;
    const applied = await a.api('POST', '/api/claude/jobs/web-a/stop', { namespace: NS, confirm_token: id }, as('bot'));
    expect(applied.status).toBe(200);
    expect(writesSince(from).some((l) => l.startsWith('DELETE /v1/job/web-a'))).toBe(true);
    await waitFor('web-a dead', async () => (await jobStatus('web-a')) === 'dead', 10000);
    // sent again (a retry): the job is stopped now, so the call changes nothing, needs no approval, and says so
    const before = a.nomadTraffic.length;
    const again = await a.api('POST', '/api/claude/jobs/web-a/stop', { namespace: NS, confirm_token: id }, as('bot'));
    expect({ status: again.status, eval_id: again.json.eval_id, message: again.json.message }).toEqual({ status: 200, eval_id: null, message: expect.stringMatching(/^Job 'web-a' is already stopped/) });
    expect(writesSince(before)).toEqual([]);

    const trail = (await readWholeTrail(db.options)).filter((r) => r.job === 'web-a');
    const approval = trail.find((r) => r.operation === 'approve_change')!;
    expect(approval).toMatchObject({ identity: 'on-call', transport: 'ui', outcome: 'ok', arguments: { approval_id: id, operation: 'stop_job', requested_by: 'ci-bot', reason: 'maintenance window' } });
    const apply = trail.find((r) => r.operation === 'stop_job' && r.identity === 'ci-bot' && r.outcome === 'ok' && (r.arguments as any).approval)!;
    expect(apply.arguments).toMatchObject({ approval: { approval_id: id, approved_by: 'on-call' } });
    const history = await ui.get('/ui/jobs/development/web-a');
    expect(history.text).toContain(`approved by on-call`);
    expect((await ui.get('/ui/audit?job=web-a&outcome=ok')).text).toContain('approve_change');
  });

  it('an identity that may both change and approve cannot approve its own change', async () => {
    const id = (await a.api('POST', '/api/claude/jobs/web-b/restart', { namespace: NS }, as('self'))).json.approval.approval_id as string;
    const ui = uiClient(b.url);
    expect((await signIn(ui, KEYS.self)).status).toBe(303);
    const page = await ui.get(`/ui/approvals/${id}`);
    expect(page.text).toContain('You asked for this change yourself');
    expect(page.text).not.toContain('class="approve"');
    const tried = await ui.post(`/ui/approvals/${id}/approve`, { csrf: csrfOf(page.text) });
    expect(tried.headers.get('location')).toBe(`/ui/approvals/${id}?done=own`);
    const r = await a.api('POST', '/api/claude/jobs/web-b/restart', { namespace: NS, confirm_token: id }, as('self'));
    expect(r.status).toBe(428);
    const trail = (await readWholeTrail(db.options)).find((x) => x.operation === 'approve_change' && x.identity === 'self-bot')!;
    expect(trail).toMatchObject({ outcome: 'denied', status: 403, error: "'self-bot' asked for this change, so another person must decide on it" });
  });

  it('denied: the agent is told who said no and why, and not to retry; nothing changes', async () => {
    const id = (await a.api('POST', '/api/claude/jobs/web-b/restart', { namespace: NS }, as('bot'))).json.approval.approval_id as string;
    const ui = uiClient(b.url);
    await signIn(ui, KEYS.approver);
    const page = await ui.get(`/ui/approvals/${id}`);
    expect((await ui.post(`/ui/approvals/${id}/deny`, { csrf: csrfOf(page.text), reason: 'not during the sale' })).status).toBe(303);
    const from = a.nomadTraffic.length;
    const r = await a.api('POST', '/api/claude/jobs/web-b/restart', { namespace: NS, confirm_token: id }, as('bot'));
    expect({ status: r.status, message: r.json.message }).toEqual({ status: 403, message: `on-call denied restart_job (approval ${id}): "not during the sale". Nothing was changed.` });
    expect(r.json.next_step).toMatch(/^Do not retry the same change/);
    expect(writesSince(from)).toEqual([]);
    // a second decision comes too late
    expect((await ui.post(`/ui/approvals/${id}/approve`, { csrf: csrfOf(page.text) })).headers.get('location')).toBe(`/ui/approvals/${id}?done=late`);
  });

  it('a caller\'s own confirm token is refused where people approve; an approval for a job that changed since is stale', async () => {
    const forged = await a.api('POST', '/api/claude/jobs/web-b/stop', { namespace: NS, confirm_token: 'v1.eyJvcCI6InN0b3Bfam9iIn0.3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, as('bot'));
    expect(forged.status).toBe(403);
    const id = (await a.api('POST', '/api/claude/jobs/web-b/stop', { namespace: NS }, as('bot'))).json.approval.approval_id as string;
    const ui = uiClient(b.url);
    await signIn(ui, KEYS.approver);
    await ui.post(`/ui/approvals/${id}/approve`, { csrf: csrfOf((await ui.get(`/ui/approvals/${id}`)).text) });
    const job = (await a.nomad('GET', `/v1/job/web-b?namespace=${NS}`)).json;
    expect((await a.nomad('POST', `/v1/jobs?namespace=${NS}`, { Job: { ...job, Meta: { ...job.Meta, touched: 'yes' } } })).status).toBe(200);
    const from = a.nomadTraffic.length;
    const stale = await a.api('POST', '/api/claude/jobs/web-b/stop', { namespace: NS, confirm_token: id }, as('bot'));
    expect(stale.status).toBe(409);
    expect(stale.json.message).toMatch(/^Nothing was changed: The job changed since the plan on-call approved \(modify index \d+, now \d+\)/);
    expect(stale.json.approval.approval_id).not.toBe(id);
    expect(writesSince(from)).toEqual([]);
  });

  it('over MCP: the tool answers "waiting for approval"; wait_for_approval blocks with progress until the person decides', async () => {
    const agent = new Client({ name: 'approval-agent', version: '1' });
    await agent.connect(new StreamableHTTPClientTransport(new URL(`${a.url}/mcp`), { requestInit: { headers: as('bot') } }));
    try {
      const asked = (await agent.callTool({ name: 'stop_job', arguments: { job_id: 'web-c', namespace: NS } })) as any;
      expect(asked.isError).toBe(true);
      const id = /approval id (approval-[0-9a-f]{24})/.exec(asked.content[0].text)![1];
      expect(asked.content[0].text).toContain(`Waiting for approval at /ui/approvals/${id}`);
      const waitedOut = (await agent.callTool({ name: 'wait_for_approval', arguments: { approval_id: id, timeout_seconds: 1 } })) as any;
      expect(waitedOut.structuredContent).toMatchObject({ status: 'pending', approval_id: id, operation: 'stop_job', job_id: 'web-c' });
      expect(waitedOut.structuredContent.message).toMatch(/still waits for a person's approval at \/ui\/approvals\/approval-\w+ after 1 s/);

      const seen: string[] = [];
      const waiting = agent.callTool({ name: 'wait_for_approval', arguments: { approval_id: id, timeout_seconds: 30 } }, CallToolResultSchema, {
        onprogress: (p) => seen.push(p.message ?? ''),
      });
      const ui = uiClient(b.url);
      await signIn(ui, KEYS.approver);
      await waitFor('a progress report', async () => seen.length > 0, 5000);
      await ui.post(`/ui/approvals/${id}/approve`, { csrf: csrfOf((await ui.get(`/ui/approvals/${id}`)).text), reason: 'ok' });
      const decided = (await waiting) as any;
      expect(decided.structuredContent).toMatchObject({ status: 'approved', decided_by: 'on-call', reason: 'ok' });
      expect(decided.structuredContent.message).toContain(`call stop_job again with the same arguments and confirm_token "${id}"`);
      expect(seen[0]).toMatch(/^stop_job on job 'web-c' waits for a person's approval/);

      // another caller cannot even see it
      const other = new Client({ name: 'other', version: '1' });
      await other.connect(new StreamableHTTPClientTransport(new URL(`${a.url}/mcp`), { requestInit: { headers: as('other') } }));
      const peek = (await other.callTool({ name: 'wait_for_approval', arguments: { approval_id: id, timeout_seconds: 1 } })) as any;
      await other.close();
      expect(peek.isError).toBe(true);
      expect(peek.content[0].text).toMatch(/^No change of yours waits under approval id/);

      const applied = (await agent.callTool({ name: 'stop_job', arguments: { job_id: 'web-c', namespace: NS, confirm_token: id } })) as any;
      expect(applied.isError).toBeFalsy();
      await waitFor('web-c dead', async () => (await jobStatus('web-c')) === 'dead', 10000);
      const after = (await agent.callTool({ name: 'wait_for_approval', arguments: { approval_id: id, timeout_seconds: 1 } })) as any;
      expect(after.structuredContent).toMatchObject({ status: 'applied' });
    } finally {
      await agent.close();
    }
  });
});
