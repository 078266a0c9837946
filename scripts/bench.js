#!/usr/bin/env node
/**
 * `npm run bench`: speed and memory targets, measured on the built code over real sockets.
 *   1. simulator start-up            (target: listening < 3000 ms)
 *   2. REST API under load           (target: list-jobs p99 < 100 ms at 16 concurrent clients)
 *   3. job-logs tail of a 1 GB log   (target: < 250 ms, service RSS growth < 30 MB, Nomad bytes read < 256 KiB)
 *   4. follow-mode stream            (target: simulator RSS growth < 40 MB, drift < 10 MB after the first second,
 *                                     while streaming a 500 MB log for BENCH_FOLLOW_SECONDS, default 20)
 *   5. a task with a 500 MB log      (target: simulator RSS growth < 8 MB)
 * Exits 1 when a target is missed. Results also go to .bench/results.json.
 */
const { spawn } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const { join } = require('node:path');

const root = join(__dirname, '..');
const SIM = join(root, 'dist/apps/nomad-sim/src/main.js');
const SERVICE = join(root, 'dist/apps/nomad-mcp/src/main.js');
const FOLLOW_SECONDS = Number(process.env.BENCH_FOLLOW_SECONDS ?? 20);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const children = new Set();
const results = [];

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Starts a node script and resolves when a line matches `ready`. */
function start(script, args, env, ready) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    const onData = (d) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${out.slice(-2000)}`)));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const srv = require('node:net').createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The service logs at warn here (no per-request lines), so readiness is polled on /health. */
async function startService(env) {
  const child = spawn(process.execPath, [SERVICE], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  for (let i = 0; i < 150; i++) {
    try {
      const r = await request(`http://127.0.0.1:${env.PORT}/health`);
      if (r.status === 200) return { child };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('service did not become healthy within 15 s');
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function request(url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'Content-Type': 'application/json', ...headers } : headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function record(name, value, unit, target, ok, detail = '') {
  results.push({ name, value: Number(value.toFixed(2)), unit, target, ok, detail });
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(44)} ${value.toFixed(1).padStart(9)} ${unit.padEnd(6)} (target ${target})${detail ? `  ${detail}` : ''}\n`);
}

async function waitRunning(sim, ns, job) {
  for (let i = 0; i < 200; i++) {
    const r = await request(`${sim}/v1/job/${job}/allocations?namespace=${ns}`);
    const a = JSON.parse(r.text).find((x) => x.ClientStatus === 'running');
    if (a) return a;
    await sleep(100);
  }
  throw new Error(`${job} never ran`);
}

async function main() {
  process.stdout.write(`Nomad MCP benchmarks (node ${process.version}, ${require('node:os').cpus().length} cpus)\n\n`);

  // 1. simulator start-up
  const starts = [];
  for (let i = 0; i < 3; i++) {
    const s = await start(SIM, ['--port', '0'], {}, /listening on (http:\/\/\S+)/);
    starts.push(s.ms);
    s.child.kill();
    children.delete(s.child);
  }
  const worstStart = Math.max(...starts);
  record('simulator start-up (worst of 3)', worstStart, 'ms', '< 3000', worstStart < 3000);

  // shared stack: simulator with demo data (quick timings) + the service
  const sim = await start(SIM, ['--port', '0', '--seed', '--start-delay', '200'], {}, /listening on (http:\/\/\S+)/);
  const simUrl = sim.match[1];
  const port = await freePort();
  const svc = await startService({ NOMAD_ADDR: simUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', API_KEYS: 'bench-key' });
  const svcUrl = `http://127.0.0.1:${port}`;
  const headers = { 'X-API-Key': 'bench-key' };
  await waitRunning(simUrl, 'development', 'example-job');

  // 2. REST under load
  const latencies = [];
  const deadline = Date.now() + LOAD_SECONDS * 1000;
  let errors = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      const r = await request(`${svcUrl}/api/claude/list-jobs?namespace=development`, { headers });
      if (r.status !== 200) errors++;
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }));
  latencies.sort((a, b) => a - b);
  const p99 = pct(latencies, 99);
  record('list-jobs p99 @16 clients', p99, 'ms', '< 100', p99 < 100 && errors === 0, `p50 ${pct(latencies, 50).toFixed(1)} ms, ${(latencies.length / LOAD_SECONDS).toFixed(0)} req/s, ${errors} errors`);

  // 3. tail of a 1 GB log through the service
  let nomadBytes = 0;
  await request(`${simUrl}/v1/jobs?namespace=development`, {
    method: 'PUT',
    body: { Job: { ID: 'gigalog', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: { NOMAD_SIM_LOG_BYTES: '1GB' }, Resources: { CPU: 100, MemoryMB: 64 } }] }] } },
  });
  await waitRunning(simUrl, 'development', 'gigalog');
  const rssBefore = rssMb(svc.child.pid);
  const tails = [];
  for (let i = 0; i < 10; i++) {
    const t0 = process.hrtime.bigint();
    const r = await request(`${svcUrl}/api/claude/job-logs/gigalog?namespace=development&type=stdout&lines=100`, { headers });
    tails.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const body = JSON.parse(r.text);
    if (r.status !== 200 || body.stdout.lines.length !== 100) throw new Error(`job-logs failed: ${r.text.slice(0, 300)}`);
    nomadBytes = Buffer.byteLength(body.stdout.lines.join('\n'));
  }
  const rssGrowth = rssMb(svc.child.pid) - rssBefore;
  tails.sort((a, b) => a - b);
  const worstTail = tails[tails.length - 1];
  record('job-logs 100 lines of a 1 GB log (worst/10)', worstTail, 'ms', '< 250', worstTail < 250);
  record('  service RSS growth over those reads', Math.max(0, rssGrowth), 'MB', '< 30', rssGrowth < 30);
  record('  bytes of log returned', nomadBytes / 1024, 'KiB', '< 256', nomadBytes < 256 * 1024);

  // 4. follow-mode stream memory: stream a 500 MB log from the start with follow=true
  await request(`${simUrl}/v1/jobs`, {
    method: 'PUT',
    body: { Job: { ID: 'followme', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: { NOMAD_SIM_LOG_BYTES: '500MB' }, Resources: { CPU: 100, MemoryMB: 64 } }] }] } },
  });
  const follow = await waitRunning(simUrl, 'default', 'followme');
  const simBase = rssMb(sim.child.pid);
  let streamed = 0;
  let simPeak = simBase;
  const samples = [];
  await new Promise((resolve) => {
    const req = http.get(`${simUrl}/v1/client/fs/logs/${follow.ID}?task=web&type=stdout&follow=true&origin=start&offset=0`, (res) => {
      res.on('data', (c) => { streamed += c.length; });
    });
    req.on('error', () => undefined);
    const timer = setInterval(() => {
      const rss = rssMb(sim.child.pid);
      samples.push(rss);
      simPeak = Math.max(simPeak, rss);
    }, 1000);
    setTimeout(() => { clearInterval(timer); req.destroy(); resolve(); }, FOLLOW_SECONDS * 1000);
  });
  const growth = simPeak - simBase;
  // flat = after the first second's buffers, the stream adds nothing however long it runs
  const drift = samples.length > 2 ? Math.max(...samples.slice(1)) - samples[1] : 0;
  record(`follow stream for ${FOLLOW_SECONDS}s: simulator RSS growth`, Math.max(0, growth), 'MB', '< 40', growth < 40, `${(streamed / 1024 / 1024).toFixed(0)} MB streamed (base64 frames)`);
  record('  drift after the first second (flatness)', Math.max(0, drift), 'MB', '< 10', drift < 10, `RSS MB per second: ${samples.map((x) => x.toFixed(0)).join(' ')}`);

  // 5. the cost of a 500 MB log itself
  await sleep(500);
  const simBefore = rssMb(sim.child.pid);
  await request(`${simUrl}/v1/jobs`, {
    method: 'PUT',
    body: { Job: { ID: 'bigone', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: { NOMAD_SIM_LOG_BYTES: '500MB' }, Resources: { CPU: 100, MemoryMB: 64 } }] }] } },
  });
  const big = await waitRunning(simUrl, 'default', 'bigone');
  for (let i = 0; i < 20; i++) await request(`${simUrl}/v1/client/fs/logs/${big.ID}?task=web&type=stdout&origin=end&offset=65536&plain=true`);
  const bigCost = rssMb(sim.child.pid) - simBefore;
  record('500 MB task log: simulator RSS growth', Math.max(0, bigCost), 'MB', '< 8', bigCost < 8);

  mkdirSync(join(root, '.bench'), { recursive: true });
  writeFileSync(join(root, '.bench/results.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
  const failed = results.filter((r) => !r.ok);
  process.stdout.write(`\n${results.length - failed.length} passed, ${failed.length} failed\n`);
  return failed.length ? 1 : 0;
}

main()
  .then((code) => { for (const c of children) c.kill(); process.exit(code); })
  .catch((err) => { for (const c of children) c.kill(); process.stderr.write(`bench: ${err.stack}\n`); process.exit(1); });
