import { principalNameOfKey } from '@nomad-mcp/auth';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { keysUnder, skipWithoutRedis, TEST_REDIS_URL, uniqueRateLimitPrefix } from '../apps/nomad-mcp/src/common/testing/test-redis';
import { call, waitFor } from './support/http';
import { closedPortUrl, Stack, startStack } from './support/stack';

const SKIP = skipWithoutRedis('the shared rate-limit tests (test/rate-limit-redis.e2e-spec.ts)');
const LIMIT = 4;
const ALICE = 'alice-rate-key-123456';
const BOB = 'bob-rate-key-1234567';
const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const listJobsOverMcp = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_jobs', arguments: {} } });

/** Two replicas of the service with one REDIS_URL, in front of one Nomad; keys under a prefix of this run's own. */
(SKIP ? describe.skip : describe)('rate limits shared by replicas through Redis (REDIS_URL)', () => {
  const prefix = uniqueRateLimitPrefix();
  const env = { API_KEYS: `${ALICE},${BOB}`, RATE_LIMIT_PER_MINUTE: String(LIMIT), REDIS_URL: TEST_REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix };
  let one: Stack;
  let two: Stack;
  beforeAll(async () => {
    one = await startStack({ env });
    two = await startStack({ env: { ...env, NOMAD_ADDR: one.sim!.url }, sim: false });
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await keysUnder(prefix, { delete: true });
  });
  const as = (key: string) => ({ 'X-API-Key': key });

  it(`${LIMIT} calls of one client spread over both replicas, REST and MCP, then 429 with Retry-After on either`, async () => {
    const statuses = [
      (await one.api('GET', '/api/claude/list-jobs', undefined, as(ALICE))).status,
      (await two.api('GET', '/api/claude/list-jobs', undefined, as(ALICE))).status,
      (await call(one.url, 'POST', '/mcp', { rawBody: listJobsOverMcp, headers: { ...MCP_HEADERS, ...as(ALICE) } })).status,
      (await two.api('GET', '/api/claude/tools', undefined, as(ALICE))).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200]);
    for (const replica of [one, two]) {
      const limited = await replica.api('GET', '/api/claude/list-jobs', undefined, as(ALICE));
      expect(limited.status).toBe(429);
      const retry = Number(limited.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(60);
      expect(limited.json.message).toBe(`Rate limit of ${LIMIT} requests per minute exceeded; retry in ${retry} seconds.`);
    }
    const mcp = await call(two.url, 'POST', '/mcp', { rawBody: listJobsOverMcp, headers: { ...MCP_HEADERS, ...as(ALICE) } });
    expect(mcp.status).toBe(429);
    // the counts are in Redis, under this run's prefix, by principal name (never the key)
    const alice = principalNameOfKey(ALICE);
    expect(await keysUnder(prefix)).toEqual([`${prefix}default:${alice}:block`, `${prefix}default:${alice}:hits`]);
  });

  it('another client has its own budget on both replicas', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push((await (i % 2 ? two : one).api('GET', '/api/claude/list-jobs', undefined, { Authorization: `Bearer ${BOB}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('a replica whose Redis does not answer starts, answers 200 (never 500) and counts on its own', async () => {
    const down = (await closedPortUrl()).replace('http://', 'redis://user:pw-SECRET@');
    const alone = await startStack({ env: { ...env, REDIS_URL: down, NOMAD_ADDR: one.sim!.url }, sim: false });
    try {
      // alice is blocked in Redis; this replica cannot know it, and lets her in rather than fail
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 1; i++) statuses.push((await alone.api('GET', '/api/claude/list-jobs', undefined, as(ALICE))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect((await alone.api('GET', '/api/claude/list-jobs', undefined, as(ALICE))).json.message).toMatch(/^Rate limit of 4 requests per minute exceeded/);
    } finally {
      await alone.close();
    }
  });
});

describe('the built service with a REDIS_URL that does not answer', () => {
  const MAIN = resolve(__dirname, '../dist/apps/nomad-mcp/src/main.js');

  it('starts anyway and says so in one warning, never with the password', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx nest build nomad-mcp-demo" first (npm test does it)`);
    const closed = await closedPortUrl();
    const redisUrl = closed.replace('http://', 'redis://admin:pw-SECRET-2@');
    const env = { PATH: process.env.PATH ?? '', PORT: '0', NOMAD_ADDR: closed, REDIS_URL: redisUrl, LOG_FORMAT: 'json' };
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await waitFor('the service to listen', async () => /Nomad MCP listening on/.test(stderr), 20000);
      await new Promise((r) => setTimeout(r, 700)); // ioredis retries meanwhile; each retry fails again
      const messages = stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(messages.filter((m) => /REDIS_URL/.test(m.msg))).toEqual([
        expect.objectContaining({
          level: 40,
          msg: `Redis at ${closed.replace('http://', 'redis://***@')} (REDIS_URL) is not answering (ECONNREFUSED): each replica counts rate limits on its own until it does. Is Redis running there, and is REDIS_URL right?`,
        }),
      ]);
      expect(stderr).not.toContain('SECRET');
    } finally {
      child.kill();
      await exited;
    }
  });
});
