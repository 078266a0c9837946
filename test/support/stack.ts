import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'node:net';
import { startSimulator, SimulatorOptions, RunningSimulator } from '../../apps/nomad-sim/src';
import { createApp, listen } from '../../apps/nomad-mcp/src/bootstrap';
import { FaultProxy, startFaultProxy } from './fault-proxy';
import { call, Reply } from './http';

export const FAST = { startDelayMs: 60, healthyDelayMs: 80, batchRunMs: 150, restartDelayMs: 40, killDelayMs: 30, healthyDeadlineMs: 2000 };

export interface Stack {
  url: string;
  app: NestFastifyApplication;
  /** Every route the app registered with its HTTP server (HEAD and OPTIONS left out), as Fastify announced them. */
  routes: Array<{ method: string; path: string }>;
  sim?: RunningSimulator;
  /** With `faults: true`: the proxy between the service and the simulator, whose mode the test switches. */
  faults?: FaultProxy;
  /** The stack's own audit trail (SQLite). */
  auditPath: string;
  /** Every request the simulator received: "METHOD raw-url". */
  nomadTraffic: string[];
  /** The JSON bodies of those requests, in the same order (undefined for reads). */
  nomadBodies: Array<{ line: string; body: unknown }>;
  /** The X-Nomad-Token each of those requests carried, in the same order (undefined: none). */
  nomadTokens: Array<{ line: string; token: string | undefined }>;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>, signal?: AbortSignal): Promise<Reply<T>>;
  nomad<T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>>;
  close(): Promise<void>;
}

/**
 * The real Nest app on port 0 against a real simulator (or the given NOMAD_ADDR), over real sockets.
 * `ca`: the CA (PEM) that `api` trusts, for a stack serving HTTPS (TLS_CERT_FILE/TLS_KEY_FILE in env).
 * `faults`: a fault proxy between the app and the simulator (`stack.faults`).
 */
export async function startStack(opts: { env?: Record<string, string>; sim?: SimulatorOptions | false; apiKey?: string; operationDirs?: string[]; ca?: string | Buffer; faults?: boolean } = {}): Promise<Stack> {
  const nomadTraffic: string[] = [];
  const nomadBodies: Array<{ line: string; body: unknown }> = [];
  const nomadTokens: Stack['nomadTokens'] = [];
  const sim = opts.sim === false ? undefined : await startSimulator({
    port: 0, seed: true, timings: FAST, ...opts.sim,
    onRequest: (r) => {
      nomadTraffic.push(`${r.method} ${r.url}`);
      nomadBodies.push({ line: `${r.method} ${r.url}`, body: r.body });
      nomadTokens.push({ line: `${r.method} ${r.url}`, token: r.headers['x-nomad-token'] as string | undefined });
    },
  });
  const faults = sim && opts.faults ? await startFaultProxy({ target: sim.url }) : undefined;
  const auditDir = mkdtempSync(join(tmpdir(), 'nomad-mcp-audit-'));
  const env: Record<string, string> = {
    PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0',
    // tests count and order Nomad requests and change the simulator behind the service's back: the watch cache
    // (test/watch-cache.e2e-spec.ts) is on only where a test turns it on
    NOMAD_MCP_CACHE_MAX_STALE: '0',
    // each stack its own audit trail, removed with it
    AUDIT_DB_PATH: join(auditDir, 'audit.sqlite3'),
    ...(sim ? { NOMAD_ADDR: faults?.url ?? sim.url } : {}),
    ...opts.env,
  };
  const app = await createApp({ env, operationDirs: opts.operationDirs });
  const routes: Stack['routes'] = [];
  app.getHttpAdapter().getInstance().addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD' && method !== 'OPTIONS') routes.push({ method, path: r.url });
  });
  const { url } = await listen(app);
  const headers: Record<string, string> = opts.apiKey ? { 'X-API-Key': opts.apiKey } : {};
  return {
    url, app, routes, sim, faults, nomadTraffic, nomadBodies, nomadTokens, auditPath: env.AUDIT_DB_PATH,
    api: (method, path, body, extra = {}, signal) => call(url, method, path, { body, headers: { ...headers, ...extra }, ca: opts.ca, signal }),
    nomad: (method, path, body) => call(sim!.url, method, path, { body }),
    close: async () => {
      await app.close();
      await faults?.close();
      await sim?.close();
      rmSync(auditDir, { recursive: true, force: true });
    },
  };
}

/** A server that accepts connections and requests and never answers: a Nomad that hangs. */
export async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  return startFaultProxy({ mode: 'hang' });
}

/**
 * A port nothing listens on: a Nomad that is down. Chosen below the kernel's ephemeral range, which is where every
 * other test's `listen(0)` gets its port: a port freed by listen(0) and close could be handed to a parallel test's
 * simulator a moment later, and "down" would then answer 404.
 */
export async function closedPortUrl(): Promise<string> {
  const low = Number(/^\d+/.exec(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'))?.[0] ?? 32768);
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * Math.max(1, Math.min(low, 30000) - 20000));
    if (await refused(port)) return `http://127.0.0.1:${port}`;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}
