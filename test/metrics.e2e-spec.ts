import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOMAD_ENDPOINT_TEMPLATES } from '../libs/nomad/src';
import { parsePrometheusText, Scrape, valueOf } from './support/prometheus-text';
import { startStack, Stack } from './support/stack';

const KEYS = { ops: 'metrics-ops-key-00001', reader: 'metrics-reader-key-02', flood: 'metrics-flood-key-0003', adminOnly: 'metrics-adminonly-004' };
const METRICS_TOKEN = 'metrics-token-0123456789abcdef0123456789';
const LIMIT = 40;
const JOB = 'metrics-job-7731';
const MISSING = 'no-such-job-4242';

type ToolAnswer = { isError?: boolean; content: Array<{ text: string }> };

/**
 * A scripted run over REST and MCP (reads, a change with its confirmation, a 404, an invalid call, a denied one,
 * Nomad resetting the connection, a 429 and an audit write that fails), then one scrape of GET /metrics: every
 * family is there with the values the run must have produced, and no label holds an ID or an identity.
 */
describe('GET /metrics after a scripted run', () => {
  let s: Stack;
  let dir: string;
  let scrape: Scrape;
  const mcpAnswers: ToolAnswer[] = [];
  /** The status of the list answered while Nomad reset the connection. */
  let failedListStatus = 0;

  const as = (key: string) => ({ 'X-API-Key': key });
  const scrapeNow = async () => {
    const r = await s.api('GET', '/metrics', undefined, as(KEYS.ops));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(r.text);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    const file = join(dir, 'identities.json');
    writeFileSync(file, JSON.stringify({ identities: [
      { name: 'ops', key: KEYS.ops, scopes: ['*'] },
      { name: 'reader', key: KEYS.reader, scopes: ['read'] },
      { name: 'flood', key: KEYS.flood, scopes: ['read'] },
      { name: 'admin-only', key: KEYS.adminOnly, scopes: ['admin'] },
    ] }));
    s = await startStack({ env: { API_KEYS_FILE: file, RATE_LIMIT_PER_MINUTE: String(LIMIT), METRICS_TOKEN }, faults: true });
    const ops = as(KEYS.ops);

    // REST: reads, a 404, an invalid and a denied change, a change, and a destructive one with its confirmation
    expect((await s.api('GET', '/api/claude/list-jobs', undefined, ops)).status).toBe(200);
    expect((await s.api('GET', '/api/claude/jobs/example-job/allocations', undefined, ops)).status).toBe(200);
    expect((await s.api('GET', `/api/claude/jobs/${MISSING}`, undefined, ops)).status).toBe(404);
    expect((await s.api('POST', '/api/claude/create-job', { job_id: 'bad id', docker_image: 'nginx:1.27' }, ops)).status).toBe(400);
    expect((await s.api('POST', '/api/claude/create-job', { job_id: JOB, docker_image: 'nginx:1.27' }, as(KEYS.reader))).status).toBe(403);
    expect((await s.api('POST', '/api/claude/create-job', { job_id: JOB, docker_image: 'nginx:1.27' }, ops)).status).toBe(201);
    const plan = await s.api('POST', `/api/claude/jobs/${JOB}/stop`, {}, ops);
    expect(plan.status).toBe(428);
    const token: string = plan.json.confirmation.confirm_token;
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await s.api('POST', `/api/claude/jobs/${JOB}/stop`, { confirm_token: forged }, ops)).status).toBe(403);
    expect((await s.api('POST', `/api/claude/jobs/${JOB}/stop`, { confirm_token: token }, ops)).status).toBe(200);
    expect((await s.api('GET', '/no/such/path-9911', undefined, ops)).status).toBe(404);

    // MCP: a read, a 404 and an invalid call
    const mcp = new Client({ name: 'metrics-e2e', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: ops } }));
    try {
      mcpAnswers.push((await mcp.callTool({ name: 'list_jobs', arguments: {} })) as ToolAnswer);
      mcpAnswers.push((await mcp.callTool({ name: 'get_job_status', arguments: { job_id: MISSING } })) as ToolAnswer);
      mcpAnswers.push((await mcp.callTool({ name: 'create_job', arguments: { job_id: 'bad id', docker_image: 'nginx:1.27' } })) as ToolAnswer);
    } finally {
      await mcp.close();
    }

    // Nomad failing: the connection to it reset before any answer, for one list
    await s.faults!.set('reset-before-answer', { only: (method, url) => method === 'GET' && /^\/v1\/jobs(\?|$)/.test(url) });
    failedListStatus = (await s.api('GET', '/api/claude/list-jobs', undefined, ops)).status;
    await s.faults!.set('pass');
    expect(failedListStatus).toBeGreaterThanOrEqual(500);

    // one client over its limit: the (LIMIT+1)th request of the minute is refused
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await s.api('GET', '/api/claude/tools', undefined, as(KEYS.flood))).status);
    expect(statuses.slice(0, LIMIT).every((x) => x === 200) && statuses[LIMIT]).toBe(429);

    scrape = await scrapeNow();
  }, 60000);
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the MCP calls of the run answered as scripted', () => {
    expect(mcpAnswers.map((a) => !!a.isError)).toEqual([false, true, true]);
  });

  it('HTTP requests: a counter and a duration histogram by method, route template and status', () => {
    const http = (method: string, route: string, status: number) => valueOf(scrape, 'nomad_mcp_http_requests_total', { method, route, status: String(status) });
    expect(http('GET', '/api/claude/list-jobs', 200)).toBe(1);
    expect(http('GET', '/api/claude/list-jobs', failedListStatus)).toBe(1);
    expect(http('GET', '/api/claude/jobs/:job_id/allocations', 200)).toBe(1);
    expect(http('GET', '/api/claude/jobs/:job_id', 404)).toBe(1);
    expect(http('POST', '/api/claude/create-job', 400)).toBe(1);
    expect(http('POST', '/api/claude/create-job', 403)).toBe(1);
    expect(http('POST', '/api/claude/create-job', 201)).toBe(1);
    expect(http('POST', '/api/claude/jobs/:job_id/stop', 428)).toBe(1);
    expect(http('POST', '/api/claude/jobs/:job_id/stop', 200)).toBe(1);
    expect(http('POST', '/api/claude/jobs/:job_id/stop', 403)).toBe(1);
    expect(http('GET', '/api/claude/tools', 200)).toBe(LIMIT);
    expect(http('GET', '/api/claude/tools', 429)).toBe(1);
    expect(http('GET', 'unmatched', 404)).toBe(1);
    expect(http('POST', '/mcp', 200)).toBeGreaterThanOrEqual(4);
    // the histogram counts what the counter counts, and its buckets add up
    const labels = { method: 'GET', route: '/api/claude/tools', status: '200' };
    expect(valueOf(scrape, 'nomad_mcp_http_request_duration_seconds_count', labels)).toBe(LIMIT);
    expect(valueOf(scrape, 'nomad_mcp_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(LIMIT);
    expect(valueOf(scrape, 'nomad_mcp_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
    expect(scrape.types.get('nomad_mcp_http_requests_total')).toBe('counter');
    expect(scrape.types.get('nomad_mcp_http_request_duration_seconds')).toBe('histogram');
  });

  it('tool calls: by operation, transport and outcome, with a duration histogram', () => {
    const calls = (operation: string, transport: string, outcome: string) => valueOf(scrape, 'nomad_mcp_operation_calls_total', { operation, transport, outcome });
    expect(calls('list_jobs', 'rest', 'ok')).toBe(1);
    expect(calls('list_jobs', 'rest', 'error')).toBe(1);
    expect(calls('list_jobs', 'mcp', 'ok')).toBe(1);
    expect(calls('list_allocations', 'rest', 'ok')).toBe(1);
    expect(calls('get_job_status', 'rest', 'error')).toBe(1);
    expect(calls('get_job_status', 'mcp', 'error')).toBe(1);
    expect(calls('create_job', 'rest', 'invalid')).toBe(1);
    expect(calls('create_job', 'mcp', 'invalid')).toBe(1);
    expect(calls('create_job', 'rest', 'denied')).toBe(1);
    expect(calls('create_job', 'rest', 'ok')).toBe(1);
    expect(calls('stop_job', 'rest', 'planned')).toBe(1);
    expect(calls('stop_job', 'rest', 'denied')).toBe(1);
    expect(calls('stop_job', 'rest', 'ok')).toBe(1);
    const ok = { operation: 'create_job', transport: 'rest', outcome: 'ok' };
    expect(valueOf(scrape, 'nomad_mcp_operation_duration_seconds_count', ok)).toBe(1);
    expect(valueOf(scrape, 'nomad_mcp_operation_duration_seconds_bucket', { ...ok, le: '30' })).toBe(1);
    expect(valueOf(scrape, 'nomad_mcp_operation_duration_seconds_sum', ok)).toBeGreaterThan(0);
    const mcpList = { operation: 'list_jobs', transport: 'mcp', outcome: 'ok' };
    expect(valueOf(scrape, 'nomad_mcp_operation_duration_seconds_count', mcpList)).toBe(1);
    expect(valueOf(scrape, 'nomad_mcp_operation_duration_seconds_sum', mcpList)).toBeGreaterThan(0);
    expect(scrape.types.get('nomad_mcp_operation_duration_seconds')).toBe('histogram');
  });

  it('Nomad requests: by endpoint template and status, with a duration histogram', () => {
    const nomad = (endpoint: string, status: string) => valueOf(scrape, 'nomad_mcp_nomad_requests_total', { endpoint, status });
    // list_jobs over REST and MCP; the 404 of get_job_status over both
    expect(nomad('GET /v1/jobs', '200')).toBeGreaterThanOrEqual(2);
    expect(nomad('GET /v1/job/:job_id', '404')).toBeGreaterThanOrEqual(2);
    expect(nomad('GET /v1/job/:job_id/allocations', '200')).toBeGreaterThanOrEqual(1);
    // the reset connection: no HTTP status, so `unreachable` (after the one retry of a read on a fresh socket)
    expect(nomad('GET /v1/jobs', 'unreachable')).toBe(1);
    expect(s.faults!.faulted.length).toBeGreaterThanOrEqual(1);
    const registered = scrape.samples.filter((x) => x.name === 'nomad_mcp_nomad_requests_total' && /^(PUT|POST) \/v1\/jobs$/.test(x.labels.endpoint));
    expect(registered.reduce((n, x) => n + x.value, 0)).toBeGreaterThanOrEqual(1);
    // the simulator saw at least as many requests as were answered (the readiness and start-up checks go there too)
    const counted = scrape.samples.filter((x) => x.name === 'nomad_mcp_nomad_requests_total').reduce((n, x) => n + x.value, 0);
    expect(counted).toBeGreaterThan(5);
    expect(counted - (nomad('GET /v1/jobs', 'unreachable') ?? 0)).toBeLessThanOrEqual(s.nomadTraffic.length);
    const lists = { endpoint: 'GET /v1/jobs', status: '200' };
    expect(valueOf(scrape, 'nomad_mcp_nomad_request_duration_seconds_count', lists)).toBe(nomad('GET /v1/jobs', '200'));
    expect(valueOf(scrape, 'nomad_mcp_nomad_request_duration_seconds_bucket', { ...lists, le: '+Inf' })).toBe(nomad('GET /v1/jobs', '200'));
    expect(valueOf(scrape, 'nomad_mcp_nomad_request_duration_seconds_sum', lists)).toBeGreaterThan(0);
    expect(valueOf(scrape, 'nomad_mcp_nomad_request_duration_seconds_count', { endpoint: 'GET /v1/jobs', status: 'unreachable' })).toBe(1);
    expect(scrape.types.get('nomad_mcp_nomad_request_duration_seconds')).toBe('histogram');
  });

  it('audit writes, rate-limit refusals, confirmations and the process', () => {
    // every change call is recorded: invalid (REST, MCP), denied, created, two plans, the stop
    expect(valueOf(scrape, 'nomad_mcp_audit_writes_total', { result: 'ok' })).toBe(7);
    expect(valueOf(scrape, 'nomad_mcp_audit_writes_total', { result: 'failed' })).toBe(0);
    expect(valueOf(scrape, 'nomad_mcp_rate_limited_total', { route: '/api/claude/tools' })).toBe(1);
    const decided = (decision: string) => valueOf(scrape, 'nomad_mcp_confirmations_total', { operation: 'stop_job', decision });
    expect([decided('planned'), decided('accepted'), decided('refused')]).toEqual([1, 1, 1]);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect({ name, value: valueOf(scrape, name) }).toEqual({ name, value: expect.any(Number) });
    }
    expect(valueOf(scrape, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(valueOf(scrape, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(scrape, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(1024 * 1024);
    expect(valueOf(scrape, 'nomad_mcp_info')).toBe(1);
  });

  it('keeps label values bounded: route and endpoint templates, no IDs, no identities, no URLs', () => {
    const own = scrape.samples.filter((x) => x.name.startsWith('nomad_mcp_'));
    const names = new Set(own.flatMap((x) => Object.keys(x.labels)));
    expect([...names].sort()).toEqual(['decision', 'endpoint', 'le', 'method', 'operation', 'outcome', 'result', 'route', 'status', 'transport', 'version']);
    const values = own.flatMap((x) => Object.values(x.labels));
    for (const v of values) {
      expect(v).not.toMatch(new RegExp(`${JOB}|${MISSING}|example-job|path-9911|[0-9a-f]{8}-[0-9a-f]{4}-|\\?`));
      expect(['ops', 'reader', 'flood', 'admin-only', 'local']).not.toContain(v);
    }
    const endpoints = new Set(own.filter((x) => x.labels.endpoint).map((x) => x.labels.endpoint.replace(/^[A-Z]+ /, '')));
    const templates = new Set(NOMAD_ENDPOINT_TEMPLATES.map((t) => `/v1/${t}`));
    for (const e of endpoints) expect(templates).toContain(e);
    const routes = new Set(own.filter((x) => x.labels.route).map((x) => x.labels.route));
    for (const r of routes) expect(r === 'unmatched' || /^\/[a-z{}/:_*-]*$/.test(r)).toBe(true);
  });

  it('refuses a scrape without an accepted key (401), with a key lacking admin (403); takes admin keys and METRICS_TOKEN', async () => {
    const before = s.nomadTraffic.length;
    const none = await s.api('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="nomad-mcp"');
    expect(none.text).not.toContain('nomad_mcp_');
    expect((await s.api('GET', '/metrics', undefined, as('not-a-key'))).status).toBe(401);
    expect((await s.api('GET', '/metrics', undefined, { Authorization: 'Bearer metrics-token-wrong-0123456789abcdef01' })).status).toBe(401);
    // the token opens /metrics only as a bearer token, and nothing else
    expect((await s.api('GET', '/metrics', undefined, { 'X-API-Key': METRICS_TOKEN })).status).toBe(401);
    expect((await s.api('GET', '/api/claude/list-jobs', undefined, { Authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(401);
    const reader = await s.api('GET', '/metrics', undefined, as(KEYS.reader));
    expect(reader.status).toBe(403);
    expect(reader.json.message).toBe("'reader' may not read /metrics: it needs the scope 'admin' (or send METRICS_TOKEN as the bearer token).");
    expect((await s.api('GET', '/metrics', undefined, as(KEYS.adminOnly))).status).toBe(200);
    const prometheus = await s.api('GET', '/metrics', undefined, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(prometheus.status).toBe(200);
    expect(prometheus.text).toContain('# TYPE nomad_mcp_http_requests_total counter');
    expect(s.nomadTraffic.length).toBe(before);
    // the refusals are counted like any request
    const after = await scrapeNow();
    expect(valueOf(after, 'nomad_mcp_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).toBe(4);
    expect(valueOf(after, 'nomad_mcp_http_requests_total', { method: 'GET', route: '/metrics', status: '403' })).toBe(1);
  });

  // last: it breaks the stack's audit trail
  it('counts an audit write that fails (the change is answered 503)', async () => {
    const db = new Database(s.auditPath);
    db.exec('DROP TABLE audit_records');
    db.close();
    expect((await s.api('POST', '/api/claude/create-job', { job_id: `${JOB}-b`, docker_image: 'nginx:1.27' }, as(KEYS.ops))).status).toBe(503);
    const after = await scrapeNow();
    expect(valueOf(after, 'nomad_mcp_audit_writes_total', { result: 'failed' })).toBe(1);
    expect(valueOf(after, 'nomad_mcp_audit_writes_total', { result: 'ok' })).toBe(7);
  });
});

describe('GET /metrics without keys (local use)', () => {
  it('answers loopback callers, as every route does without keys', async () => {
    const s = await startStack();
    try {
      const r = await s.api('GET', '/metrics');
      expect(r.status).toBe(200);
      expect(parsePrometheusText(r.text).types.get('nomad_mcp_operation_calls_total')).toBe('counter');
    } finally {
      await s.close();
    }
  });
});
