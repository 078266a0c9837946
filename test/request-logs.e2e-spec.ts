import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { principalNameOfKey } from '../libs/auth/src';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { ServiceProcess, startServiceProcess } from './support/built-service';
import { call, waitFor } from './support/http';
import { FAST } from './support/stack';

const KEY = 'request-logs-key-0001';

/** The JSON lines of a log, each parsed (other lines, if any, left out). */
const entries = (logs: string): Array<Record<string, any>> =>
  logs.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });

/**
 * At the default level (info), a successful read leaves no log line, over REST or MCP: only refusals, failures
 * and changes do, a change once (the operation log's line, with who and what). The built service, as it runs.
 */
describe('request logs at LOG_LEVEL=info', () => {
  let sim: RunningSimulator;
  let svc: ServiceProcess;
  const dir = mkdtempSync(join(tmpdir(), 'request-logs-'));
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: true, timings: FAST });
    svc = await startServiceProcess({ NOMAD_ADDR: sim.url, API_KEYS: KEY, LOG_LEVEL: 'info', AUDIT_DB_PATH: join(dir, 'audit.sqlite3') });
  }, 40000);
  afterAll(async () => {
    await svc?.stop();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs no successful read, every refusal, and each change once', async () => {
    const key = { 'X-API-Key': KEY };
    for (let i = 0; i < 3; i++) expect((await call(svc.url, 'GET', '/api/claude/list-jobs', { headers: key })).status).toBe(200);
    expect((await call(svc.url, 'GET', '/metrics', { headers: key })).status).toBe(200);
    expect((await call(svc.url, 'GET', '/api/claude/jobs/no-such-job-5151', { headers: key })).status).toBe(404);
    expect((await call(svc.url, 'GET', '/api/claude/list-jobs', { headers: { 'X-API-Key': 'wrong-key' } })).status).toBe(401);
    expect((await call(svc.url, 'POST', '/api/claude/create-job', { headers: key, body: { job_id: 'logged-job', docker_image: 'nginx:1.27' } })).status).toBe(201);
    const mcp = new Client({ name: 'request-logs', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${svc.url}/mcp`), { requestInit: { headers: key } }));
    try {
      expect((await mcp.callTool({ name: 'list_jobs', arguments: {} })).isError).toBeFalsy();
      expect((await mcp.callTool({ name: 'create_job', arguments: { job_id: 'logged-mcp-job', docker_image: 'nginx:1.27' } })).isError).toBeFalsy();
    } finally {
      await mcp.close();
    }
    const who = principalNameOfKey(KEY);
    const lines = await waitFor('the change over MCP logged', async () => {
      const all = entries(svc.logs());
      return all.some((e) => typeof e.msg === 'string' && e.msg.startsWith('create_job by') && e.msg.includes('over mcp')) && all;
    }, 5000);
    const requests = lines.filter((e) => e.req && e.res);
    expect(requests.map((e) => `${e.req.method} ${e.req.url} ${e.res.statusCode}`).sort()).toEqual([
      'GET /api/claude/jobs/no-such-job-5151 404',
      'GET /api/claude/list-jobs 401',
    ]);
    const operations = lines.filter((e) => e.context === 'Operations').map((e) => ({ level: e.level, msg: e.msg.replace(/ in \d+ ms/, '') }));
    expect(operations).toEqual([
      { level: 30, msg: expect.stringMatching(new RegExp(`^create_job by ${who} over rest: ok 201 ns=development job=logged-job eval=[0-9a-f]{8}$`)) },
      { level: 30, msg: expect.stringMatching(new RegExp(`^create_job by ${who} over mcp: ok 201 ns=development job=logged-mcp-job eval=[0-9a-f]{8}$`)) },
    ]);
    expect(lines.some((e) => /list_jobs/.test(e.msg ?? ''))).toBe(false);
  });
});
