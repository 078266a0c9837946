import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, screenshotPath } from './support/chromium';
import { startStack, Stack } from './support/stack';

/**
 * Swagger UI in a real browser (Debian's Chromium): what a person does on /api/docs works against the service
 * and the simulator — Authorize with an API key, "Try it out" on list-jobs, Execute, a 200 with the jobs the
 * simulator holds. Without the key the same click shows the service's 401.
 */
const KEY = 'swagger-ui-browser-test-key-0123456789';
const run = chromiumAvailable('Swagger UI browser test') ? describe : describe.skip;

run('Swagger UI in Chromium', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: KEY } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const listJobs = (page: Page) =>
    page.locator('.opblock-get', { has: page.locator('.opblock-summary-path', { hasText: /^\/api\/claude\/list-jobs$/ }) });

  /** Presses "Execute" on list-jobs (expanded, in "Try it out" mode) and returns the status and body shown. */
  async function execute(page: Page): Promise<{ status: string; body: string }> {
    const op = listJobs(page);
    await op.locator('.btn-clear').click().catch(() => undefined); // a previous answer, cleared
    await op.locator('button.execute').click();
    const live = op.locator('.live-responses-table .response');
    await live.first().waitFor({ timeout: 15_000 });
    const status = (await live.locator('.response-col_status').first().innerText()).trim();
    const body = await op.locator('.live-responses-table .response-col_description .microlight').first().innerText();
    return { status, body };
  }

  it('refuses Try it out without a key (401), then answers 200 with the jobs after Authorize', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${stack.url}/api/docs`);
      await page.locator('.opblock-summary-path').first().waitFor({ timeout: 15_000 });

      await listJobs(page).locator('.opblock-summary').first().click();
      await listJobs(page).locator('button.try-out__btn').click();
      const refused = await execute(page);
      expect(refused.status).toBe('401');

      await page.locator('button.btn.authorize').first().click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      const apiKeyForm = dialog.locator('.auth-container', { hasText: 'X-API-Key' });
      await apiKeyForm.locator('input[type=text], input[type=password]').first().fill(KEY);
      await apiKeyForm.locator('button.authorize').click();
      await apiKeyForm.locator('button.btn-done').click();

      const ok = await execute(page);
      expect(ok.status).toBe('200');
      // the form is filled with the documented examples (namespace development, prefix example, status
      // running): the answer holds the simulator's jobs that match them
      const answer = JSON.parse(ok.body) as { namespace: string; jobs: Array<{ id: string }> };
      expect(answer.namespace).toBe('development');
      const direct = await stack.nomad('GET', '/v1/jobs?namespace=development&prefix=example');
      const ids = (direct.json as Array<{ ID: string; Status: string }>).filter((j) => j.Status === 'running').map((j) => j.ID);
      expect(ids.length).toBeGreaterThan(0);
      expect(answer.jobs.map((j) => j.id).sort()).toEqual(ids.sort());
      await listJobs(page).screenshot({ path: screenshotPath('swagger-ui-list-jobs') });
    } finally {
      await page.close();
    }
  }, 90_000);
});
