import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { AclStore } from './acl';
import { parseUrl, readBody, tokenSecret, WRITE_METHODS, type RequestContext } from './http/context';
import { sendError, sendNotFound } from './http/respond';
import type { Router } from './http/router';
import type { Sim } from './http/sim';
import { buildRouter } from './routes';
import { nodeOut } from './routes/views';
import { seedDemo } from './seed';
import { DEFAULT_TIMINGS, SimState, SimTimings } from './state/sim-state';
import { NomadHttpError } from './wire';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  region?: string;
  datacenter?: string;
  nodes?: number;
  acl?: boolean;
  /** SecretID of the bootstrap management token when ACLs are on. */
  bootstrapToken?: string;
  /** Seed the demo namespaces and jobs. */
  seed?: boolean;
  timings?: Partial<SimTimings>;
  /** Nomad's event_buffer_size: how many batches /v1/event/stream can replay (0 turns the event broker off). */
  eventBufferSize?: number;
  /** Upper bound of a blocking query's wait (Nomad caps at 300 s). */
  maxWaitMs?: number;
  version?: string;
  /** Serve HTTPS (PEM contents). With `ca`, clients must present a certificate signed by it (verify_https_client). */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  /** Sees every request, with its parsed JSON body (tests use it to assert what reached "Nomad"). */
  onRequest?: (request: { method: string; url: string; headers: IncomingMessage['headers']; body?: unknown }) => void;
}

export interface RunningSimulator {
  url: string;
  host: string;
  port: number;
  state: SimState;
  acl: AclStore;
  /**
   * The workload identity Nomad gives a task of this allocation as NOMAD_TOKEN (`identity { env = true }`):
   * what a service running as a Nomad job calls Nomad with. `task` defaults to the group's first task.
   */
  workloadIdentity(allocId: string, task?: string): string;
  close(): Promise<void>;
}

/** Starts a Nomad HTTP API simulator; port 0 picks a free port. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const region = opts.region ?? 'global';
  const datacenter = opts.datacenter ?? 'dc1';
  const version = opts.version ?? '1.10.5';
  const state = new SimState(region, datacenter, { ...DEFAULT_TIMINGS, ...opts.timings }, opts.nodes ?? 1, version, opts.eventBufferSize ?? 100);
  const acl = new AclStore(!!opts.acl, opts.bootstrapToken, state.store.index, (id) => state.store.allocs.get(id)?.TaskGroup);
  if (opts.seed) seedDemo(state);
  const sim: Sim = {
    state, acl, httpAddr: '',
    agent: { region, datacenter, host: opts.host ?? '127.0.0.1', version, maxWaitMs: opts.maxWaitMs ?? 300_000 },
  };
  state.events.nodeView = (n) => nodeOut(n, version, sim.httpAddr);
  const router = buildRouter(sim);
  const handler = (req: IncomingMessage, res: ServerResponse) => void handle(sim, router, opts.onRequest, req, res);
  const tls = opts.tls;
  const server: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: !!tls.ca, rejectUnauthorized: !!tls.ca }, handler)
    : createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4646, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  sim.httpAddr = `${addr.address}:${addr.port}`;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    state,
    acl,
    workloadIdentity: (allocId, task) => {
      const a = state.store.allocs.get(allocId);
      if (!a) throw new Error(`no allocation ${allocId}`);
      const group = state.store.getJob(a.Namespace, a.JobID)?.TaskGroups.find((g) => g.Name === a.TaskGroup);
      const name = task ?? group?.Tasks[0]?.Name ?? '';
      return acl.signWorkloadIdentity({ nomad_namespace: a.Namespace, nomad_job_id: a.JobID, nomad_allocation_id: a.ID, nomad_task: name });
    },
    close: () => closeServer(server, state),
  };
}

function closeServer(server: Server, state: SimState): Promise<void> {
  state.close();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** One request: body, onRequest, URL and token, the `/` redirect, the region, the route, then the token check. */
async function handle(sim: Sim, router: Router, onRequest: SimulatorOptions['onRequest'], req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const method = req.method ?? 'GET';
    const body = WRITE_METHODS.has(method) || method === 'DELETE' ? await readBody(req) : undefined;
    onRequest?.({ method, url: req.url ?? '/', headers: req.headers, body });
    const { path, query } = parseUrl(req.url ?? '/');
    // null: a token was sent that the ACL system does not know
    const token = sim.acl.resolve(tokenSecret(req));
    if (path === '/') {
      res.writeHead(307, { Location: '/ui/' }).end();
      return;
    }
    // one region here; Nomad would forward to another region's servers, and fails like this without one
    const region = query.get('region');
    if (region && region !== sim.agent.region && path.startsWith('/v1/') && path !== '/v1/regions') {
      throw new NomadHttpError(500, 'No path to region');
    }
    const match = router.match(method, path);
    if (match === undefined) return sendNotFound(res);
    if (match === 'method-not-allowed') throw new NomadHttpError(405, 'Invalid method');
    // Nomad refuses an unknown token where it authenticates the request, i.e. everywhere but a few reads
    if (token === null && sim.acl.enabled && !match.anyToken) throw new NomadHttpError(403, 'Permission denied');
    const ctx: RequestContext = { req, res, method, path, query, token: token ?? undefined, body, params: match.params };
    await match.handler(ctx);
  } catch (err) {
    sendError(res, err);
  }
}
