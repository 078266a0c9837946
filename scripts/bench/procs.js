/**
 * The processes a bench run starts (simulator, service, baseline server) and the HTTP client it measures with.
 * Every child is killed when the run ends, however it ends.
 */
const { fork, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
// The service as its users start it (npm start, the image): bin/nomad-mcp.js, which runs the bundle.
// BENCH_SERVICE_MAIN: another build's entry (bin/nomad-mcp.js or dist main.js of another checkout), to compare against
const SERVICE = process.env.BENCH_SERVICE_MAIN || join(root, 'bin/nomad-mcp.js');
const children = new Set();

function killAll() {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}
process.on('exit', killAll);

/** Resident set size of a process, in MB. */
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One request; resolves with status, text and how long it took (ms). */
function request(url, { method = 'GET', body, headers = {}, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const h = data ? { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers } : headers;
    const req = http.request(url, { method, agent, headers: h, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString(), ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** The simulator (sim-child.js) with a request counter: count() and paths() ask it. */
async function startSim({ nodes = 20 } = {}) {
  const child = fork(join(__dirname, 'sim-child.js'), ['--nodes', String(nodes)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.add(child);
  const url = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`simulator exited (${code}) before listening`)));
  });
  const ask = (msg) => new Promise((resolve) => {
    child.once('message', resolve);
    child.send(msg);
  });
  const stop = () => {
    child.kill();
    children.delete(child);
  };
  return { url, pid: child.pid, stop, count: async () => (await ask({ count: true })).count, paths: async () => (await ask({ paths: true })).paths };
}

/**
 * The service as `node bin/nomad-mcp.js` runs it, on a free port; resolves once /health/live answers 200, with the
 * milliseconds from spawn to that answer. `main`: another script started the same way (the bench's floor app).
 */
async function startService(env, { main = SERVICE } = {}) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited (${child.exitCode}):\n${stderr}`);
    const r = await request(`${url}/health/live`, { timeoutMs: 2000 }).catch(() => undefined);
    if (r?.status === 200) break;
    if (performance.now() - t0 > 30000) throw new Error(`service not ready in 30 s:\n${stderr}`);
    await sleep(5);
  }
  const readyMs = performance.now() - t0;
  return { url, pid: child.pid, readyMs, stop: () => { child.kill(); children.delete(child); } };
}

/** A bare node:http server answering every GET with `body` (the floor any service doing the same work sits on). */
async function startBaseline(body) {
  const child = fork(join(__dirname, 'baseline-server.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.add(child);
  child.send({ body });
  const url = await new Promise((resolve) => child.once('message', (m) => resolve(m.url)));
  return { url, pid: child.pid, stop: () => { child.kill(); children.delete(child); } };
}

module.exports = { startSim, startService, startBaseline, request, rssMb, sleep, killAll, root };
