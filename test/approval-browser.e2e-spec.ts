import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, screenshotPath } from './support/chromium';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const KEYS = { bot: 'browser-bot-key-000001', approver: 'browser-person-key-0002', admin: 'browser-admin-key-00003' };
const NS = 'development';
const JOB = 'shop-web';
/** The README's picture of the page: refreshed from the real page by a run with UPDATE_DOCS_SCREENSHOTS=1. */
const DOCS_SCREENSHOT = join(__dirname, '..', 'docs', 'approval-page.png');

const run = chromiumAvailable('approval page browser test') ? describe : describe.skip;

/**
 * The approval page in real headless Chromium: a person signs in, reads the change an agent asked for (an image
 * update, with Nomad's diff), approves it; the agent's next call applies it in the simulator and the trail shows
 * who asked and who approved. A form posted without the CSRF token, and one posted by another site, decide nothing.
 */
run('approval page in a browser', () => {
  let s: Stack;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let evil: Server;
  let evilUrl: string;
  const image = async () => (await s.nomad('GET', `/v1/job/${JOB}?namespace=${NS}`)).json?.TaskGroups?.[0]?.Tasks?.[0]?.Config?.image;
  const ask = (confirm_token?: string) =>
    s.api('POST', '/api/claude/create-job', { job_id: JOB, docker_image: 'nginx:1.28', count: 2, namespace: NS, ...(confirm_token ? { confirm_token } : {}) }, { 'X-API-Key': KEYS.bot });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'approval-browser-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, [
      'identities:',
      `  - { name: ci-bot, key: ${KEYS.bot}, scopes: [read, operate, write] }`,
      `  - { name: on-call, key: ${KEYS.approver}, scopes: [approve] }`,
      `  - { name: ops-admin, key: ${KEYS.admin}, scopes: ['*'], confirm: 'off' }`,
    ].join('\n'));
    s = await startStack({ env: { API_KEYS_FILE: file, NOMAD_MCP_CONFIRM_BY: 'human' } });
    const created = await s.api('POST', '/api/claude/create-job', { job_id: JOB, docker_image: 'nginx:1.27', count: 2, namespace: NS }, { 'X-API-Key': KEYS.admin });
    expect(created.status).toBe(201);
    await waitFor(`${JOB} running`, async () => (await s.nomad('GET', `/v1/job/${JOB}?namespace=${NS}`)).json?.Status === 'running', 20000);
    // another site: its page posts a form to the approval page on load
    evil = createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      res.setHeader('Content-Type', 'text/html');
      res.end(`<form id="f" method="post" action="${target}"><input name="csrf" value="guessed"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilUrl = `http://localhost:${(evil.address() as { port: number }).port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (evil ? evil.close(() => r()) : r()));
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sign in, see the pending change, approve it; the agent applies it and the trail shows both', async () => {
    const asked = await ask();
    expect(asked.status).toBe(428);
    const id = asked.json.approval.approval_id as string;
    expect(await image()).toBe('nginx:1.27');

    await page.goto(`${s.url}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('input[name=key]', KEYS.approver);
    await page.click('button[type=submit]');
    await page.waitForURL(`${s.url}/ui/approvals`);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'nomad_mcp_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ui' });
    expect(JSON.stringify(cookies)).not.toContain(KEYS.approver);
    expect(await page.textContent('main')).toContain('create_job');

    await page.click(`a[href="/ui/approvals/${id}"]`);
    await page.waitForURL(`${s.url}/ui/approvals/${id}`);
    const detail = (await page.textContent('main'))!;
    expect(detail).toContain('ci-bot');
    expect(await page.textContent('pre.diff')).toContain('nginx:1.28');
    await page.screenshot({ path: screenshotPath('approval-pending'), fullPage: true });

    await page.click('button.approve');
    await page.waitForURL(`${s.url}/ui/approvals/${id}?done=approved`);
    expect(await page.textContent('.notice')).toContain('Approved');
    expect(await page.textContent('.status')).toBe('approved');
    await page.screenshot({ path: screenshotPath('approval-approved'), fullPage: true });

    const applied = await ask(id);
    expect(applied.status).toBe(200);
    await waitFor('the new image in the simulator', async () => (await image()) === 'nginx:1.28', 10000);

    await page.goto(`${s.url}/ui/jobs/${NS}/${JOB}`);
    const history = (await page.textContent('main'))!;
    expect(history).toContain('approved by on-call');
    expect(history).toContain('approve_change');
    await page.goto(`${s.url}/ui/audit?job=${JOB}`);
    const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows.some((r) => r.includes('approve_change') && r.includes('on-call') && r.includes('ui'))).toBe(true);
    expect(rows.some((r) => r.includes('create_job') && r.includes('ci-bot') && r.includes('approved by on-call'))).toBe(true);
    await page.screenshot({ path: screenshotPath('approval-trail'), fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
      mkdirSync(join(__dirname, '..', 'docs'), { recursive: true });
      copyFileSync(screenshotPath('approval-pending'), DOCS_SCREENSHOT);
    }
  });

  it('a form posted without the CSRF token, or by another site, decides nothing', async () => {
    const id = (await s.api('POST', `/api/claude/jobs/${JOB}/stop`, { namespace: NS }, { 'X-API-Key': KEYS.bot })).json.approval.approval_id as string;
    await page.goto(`${s.url}/ui/approvals/${id}`);
    // the same page, its token taken out of the form
    await page.$$eval('input[name=csrf]', (inputs) => inputs.forEach((i) => i.remove()));
    const [noToken] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/ui/approvals/${id}/approve`)), page.click('button.approve')]);
    expect(noToken.status()).toBe(403);
    expect(await page.textContent('main')).toContain('CSRF token');
    await page.screenshot({ path: screenshotPath('approval-csrf-refused') });

    // another site's page posting to the approval page (the browser sends its Origin, and no cookie: SameSite)
    const target = `${s.url}/ui/approvals/${id}/approve`;
    const [foreign] = await Promise.all([page.waitForResponse((r) => r.url() === target), page.goto(`${evilUrl}/?target=${encodeURIComponent(target)}`)]);
    expect(foreign.status()).toBe(403);
    expect(await foreign.text()).toContain('Cross-site request refused');

    await page.goto(`${s.url}/ui/approvals/${id}`);
    expect(await page.textContent('.status')).toBe('pending');
    expect((await s.api('POST', `/api/claude/jobs/${JOB}/stop`, { namespace: NS, confirm_token: id }, { 'X-API-Key': KEYS.bot })).status).toBe(428);
    expect((await s.nomad('GET', `/v1/job/${JOB}?namespace=${NS}`)).json.Status).toBe('running');
  });
});
