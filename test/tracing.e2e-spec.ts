import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { call, Reply, waitFor } from './support/http';
import { requireBuild, ServiceProcess, startServiceProcess } from './support/built-service';
import { OtlpReceiver, ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver';
import { closedPortUrl, FAST } from './support/stack';

const API_KEY = 'trace-ops-key-SECRET-7d1c0e55';
const NOMAD_TOKEN = '5ec7e75e-c7e7-4ec7-8ec7-5ec7e75ec7e7';
const ENV_SECRET = 'db-password-SECRET-93af20';
const COLLECTOR_SECRET = 'collector-SECRET-41bb';
const JOB = 'traced-job-5512';
const MISSING = 'no-such-job-8080';
// OTLP's SpanKind (the protocol's enum: 0 unspecified, 1 internal)
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

/** A caller's W3C traceparent and the ids in it. */
const caller = (n: number) => {
  const traceId = `4bf92f3577b34da6a3ce929d0e0e47${String(n).padStart(2, '0')}`;
  const spanId = `00f067aa0ba902${String(n).padStart(2, '0')}`;
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
};

type ToolAnswer = { isError?: boolean; content: Array<{ text: string }> };

/** The built service as its own process against the simulator (the exporter's own `import('http')` cannot run inside Jest's VM). */
async function startTracedService(collector: string, sim: RunningSimulator, dir: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startServiceProcess({
    NOMAD_ADDR: sim.url, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', AUDIT_DB_PATH: join(dir, 'audit.sqlite3'),
    // every read asks Nomad, so each operation has Nomad calls to show (a read served from the watch cache has none)
    NOMAD_MCP_CACHE_MAX_STALE: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector, ...env,
  });
}

/**
 * The service exporting traces to a collector in the test's own process (OTLP/HTTP JSON), against the
 * simulator with ACLs on: REST and MCP calls, with and without the caller's traceparent, a Nomad error and a
 * change whose arguments hold a secret. Each call is one server span named by its operation, each Nomad call
 * one client span under it; no key, token or argument value is ever exported.
 */
describe('OpenTelemetry traces of operation calls', () => {
  let receiver: OtlpReceiver;
  let sim: RunningSimulator;
  let svc: ServiceProcess;
  let dir: string;
  const answers: ToolAnswer[] = [];
  const rest = { plain: 0, traced: caller(1), change: caller(2), unsampled: caller(6) };
  const mcp = { meta: caller(3), header: caller(4), resource: caller(5) };

  const operations = () => receiver.spans.filter((x) => x.kind === SERVER);
  const childrenOf = (span: ReceivedSpan) => receiver.spans.filter((x) => x.parentSpanId === span.spanId);
  const operationIn = (traceId: string) => {
    const found = operations().filter((x) => x.traceId === traceId);
    expect(found).toHaveLength(1);
    return found[0];
  };

  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    call(svc.url, method, path, { body, headers: { 'X-API-Key': API_KEY, ...headers } });

  beforeAll(async () => {
    requireBuild();
    receiver = await startOtlpReceiver();
    sim = await startSimulator({ port: 0, seed: true, timings: FAST, acl: true, bootstrapToken: NOMAD_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'tracing-'));
    const identities = join(dir, 'identities.json');
    writeFileSync(identities, JSON.stringify({ identities: [{ name: 'ops', key: API_KEY, scopes: ['*'] }] }));
    svc = await startTracedService(receiver.url, sim, dir, {
      API_KEYS_FILE: identities, NOMAD_TOKEN, OTEL_SERVICE_NAME: 'nomad-mcp-e2e', OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${COLLECTOR_SECRET}`,
    });

    // REST: a read with no trace of its own, a read continuing the caller's trace, a change whose env holds a secret
    expect((await api('GET', '/api/claude/list-jobs')).status).toBe(200);
    expect((await api('GET', '/api/claude/jobs/example-job/allocations', undefined, { traceparent: rest.traced.header })).status).toBe(200);
    const created = await api('POST', '/api/claude/create-job', { job_id: JOB, docker_image: 'nginx:1.27', env_vars: { DB_PASSWORD: ENV_SECRET } }, { traceparent: rest.change.header });
    expect(created.status).toBe(201);
    const notSampled = `00-${rest.unsampled.traceId}-${rest.unsampled.spanId}-00`;
    expect((await api('GET', '/api/claude/list-jobs', undefined, { traceparent: notSampled })).status).toBe(200);

    // MCP over HTTP: the header on every request; _meta.traceparent of a tools/call wins over it
    const client = new Client({ name: 'tracing-e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${svc.url}/mcp`), {
      requestInit: { headers: { 'X-API-Key': API_KEY, traceparent: mcp.header.header } },
    }));
    try {
      answers.push((await client.callTool({ name: 'list_jobs', arguments: {} })) as ToolAnswer);
      answers.push((await client.callTool({ name: 'get_job_status', arguments: { job_id: MISSING }, _meta: { traceparent: mcp.meta.header } })) as ToolAnswer);
      const read = await client.readResource({ uri: 'nomad://job/development/example-job', _meta: { traceparent: mcp.resource.header } });
      expect(read.contents.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
    // six operations, each with at least one Nomad call
    await waitFor('the six operation spans and their Nomad calls', async () => operations().length >= 6 && operations().every((o) => childrenOf(o).length > 0), 10000);
  }, 60000);

  afterAll(async () => {
    await svc?.stop();
    await sim?.close();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answered the MCP calls as scripted', () => {
    expect(answers.map((a) => !!a.isError)).toEqual([false, true]);
  });

  it('REST: a span named by the operation continues the caller traceparent, with a child span per Nomad call', () => {
    const op = operationIn(rest.traced.traceId);
    expect(op).toMatchObject({ name: 'list_allocations', parentSpanId: rest.traced.spanId, service: 'nomad-mcp-e2e', status: 0 });
    expect(op.attributes).toMatchObject({
      'nomad_mcp.operation': 'list_allocations', 'nomad_mcp.transport': 'rest', 'nomad_mcp.outcome': 'ok',
      'nomad_mcp.job': 'example-job', 'enduser.id': 'ops', 'http.response.status_code': 200,
    });
    const calls = childrenOf(op);
    expect(calls.map((c) => c.name)).toContain('GET /v1/job/:job_id/allocations');
    for (const c of calls) {
      expect(c).toMatchObject({ kind: CLIENT, traceId: rest.traced.traceId });
      expect(c.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.template': c.name.slice(4) });
      // within its operation (a few ms of slack: the two clocks are read apart)
      expect(c.startNs).toBeGreaterThanOrEqual(op.startNs - 5_000_000n);
      expect(c.endNs).toBeLessThanOrEqual(op.endNs + 5_000_000n);
      expect(c.endNs).toBeGreaterThanOrEqual(c.startNs);
    }
  });

  it('REST without a traceparent: the operation starts a trace of its own', () => {
    const own = operations().filter((o) => o.name === 'list_jobs' && o.attributes['nomad_mcp.transport'] === 'rest');
    expect(own).toHaveLength(1);
    expect(own[0].parentSpanId).toBe('');
    expect(own[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    expect([rest.traced, rest.change, mcp.meta, mcp.header, mcp.resource].map((c) => c.traceId)).not.toContain(own[0].traceId);
    expect(childrenOf(own[0]).map((c) => c.name)).toContain('GET /v1/jobs');
  });

  it('a change: namespace, job and evaluation on its span, the register call under it', () => {
    const op = operationIn(rest.change.traceId);
    expect(op).toMatchObject({ name: 'create_job', parentSpanId: rest.change.spanId });
    expect(op.attributes).toMatchObject({ 'nomad_mcp.outcome': 'ok', 'nomad_mcp.job': JOB, 'nomad_mcp.namespace': expect.any(String), 'http.response.status_code': 201 });
    expect(op.attributes['nomad_mcp.eval_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(childrenOf(op).map((c) => c.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^(PUT|POST) \/v1\/jobs$/)]));
  });

  it('MCP: _meta.traceparent of tools/call continues the trace (over the header); a Nomad 404 is an error span', () => {
    const op = operationIn(mcp.meta.traceId);
    expect(op).toMatchObject({ name: 'get_job_status', parentSpanId: mcp.meta.spanId, status: ERROR });
    expect(op.attributes).toMatchObject({ 'nomad_mcp.transport': 'mcp', 'nomad_mcp.outcome': 'error', 'nomad_mcp.job': MISSING, 'http.response.status_code': 404, 'error.type': '404' });
    const missing = childrenOf(op).find((c) => c.name === 'GET /v1/job/:job_id');
    expect(missing).toMatchObject({ kind: CLIENT, status: ERROR, attributes: { 'http.request.method': 'GET', 'url.template': '/v1/job/:job_id', 'http.response.status_code': 404, 'error.type': '404' } });
  });

  it('MCP: the HTTP traceparent header continues the trace when _meta has none', () => {
    const op = operationIn(mcp.header.traceId);
    expect(op).toMatchObject({ name: 'list_jobs', parentSpanId: mcp.header.spanId, attributes: { 'nomad_mcp.transport': 'mcp', 'nomad_mcp.outcome': 'ok' } });
    expect(childrenOf(op).map((c) => c.name)).toContain('GET /v1/jobs');
  });

  it('MCP: a resource read is its operation call, continuing _meta.traceparent', () => {
    const op = operationIn(mcp.resource.traceId);
    expect(op).toMatchObject({ name: 'get_job_status', parentSpanId: mcp.resource.spanId, attributes: { 'nomad_mcp.transport': 'mcp', 'nomad_mcp.outcome': 'ok', 'nomad_mcp.job': 'example-job' } });
    expect(childrenOf(op).map((c) => c.name)).toContain('GET /v1/job/:job_id');
  });

  it("a caller's trace it did not sample (flags 00) is not exported: the default sampler follows the caller", () => {
    expect(receiver.spans.filter((x) => x.traceId === rest.unsampled.traceId)).toEqual([]);
  });

  it('exports only operation spans and their Nomad calls (the start-up and readiness checks are no operation)', () => {
    const ids = new Set(operations().map((o) => o.spanId));
    expect(operations()).toHaveLength(6);
    for (const c of receiver.spans.filter((x) => x.kind === CLIENT)) expect(ids).toContain(c.parentSpanId);
  });

  it('never exports a key, a token, an argument value or a query; sends OTEL_EXPORTER_OTLP_HEADERS to the collector only', () => {
    const payload = receiver.exports.map((e) => e.body).join('\n');
    for (const secret of [API_KEY, NOMAD_TOKEN, ENV_SECRET, 'DB_PASSWORD', COLLECTOR_SECRET, 'nginx:1.27']) expect(payload).not.toContain(secret);
    expect(payload).not.toMatch(/\?|X-Nomad-Token|x-api-key/i);
    expect(receiver.exports.every((e) => e.headers.authorization === `Bearer ${COLLECTOR_SECRET}`)).toBe(true);
  });
});

describe('OpenTelemetry traces at shutdown, with the collector down, and when off', () => {
  it('exports the spans still buffered when the service stops (SIGTERM)', async () => {
    requireBuild();
    const receiver = await startOtlpReceiver();
    const sim = await startSimulator({ port: 0, seed: true, timings: FAST });
    const dir = mkdtempSync(join(tmpdir(), 'tracing-stop-'));
    try {
      const svc = await startTracedService(receiver.url, sim, dir, { OTEL_BSP_SCHEDULE_DELAY: '600000' });
      try {
        expect((await call(svc.url, 'GET', '/api/claude/list-jobs')).status).toBe(200);
        await new Promise((r) => setTimeout(r, 300));
        expect(receiver.spans).toHaveLength(0);
      } finally {
        await svc.stop();
      }
      expect(receiver.spans.map((x) => x.name)).toEqual(expect.arrayContaining(['list_jobs', 'GET /v1/jobs']));
    } finally {
      await sim.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('says, once, that traces cannot be exported when the collector is down; the calls are answered as ever', async () => {
    requireBuild();
    const sim = await startSimulator({ port: 0, seed: true, timings: FAST });
    const dir = mkdtempSync(join(tmpdir(), 'tracing-down-'));
    const down = await closedPortUrl();
    try {
      const svc = await startTracedService(down, sim, dir, { OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${COLLECTOR_SECRET}` });
      try {
        for (let i = 0; i < 3; i++) {
          expect((await call(svc.url, 'GET', '/api/claude/list-jobs')).status).toBe(200);
          await new Promise((r) => setTimeout(r, 150));
        }
        await waitFor('the export warning', async () => svc.logs().includes('Traces not exported'), 10000);
        const warnings = svc.logs().split('\n').filter((l) => l.includes('Traces not exported'));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(`Traces not exported to ${down}: `);
        expect(warnings[0]).toMatch(/ECONNREFUSED/);
        expect(svc.logs()).not.toContain(COLLECTOR_SECRET);
      } finally {
        await svc.stop();
      }
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('loads no OpenTelemetry package unless an endpoint is set', () => {
    requireBuild();
    const bootstrap = resolve(__dirname, '../dist/apps/nomad-mcp/src/bootstrap.js');
    const dir = mkdtempSync(join(tmpdir(), 'tracing-off-'));
    const script = `
      const { createApp } = require(${JSON.stringify(bootstrap)});
      const audit = ${JSON.stringify(join(dir, 'audit.sqlite3'))};
      createApp({ env: { PORT: '0', LOG_LEVEL: 'silent', AUDIT_DB_PATH: audit, NOMAD_ADDR: 'http://127.0.0.1:9', ...JSON.parse(process.argv[1]) } })
        .then((app) => app.init().then(() => {
          // @opentelemetry/api is prom-client's (it loads it for exemplars): the SDK and the exporter are tracing's
          const sdk = Object.keys(require.cache).filter((k) => /@opentelemetry[\\/](sdk-trace|exporter|otlp|resources)/.test(k));
          process.stdout.write(String(sdk.length));
          return app.close();
        }));`;
    const loaded = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(env)], { encoding: 'utf8', timeout: 30000 });
      expect(r.status).toBe(0);
      return Number(r.stdout);
    };
    try {
      expect(loaded({})).toBe(0);
      expect(loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
