/**
 * P4 scale: the simulator registers 10,000 jobs over HTTP; with them, the service's first page of list-jobs,
 * its RSS under 16 concurrent lists over REST and over MCP, and (a fresh service) start-up to ready and idle RSS.
 */
const { request, rssMb, sleep, startService } = require('./procs');
const { load, median } = require('./load');
const { seedJobs } = require('./seed');
const { join } = require('node:path');

/** An MCP tools/call over Streamable HTTP (the service is stateless: no session to open first). */
function mcpCall(url, key, name, args) {
  const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } };
  return request(`${url}/mcp`, { method: 'POST', body, headers: { ...key, Accept: 'application/json, text/event-stream' } });
}

async function peakRssWhile(pid, work) {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
  try {
    const out = await work();
    return { peak: Math.max(peak, rssMb(pid)), out };
  } finally {
    clearInterval(timer);
  }
}

async function runP4(ctx) {
  const { sim, env, record, seconds, scaleJobs } = ctx;
  const key = { 'X-API-Key': env.API_KEYS };
  const ns = 'bench-10k';
  const seedMs = await seedJobs(sim.url, ns, scaleJobs, { prefix: 'p4' });
  record(`P4 simulator registers ${scaleJobs} jobs (HTTP, 16 at a time)`, seedMs / 1000, 's', '< 10', seedMs < 10000, `${(scaleJobs / (seedMs / 1000)).toFixed(0)} jobs/s`);
  const firstPageDirect = [];
  for (let i = 0; i < 10; i++) firstPageDirect.push((await request(`${sim.url}/v1/jobs?namespace=${ns}&per_page=50`)).ms);

  const svc = await startService(env);
  try {
    const list = () => request(`${svc.url}/api/claude/list-jobs?namespace=${ns}`, { headers: key });
    const first = await list();
    if (first.status !== 200) throw new Error(`list-jobs at scale: ${first.status} ${first.text.slice(0, 300)}`);
    const times = [];
    for (let i = 0; i < 10; i++) times.push((await list()).ms);
    record(`P4 first page of list-jobs @${scaleJobs} jobs (median of 10)`, median(times), 'ms', '< 50', median(times) < 50,
      `${(Buffer.byteLength(first.text) / 1024).toFixed(1)} KB answer; simulator's own first page (per_page=50) ${median(firstPageDirect).toFixed(1)} ms`);

    const rest = await peakRssWhile(svc.pid, () => load(async () => (await list()).status === 200, { concurrency: 16, seconds }));
    record(`P4 service RSS, 16 concurrent REST lists @${scaleJobs}`, rest.peak, 'MB', '< 200', rest.peak < 200 && rest.out.failed === 0,
      `${rest.out.rps.toFixed(0)} req/s p99 ${rest.out.p99.toFixed(0)} ms${rest.out.failed ? `; ${rest.out.failed} failed: ${rest.out.firstError}` : ''}`);
    const mcpOk = async () => {
      const r = await mcpCall(svc.url, key, 'list_jobs', { namespace: ns });
      return r.status === 200 && !/"isError":true/.test(r.text);
    };
    if (!(await mcpOk())) throw new Error(`MCP list_jobs failed: ${(await mcpCall(svc.url, key, 'list_jobs', { namespace: ns })).text.slice(0, 300)}`);
    const mcp = await peakRssWhile(svc.pid, () => load(mcpOk, { concurrency: 16, seconds }));
    record(`P4 service RSS, 16 concurrent MCP lists @${scaleJobs}`, mcp.peak, 'MB', '< 200', mcp.peak < 200 && mcp.out.failed === 0,
      `${mcp.out.rps.toFixed(0)} req/s p99 ${mcp.out.p99.toFixed(0)} ms${mcp.out.failed ? `; ${mcp.out.failed} failed: ${mcp.out.firstError}` : ''}`);
  } finally {
    svc.stop();
  }

  // a fresh service: start-up to its first 200 on /health/live, then RSS after 3 s idle (median of 3 starts),
  // alternating with the floor app (the required stack alone, one route) started the same way
  const startAndIdle = async (startEnv, opts, starts, idle) => {
    const s = await startService(startEnv, opts);
    starts.push(s.readyMs);
    await sleep(3000);
    idle.push(rssMb(s.pid));
    s.stop();
  };
  const [starts, idle, floorStarts, floorIdle] = [[], [], [], []];
  for (let i = 0; i < 3; i++) {
    await startAndIdle(env, {}, starts, idle);
    await startAndIdle({}, { main: join(__dirname, 'floor-app.js') }, floorStarts, floorIdle);
  }
  const each = (xs, unit) => `each: ${xs.map((x) => x.toFixed(0)).join(', ')} ${unit}`;
  record('P4 start-up to ready (median of 3)', median(starts), 'ms', '< 500', median(starts) < 500, `${each(starts, 'ms')}; the required stack alone: ${median(floorStarts).toFixed(0)} ms`);
  record('P4 start-up: service / required stack alone', median(starts) / median(floorStarts), 'x', 'info', null,
    `floor app (Nest core+common+Fastify, Swagger, class-validator, class-transformer, axios; one route) ${each(floorStarts, 'ms')}`);
  record('P4 idle RSS (median of 3)', median(idle), 'MB', '< 100', median(idle) < 100, `${each(idle, 'MB')}; the required stack alone: ${median(floorIdle).toFixed(0)} MB`);
}

module.exports = { runP4 };
