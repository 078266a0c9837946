import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { AclStore, AclToken, parseRules, RuleParseError } from './acl';
import { FilterError, parseFilter } from './filter';
import { Job } from './jobspec';
import { LogType } from './logs';
import { allocTerminal, DEFAULT_TIMINGS, Obj, SimState, SimTimings } from './state';
import { field, NomadHttpError, nowNs, parseBool, parseGoDurationMs, toJson } from './wire';
import { seedDemo } from './seed';

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
  close(): Promise<void>;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  token: AclToken | undefined;
  body?: unknown;
  options?: QueryOptions;
}

interface QueryOptions {
  minIndex: number;
  waitMs: number;
  perPage: number;
  nextToken: string;
  filter?: (o: unknown) => boolean;
  reverse: boolean;
}

type QueryResult = { index: number; body: unknown; nextToken?: string };

const JSON_TYPE = 'application/json';
const WRITE_METHODS = new Set(['PUT', 'POST']);

/** Starts a Nomad HTTP API simulator; port 0 picks a free port. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const region = opts.region ?? 'global';
  const datacenter = opts.datacenter ?? 'dc1';
  const state = new SimState(region, datacenter, { ...DEFAULT_TIMINGS, ...opts.timings }, opts.nodes ?? 1);
  const acl = new AclStore(!!opts.acl, opts.bootstrapToken, state.index);
  if (opts.seed) seedDemo(state);
  const api = new SimApi(state, acl, { ...opts, region, datacenter });
  const handler = (req: IncomingMessage, res: ServerResponse) => void api.handle(req, res);
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
  api.httpAddr = `${addr.address}:${addr.port}`;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    state,
    acl,
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

class SimApi {
  httpAddr = '';
  private readonly maxWaitMs: number;

  constructor(
    private readonly state: SimState,
    private readonly acl: AclStore,
    private readonly opts: SimulatorOptions & { region: string; datacenter: string },
  ) {
    this.maxWaitMs = opts.maxWaitMs ?? 300_000;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const method = req.method ?? 'GET';
      const body = WRITE_METHODS.has(method) || method === 'DELETE' ? await readBody(req) : undefined;
      this.opts.onRequest?.({ method, url: req.url ?? '/', headers: req.headers, body });
      const ctx = this.context(req, res);
      if (!ctx) return;
      ctx.body = body;
      if (ctx.path === '/') {
        res.writeHead(307, { Location: '/ui/' }).end();
        return;
      }
      // one region here; Nomad would forward to another region's servers, and fails like this without one
      const region = ctx.query.get('region');
      if (region && region !== this.opts.region && ctx.path.startsWith('/v1/') && ctx.path !== '/v1/regions') {
        throw new NomadHttpError(500, 'No path to region');
      }
      await this.route(ctx);
    } catch (err) {
      this.fail(res, err);
    }
  }

  private context(req: IncomingMessage, res: ServerResponse): Ctx | undefined {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    let path: string;
    try {
      path = decodeURIComponent(q >= 0 ? raw.slice(0, q) : raw);
    } catch {
      this.fail(res, new NomadHttpError(400, 'invalid URL escape'));
      return undefined;
    }
    const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
    const header = req.headers['x-nomad-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const secret = (Array.isArray(header) ? header[0] : header)?.trim() || bearer?.trim();
    const token = this.acl.resolve(secret);
    const ctx: Ctx = { req, res, method: req.method ?? 'GET', path, query, token: token ?? undefined };
    if (token === null && this.acl.enabled) {
      this.fail(res, new NomadHttpError(403, 'Permission denied'));
      return undefined;
    }
    return ctx;
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const e = err instanceof NomadHttpError ? err : new NomadHttpError(500, err instanceof Error ? err.message : String(err));
    const body = Buffer.from(e.message);
    res.writeHead(e.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  }

  private send(ctx: Ctx, body: unknown, headers: Record<string, string | number> = {}): void {
    const text = toJson(body, ctx.query.has('pretty') && ctx.query.get('pretty') !== '0') + (ctx.query.has('pretty') && ctx.query.get('pretty') !== '0' ? '\n' : '');
    const buf = Buffer.from(text);
    ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': buf.length, ...headers });
    ctx.res.end(buf);
  }

  private sendEmpty(ctx: Ctx, headers: Record<string, string | number> = {}): void {
    ctx.res.writeHead(200, { 'Content-Length': 0, ...headers }).end();
  }

  private writeHeaders(index: number, all = false): Record<string, string | number> {
    return all ? this.metaHeaders(index) : { 'X-Nomad-Index': index };
  }

  private metaHeaders(index: number): Record<string, string | number> {
    return { 'X-Nomad-Index': index, 'X-Nomad-Knownleader': 'true', 'X-Nomad-Lastcontact': 0 };
  }

  private namespace(ctx: Ctx): string {
    return ctx.query.get('namespace') || 'default';
  }

  private deny(): never {
    throw new NomadHttpError(403, 'Permission denied');
  }

  private need(ctx: Ctx, ns: string, ...caps: string[]): void {
    if (!this.acl.allowNamespace(ctx.token, ns, caps)) this.deny();
  }

  /**
   * Validates the common query parameters the way Nomad's parseWait/parseConsistency/parsePagination do.
   * Parsed once per request: a blocking query re-runs its read on every change.
   */
  private parseQueryOptions(ctx: Ctx): QueryOptions {
    ctx.options ??= this.readQueryOptions(ctx);
    return ctx.options;
  }

  private readQueryOptions(ctx: Ctx): QueryOptions {
    const q = ctx.query;
    let minIndex = 0;
    let waitMs = 300_000;
    if (q.has('wait')) {
      const w = parseGoDurationMs(q.get('wait')!);
      if (w === undefined) throw new NomadHttpError(400, 'Invalid wait time');
      waitMs = w;
    }
    if (q.has('index')) {
      const raw = q.get('index')!;
      if (!/^\d+$/.test(raw)) throw new NomadHttpError(400, 'Invalid index');
      minIndex = Number(raw);
    }
    if (q.has('stale')) {
      const s = q.get('stale')!;
      if (!['', 'true', 'false'].includes(s)) throw new NomadHttpError(400, 'Expect `true` or `false` for `stale` query string parameter');
    }
    let perPage = 0;
    if (q.has('per_page')) {
      const p = q.get('per_page')!;
      if (!/^-?\d+$/.test(p)) throw new NomadHttpError(400, 'Expect a number for `per_page` query string parameter');
      perPage = Math.max(0, Number(p));
    }
    let filter: ((o: unknown) => boolean) | undefined;
    if (q.get('filter')) {
      try {
        filter = parseFilter(q.get('filter')!);
      } catch (e) {
        throw new NomadHttpError(400, `failed to create result paginator: ${(e as FilterError).message}`);
      }
    }
    return { minIndex, waitMs: Math.min(waitMs || 300_000, this.maxWaitMs), perPage, nextToken: q.get('next_token') ?? '', filter, reverse: q.get('reverse') === 'true' };
  }

  /** Answers a read, holding it as a blocking query when ?index= is given (BEHAVIOUR.md §5). */
  private async query(ctx: Ctx, run: () => QueryResult): Promise<void> {
    const opts = this.parseQueryOptions(ctx);
    let result = run();
    if (opts.minIndex > 0 && result.index <= opts.minIndex) {
      const wait = opts.waitMs + Math.floor(Math.random() * (opts.waitMs / 16));
      result = await new Promise<QueryResult>((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.state.off('change', onChange);
          ctx.req.off('close', finish);
          try {
            resolve(run());
          } catch {
            resolve(result);
          }
        };
        const onChange = () => {
          try {
            if (run().index > opts.minIndex) finish();
          } catch {
            finish();
          }
        };
        const timer = setTimeout(finish, wait);
        this.state.on('change', onChange);
        ctx.res.on('close', finish);
      });
      if (ctx.res.destroyed) return;
    }
    const headers = this.metaHeaders(Math.max(1, result.index));
    if (result.nextToken) headers['X-Nomad-Nexttoken'] = result.nextToken;
    this.send(ctx, result.body, headers);
  }

  /** ?filter (on the full object), ?reverse, ?next_token and ?per_page. */
  private page<T>(ctx: Ctx, items: T[], tokenOf: (t: T) => string): { items: T[]; nextToken?: string } {
    const o = this.parseQueryOptions(ctx);
    let list = o.filter ? items.filter((i) => o.filter!(i)) : items;
    if (o.reverse) list = [...list].reverse();
    if (o.nextToken) list = list.filter((i) => (o.reverse ? tokenOf(i) <= o.nextToken : tokenOf(i) >= o.nextToken));
    if (o.perPage > 0 && list.length > o.perPage) {
      return { items: list.slice(0, o.perPage), nextToken: tokenOf(list[o.perPage]) };
    }
    return { items: list };
  }

  // ------------------------------------------------------------------ routing

  private async route(ctx: Ctx): Promise<void> {
    const p = ctx.path;
    const m = ctx.method;
    const isRead = m === 'GET';
    const isWrite = WRITE_METHODS.has(m);
    const only = (ok: boolean) => {
      if (!ok) throw new NomadHttpError(405, 'Invalid method');
    };
    let r: RegExpExecArray | null = null;

    if (p === '/v1/status/leader') return only(isRead), this.send(ctx, `${this.opts.host ?? '127.0.0.1'}:4647`);
    if (p === '/v1/status/peers') return only(isRead), this.send(ctx, [`${this.opts.host ?? '127.0.0.1'}:4647`]);
    if (p === '/v1/agent/self') return only(isRead), this.agentSelf(ctx);
    if (p === '/v1/agent/members') return only(isRead), this.agentMembers(ctx);
    if (p === '/v1/regions') return only(isRead), this.send(ctx, [this.opts.region]);
    if (p === '/v1/namespaces') return only(isRead), this.listNamespaces(ctx);
    if (p === '/v1/namespace' || (r = /^\/v1\/namespace\/(.+)$/.exec(p))) return this.namespaceRoute(ctx, r?.[1]);
    if (p === '/v1/nodes') return only(isRead), this.listNodes(ctx);
    if ((r = /^\/v1\/node\/([^/]+)\/allocations$/.exec(p))) return only(isRead), this.nodeAllocs(ctx, r[1]);
    if ((r = /^\/v1\/node\/([^/]+)$/.exec(p))) return only(isRead), this.getNode(ctx, r[1]);
    if (p === '/v1/jobs') {
      if (isRead) return this.listJobs(ctx);
      only(isWrite);
      return this.register(ctx, undefined);
    }
    if (p === '/v1/jobs/parse') return only(isWrite), this.parse(ctx);
    if (p.startsWith('/v1/job/') && p.length > '/v1/job/'.length) return this.jobRoute(ctx, p.slice('/v1/job/'.length));
    if (p === '/v1/allocations') return only(isRead), this.listAllocations(ctx);
    if ((r = /^\/v1\/allocation\/([^/]+)\/stop$/.exec(p))) return only(isWrite), this.stopAlloc(ctx, r[1]);
    if ((r = /^\/v1\/allocation\/([^/]+)$/.exec(p))) return only(isRead), this.getAlloc(ctx, r[1]);
    if (p === '/v1/evaluations') return only(isRead), this.listEvals(ctx);
    if ((r = /^\/v1\/evaluation\/([^/]+)\/allocations$/.exec(p))) return only(isRead), this.evalAllocs(ctx, r[1]);
    if ((r = /^\/v1\/evaluation\/([^/]+)$/.exec(p))) return only(isRead), this.getEval(ctx, r[1]);
    if (p === '/v1/deployments') return only(isRead), this.listDeployments(ctx);
    if ((r = /^\/v1\/deployment\/allocations\/([^/]+)$/.exec(p))) return only(isRead), this.deploymentAllocs(ctx, r[1]);
    if ((r = /^\/v1\/deployment\/([^/]+)$/.exec(p))) return only(isRead), this.getDeployment(ctx, r[1]);
    if ((r = /^\/v1\/client\/allocation\/([^/]+)\/restart$/.exec(p))) return only(isWrite), this.restartAlloc(ctx, r[1]);
    if ((r = /^\/v1\/client\/allocation\/([^/]+)\/stats$/.exec(p))) return only(isRead), this.allocStats(ctx, r[1]);
    if ((r = /^\/v1\/client\/fs\/logs\/([^/]+)$/.exec(p))) return only(isRead), this.logs(ctx, r[1]);
    if (p === '/v1/search') return only(isWrite), this.search(ctx);
    if (p === '/v1/acl/bootstrap') return only(isWrite), this.aclBootstrap(ctx);
    if (p === '/v1/acl/policies') return only(isRead), this.aclPolicies(ctx);
    if ((r = /^\/v1\/acl\/policy\/(.+)$/.exec(p))) return this.aclPolicy(ctx, r[1]);
    if (p === '/v1/acl/token/self') return only(isRead), this.aclSelf(ctx);
    if (p === '/v1/acl/token' || p === '/v1/acl/tokens') {
      if (p === '/v1/acl/tokens') return only(isRead), this.aclTokens(ctx);
      return only(isWrite), this.aclCreateToken(ctx);
    }
    ctx.res.writeHead(404, { 'Content-Length': 0 }).end();
  }

  // ------------------------------------------------------------------ agent, namespaces, nodes

  private agentSelf(ctx: Ctx): void {
    if (!this.acl.allowScope(ctx.token, 'agent', false)) this.deny();
    const version = this.opts.version ?? '1.10.5';
    const name = `nomad-sim.${this.opts.region}`;
    this.send(ctx, {
      config: {
        Region: this.opts.region, Datacenter: this.opts.datacenter, NodeName: 'nomad-sim', DataDir: '', LogLevel: 'INFO',
        BindAddr: this.opts.host ?? '127.0.0.1', EnableDebug: false,
        Ports: { HTTP: Number(this.httpAddr.split(':').pop()), RPC: 4647, Serf: 4648 },
        Addresses: { HTTP: this.opts.host ?? '127.0.0.1', RPC: this.opts.host ?? '127.0.0.1', Serf: this.opts.host ?? '127.0.0.1' },
        Version: { Version: version, VersionPrerelease: '', VersionMetadata: 'sim', Revision: 'simulator', BuildDate: '2026-01-01T00:00:00Z' },
        ACL: { Enabled: this.acl.enabled, TokenTTL: 30_000_000_000, PolicyTTL: 30_000_000_000, RoleTTL: 30_000_000_000, ReplicationToken: '' },
        Server: { Enabled: true, BootstrapExpect: 1 }, Client: { Enabled: true }, DevMode: true,
      },
      member: {
        Name: name, Addr: this.opts.host ?? '127.0.0.1', Port: 4648, Status: 'alive',
        Tags: { region: this.opts.region, dc: this.opts.datacenter, build: version, role: 'nomad', bootstrap: '1', expect: '1', port: '4647', vsn: '1', mvn: '1', raft_vsn: '3' },
        ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
      },
      stats: { nomad: { server: 'true', leader: 'true', bootstrap: 'false', known_regions: '1' }, runtime: { arch: process.arch, version: 'go1.24.5' } },
    });
  }

  /** `nomad server members`: this single server. */
  private agentMembers(ctx: Ctx): void {
    if (!this.acl.allowScope(ctx.token, 'node', false)) this.deny();
    const host = this.opts.host ?? '127.0.0.1';
    this.send(ctx, {
      ServerName: 'nomad-sim', ServerRegion: this.opts.region, ServerDC: this.opts.datacenter,
      Members: [{
        Name: `nomad-sim.${this.opts.region}`, Addr: host, Port: 4648, Status: 'alive',
        Tags: { region: this.opts.region, dc: this.opts.datacenter, build: this.opts.version ?? '1.10.5', role: 'nomad', port: '4647', bootstrap: '1', expect: '1', vsn: '1', raft_vsn: '3' },
        ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
      }],
    });
  }

  private listNamespaces(ctx: Ctx): Promise<void> {
    return this.query(ctx, () => {
      const all = [...this.state.namespaces.values()].filter((n) => this.acl.anyInNamespace(ctx.token, n.Name));
      const prefix = ctx.query.get('prefix') ?? '';
      return { index: this.state.tables.namespaces, body: all.filter((n) => n.Name.startsWith(prefix)).sort((a, b) => (a.Name < b.Name ? -1 : 1)).map(nsOut) };
    });
  }

  private async namespaceRoute(ctx: Ctx, name: string | undefined): Promise<void> {
    if (ctx.method === 'GET' && name) {
      return this.query(ctx, () => {
        if (!this.acl.anyInNamespace(ctx.token, name)) this.deny();
        const ns = this.state.namespaces.get(name);
        if (!ns) throw new NomadHttpError(404, 'Namespace not found');
        return { index: ns.ModifyIndex, body: nsOut(ns) };
      });
    }
    if (ctx.method === 'DELETE' && name) {
      if (this.acl.enabled && ctx.token?.Type !== 'management') this.deny();
      this.state.deleteNamespace(name);
      return this.sendEmpty(ctx, { 'X-Nomad-Index': this.state.index });
    }
    if (!WRITE_METHODS.has(ctx.method)) throw new NomadHttpError(405, 'Invalid method');
    if (this.acl.enabled && ctx.token?.Type !== 'management') this.deny();
    const body = requireBody(ctx.body);
    const nsName = field<string>(body, 'Name');
    if (name && nsName !== name) throw new NomadHttpError(400, 'Namespace name does not match request path');
    this.state.upsertNamespace({
      Name: nsName, Description: field(body, 'Description'), Quota: field(body, 'Quota'),
      Capabilities: field(body, 'Capabilities'), Meta: field(body, 'Meta'),
    });
    this.sendEmpty(ctx, { 'X-Nomad-Index': this.state.index });
  }

  private nodeStub(n: SimState['nodes'][number], withOs: boolean, withResources: boolean): Obj {
    const updated = new Date(Date.now() - 60_000).toISOString();
    const drivers = {
      docker: { Attributes: { 'driver.docker': 'true', 'driver.docker.version': '27.3.1', 'driver.docker.bridge_ip': '172.17.0.1', 'driver.docker.runtimes': 'io.containerd.runc.v2,runc', 'driver.docker.os_type': 'linux' }, Detected: true, Healthy: true, HealthDescription: 'Healthy', UpdateTime: updated },
      exec: { Attributes: { 'driver.exec': 'true' }, Detected: true, Healthy: true, HealthDescription: 'Healthy', UpdateTime: updated },
      raw_exec: { Attributes: null, Detected: false, Healthy: false, HealthDescription: 'disabled', UpdateTime: updated },
      java: { Attributes: null, Detected: false, Healthy: false, HealthDescription: '', UpdateTime: updated },
    };
    const stub: Obj = {
      Address: n.Address, ID: n.ID, Datacenter: n.Datacenter, Name: n.Name, NodeClass: '', NodePool: 'default',
      Version: this.opts.version ?? '1.10.5', Drain: false, SchedulingEligibility: 'eligible', Status: 'ready',
      StatusDescription: '', Drivers: drivers, HostVolumes: null, LastDrain: null, CreateIndex: n.CreateIndex, ModifyIndex: n.ModifyIndex,
    };
    if (withOs) stub.Attributes = { 'os.name': 'debian', 'os.version': '12', 'kernel.name': 'linux', 'cpu.arch': 'amd64' };
    if (withResources) {
      stub.NodeResources = { Cpu: { CpuShares: n.CPU, TotalCpuCores: 4, ReservableCpuCores: [0, 1, 2, 3] }, Memory: { MemoryMB: n.MemoryMB }, Disk: { DiskMB: n.DiskMB }, Networks: null, Devices: null, NodeNetworks: null, MinDynamicPort: 20000, MaxDynamicPort: 32000 };
      stub.ReservedResources = { Cpu: { CpuShares: 0, ReservedCpuCores: null }, Memory: { MemoryMB: 0 }, Disk: { DiskMB: 0 }, Networks: { ReservedHostPorts: '' } };
    }
    return stub;
  }

  private listNodes(ctx: Ctx): Promise<void> {
    if (!this.acl.allowScope(ctx.token, 'node', false)) this.deny();
    return this.query(ctx, () => {
      const prefix = ctx.query.get('prefix') ?? '';
      const stubs = this.state.nodes.filter((n) => n.ID.startsWith(prefix)).map((n) => this.nodeStub(n, ctx.query.get('os') === 'true', ctx.query.get('resources') === 'true'));
      const { items, nextToken } = this.page(ctx, stubs, (s) => s.ID);
      return { index: this.state.tables.nodes, body: items, nextToken };
    });
  }

  private getNode(ctx: Ctx, id: string): Promise<void> {
    if (!this.acl.allowScope(ctx.token, 'node', false)) this.deny();
    return this.query(ctx, () => {
      const n = this.state.nodes.find((x) => x.ID === id);
      if (!n) throw new NomadHttpError(404, 'node not found');
      const full = this.nodeStub(n, true, true);
      return { index: n.ModifyIndex, body: { ...full, HTTPAddr: this.httpAddr, TLSEnabled: false, SecretID: '', Meta: { connect: 'false' }, Resources: null, Reserved: null, Links: null, Events: null, HostNetworks: null, StatusUpdatedAt: Math.floor(Date.now() / 1000), CSIControllerPlugins: null, CSINodePlugins: null } };
    });
  }

  // ------------------------------------------------------------------ jobs

  private jobStub(j: Job, withMeta: boolean): Obj {
    const stub: Obj = {
      ID: j.ID, ParentID: j.ParentID, Name: j.Name, Namespace: j.Namespace, Datacenters: j.Datacenters, NodePool: j.NodePool,
      Multiregion: j.Multiregion, Type: j.Type, Priority: j.Priority, Periodic: !!j.Periodic, ParameterizedJob: !!j.ParameterizedJob,
      Stop: j.Stop, Status: j.Status, StatusDescription: j.StatusDescription, JobSummary: this.state.summary(j),
      CreateIndex: j.CreateIndex, ModifyIndex: j.ModifyIndex, JobModifyIndex: j.JobModifyIndex, SubmitTime: j.SubmitTime,
    };
    if (withMeta && j.Meta && Object.keys(j.Meta).length) stub.Meta = j.Meta;
    return stub;
  }

  private listJobs(ctx: Ctx): Promise<void> {
    const ns = this.namespace(ctx);
    if (ns !== '*') this.need(ctx, ns, 'list-jobs');
    return this.query(ctx, () => {
      const prefix = ctx.query.get('prefix') ?? '';
      const jobs = this.state
        .listJobs(ns)
        .filter((j) => j.ID.startsWith(prefix))
        .filter((j) => ns !== '*' || this.acl.allowNamespace(ctx.token, j.Namespace, ['list-jobs']));
      // the filter sees the full job, the answer carries stubs
      const { items, nextToken } = this.page(ctx, jobs, (j) => `${j.Namespace}.${j.ID}`);
      return {
        index: Math.max(this.state.tables.jobs, this.state.tables.allocs),
        body: items.map((j) => this.jobStub(j, ctx.query.get('meta') === 'true')),
        nextToken,
      };
    });
  }

  private register(ctx: Ctx, pathId: string | undefined): void {
    const body = requireBody(ctx.body);
    const job = field<Obj>(body, 'Job');
    if (job !== undefined && job !== null && (typeof job !== 'object' || Array.isArray(job))) {
      throw new NomadHttpError(400, `json: cannot unmarshal ${Array.isArray(job) ? 'array' : typeof job} into Go struct field JobRegisterRequest.Job of type api.Job`);
    }
    if (!job) throw new NomadHttpError(400, 'Job must be specified');
    const id = field<string>(job, 'ID');
    if (id === undefined || id === null) throw new NomadHttpError(400, "Job ID hasn't been provided");
    if (pathId !== undefined && id !== pathId) throw new NomadHttpError(400, 'Job ID does not match name');
    const evalPriority = field<number>(body, 'EvalPriority');
    if (evalPriority !== undefined && evalPriority !== 0 && (evalPriority < 1 || evalPriority > 100)) {
      throw new NomadHttpError(400, 'Eval priority must be between 1 and 100 inclusively');
    }
    const ns = ctx.query.get('namespace') || field<string>(body, 'Namespace') || field<string>(job, 'Namespace') || 'default';
    this.need(ctx, ns, 'submit-job');
    const out = this.state.register(job, ns, {
      enforceIndex: !!field(body, 'EnforceIndex'),
      jobModifyIndex: field<number>(body, 'JobModifyIndex') ?? 0,
      evalPriority: evalPriority || undefined,
    });
    this.send(ctx, { ...out, LastContact: 0, KnownLeader: false, NextToken: '' }, this.writeHeaders(out.Index));
  }

  private async jobRoute(ctx: Ctx, rest: string): Promise<void> {
    const suffixes = ['allocations', 'evaluations', 'deployments', 'deployment', 'summary', 'versions', 'plan', 'scale', 'revert', 'dispatch', 'stable', 'evaluate', 'periodic/force', 'services', 'submission'];
    let sub = '';
    let id = rest;
    for (const s of suffixes) {
      if (rest.endsWith(`/${s}`) && rest.length > s.length + 1) {
        sub = s;
        id = rest.slice(0, -(s.length + 1));
        break;
      }
    }
    const ns = this.namespace(ctx);
    const m = ctx.method;
    const isWrite = WRITE_METHODS.has(m);
    const bad = () => { throw new NomadHttpError(405, 'Invalid method'); };
    switch (sub) {
      case '':
        if (m === 'GET') return this.getJob(ctx, ns, id);
        if (isWrite) return this.register(ctx, id);
        if (m === 'DELETE') return this.deregister(ctx, ns, id);
        return bad();
      case 'allocations':
        if (m !== 'GET') return bad();
        this.need(ctx, ns, 'read-job');
        return this.query(ctx, () => ({ index: this.state.tables.allocs, body: this.state.allocsOfJob(ns, id).sort(byCreateIndexDesc).map(allocStub) }));
      case 'evaluations':
        if (m !== 'GET') return bad();
        this.need(ctx, ns, 'read-job');
        return this.query(ctx, () => ({ index: this.state.tables.evals, body: this.state.evalsOfJob(ns, id).sort(byCreateIndexDesc) }));
      case 'deployments':
        if (m !== 'GET') return bad();
        this.need(ctx, ns, 'read-job');
        return this.query(ctx, () => ({ index: this.state.tables.deployments, body: this.state.deploymentsOfJob(ns, id).sort(byCreateIndexDesc) }));
      case 'deployment':
        if (m !== 'GET') return bad();
        this.need(ctx, ns, 'read-job');
        return this.query(ctx, () => ({ index: this.state.tables.deployments, body: this.state.deploymentsOfJob(ns, id).sort(byCreateIndexDesc)[0] ?? null }));
      case 'summary':
        if (m !== 'GET') return bad();
        this.need(ctx, ns, 'read-job');
        return this.query(ctx, () => {
          const job = this.state.getJob(ns, id);
          if (!job) throw new NomadHttpError(404, 'job not found');
          const s = this.state.summary(job);
          return { index: s.ModifyIndex, body: s };
        });
      case 'versions':
        if (m !== 'GET') return bad();
        this.need(ctx, ns, 'read-job');
        return this.query(ctx, () => {
          const versions = this.state.getVersions(ns, id);
          if (!versions) throw new NomadHttpError(404, 'job versions not found');
          return { index: versions[0].ModifyIndex, body: { Versions: versions, Diffs: null, Index: this.state.tables.jobs, LastContact: 0, KnownLeader: true, NextToken: '' } };
        });
      case 'plan':
        if (!isWrite) return bad();
        return this.plan(ctx, ns, id);
      case 'scale':
        if (m === 'GET') return this.getScale(ctx, ns, id);
        if (isWrite) return this.postScale(ctx, ns, id);
        return bad();
      case 'revert':
        if (!isWrite) return bad();
        return this.revert(ctx, ns, id);
      case 'evaluate': {
        if (!isWrite) return bad();
        this.need(ctx, ns, 'read-job', 'submit-job');
        const job = this.state.getJob(ns, id);
        if (!job) throw new NomadHttpError(404, 'job not found');
        const out = this.state.register(job, ns);
        return this.send(ctx, out, this.writeHeaders(out.Index));
      }
      case 'services':
        if (m !== 'GET') return bad();
        this.need(ctx, ns, 'read-job');
        // the simulator registers no services, as a cluster without Consul or Nomad services would
        return this.query(ctx, () => ({ index: this.state.tables.jobs, body: [] }));
      case 'stable': {
        if (!isWrite) return bad();
        this.need(ctx, ns, 'submit-job');
        const body = requireBody(ctx.body);
        const jobId = field<string>(body, 'JobID');
        if (!jobId) throw new NomadHttpError(400, 'JobID must be specified');
        if (jobId !== id) throw new NomadHttpError(400, 'Job ID does not match');
        const out = this.state.setStability(ns, id, field<number>(body, 'JobVersion') ?? 0, !!field(body, 'Stable'));
        return this.send(ctx, out, this.writeHeaders(out.Index));
      }
      case 'dispatch':
      case 'periodic/force': {
        if (!isWrite) return bad();
        this.need(ctx, ns, sub === 'dispatch' ? 'dispatch-job' : 'submit-job');
        const job = this.state.getJob(ns, id);
        if (sub === 'dispatch') {
          if (!job) throw new NomadHttpError(500, 'parameterized job not found');
          if (!job.ParameterizedJob) throw new NomadHttpError(500, `Specified job "${id}" is not a parameterized job`);
        } else {
          if (!job) throw new NomadHttpError(404, 'job not found');
          if (!job.Periodic) throw new NomadHttpError(500, "can't force run non-periodic job");
        }
        throw new NomadHttpError(501, `the simulator does not run ${sub === 'dispatch' ? 'parameterized' : 'periodic'} jobs`);
      }
      case 'submission':
        if (m !== 'GET') return bad();
        throw new NomadHttpError(501, `endpoint /v1/job/:id/${sub} is not implemented by the simulator`);
      default:
        throw new NomadHttpError(501, `endpoint /v1/job/:id/${sub} is not implemented by the simulator`);
    }
  }

  private getJob(ctx: Ctx, ns: string, id: string): Promise<void> {
    this.need(ctx, ns, 'read-job');
    return this.query(ctx, () => {
      const job = this.state.getJob(ns, id);
      if (!job) throw new NomadHttpError(404, 'job not found');
      return { index: job.ModifyIndex, body: job };
    });
  }

  private deregister(ctx: Ctx, ns: string, id: string): void {
    this.need(ctx, ns, 'submit-job');
    const ep = ctx.query.get('eval_priority');
    if (ep !== null && ep !== '' && (!/^\d+$/.test(ep) || Number(ep) < 1 || Number(ep) > 100)) {
      throw new NomadHttpError(400, 'Eval priority must be between 1 and 100 inclusively');
    }
    const out = this.state.deregister(ns, id, parseBool(ctx.query.get('purge') ?? undefined));
    this.send(ctx, { ...out, LastContact: 0, KnownLeader: false, NextToken: '' }, this.writeHeaders(out.Index));
  }

  private plan(ctx: Ctx, ns: string, id: string): void {
    this.need(ctx, ns, 'submit-job');
    const body = requireBody(ctx.body);
    const job = field<Obj>(body, 'Job');
    if (!job) throw new NomadHttpError(400, 'Job must be specified');
    const jobId = field<string>(job, 'ID');
    if (!jobId) throw new NomadHttpError(400, 'Job must have a valid ID');
    if (jobId !== id) throw new NomadHttpError(400, 'Job ID does not match');
    const existing = this.state.getJob(ns, id);
    const groups: Obj = {};
    for (const g of (field<Obj[]>(job, 'TaskGroups') ?? [])) {
      const name = field<string>(g, 'Name') ?? '';
      const count = field<number>(g, 'Count') ?? 1;
      const running = existing ? this.state.allocsOfJob(ns, id).filter((a) => a.TaskGroup === name && !allocTerminal(a)).length : 0;
      groups[name] = { Ignore: Math.min(running, count), Place: Math.max(0, count - running), Migrate: 0, Stop: Math.max(0, running - count), InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0, Disconnect: 0, Reconnect: 0, RescheduleNow: 0, RescheduleLater: 0 };
    }
    this.send(ctx, {
      Annotations: { DesiredTGUpdates: groups, PreemptedAllocs: null }, FailedTGAllocs: null,
      JobModifyIndex: existing?.JobModifyIndex ?? 0, CreatedEvals: null,
      Diff: field(body, 'Diff') ? { Type: existing ? 'Edited' : 'Added', ID: id, Fields: null, Objects: null, TaskGroups: null } : null,
      NextPeriodicLaunch: '0001-01-01T00:00:00Z', Warnings: '', Index: this.state.index,
    }, this.writeHeaders(this.state.index));
  }

  private getScale(ctx: Ctx, ns: string, id: string): Promise<void> {
    this.need(ctx, ns, 'read-job-scaling', 'read-job');
    return this.query(ctx, () => {
      const job = this.state.getJob(ns, id);
      if (!job) throw new NomadHttpError(404, 'job not found');
      const groups: Obj = {};
      for (const g of job.TaskGroups as Obj[]) {
        const allocs = this.state.allocsOfJob(ns, id).filter((a) => a.TaskGroup === g.Name && !allocTerminal(a));
        const events = this.state.scalingEvents(job, g.Name);
        groups[g.Name] = {
          Desired: g.Count, Placed: allocs.length, Running: allocs.filter((a) => a.ClientStatus === 'running').length,
          Healthy: allocs.filter((a) => a.DeploymentStatus?.Healthy === true).length,
          Unhealthy: allocs.filter((a) => a.DeploymentStatus?.Healthy === false).length,
          Events: events.length ? events : null,
        };
      }
      return { index: job.ModifyIndex, body: { JobID: id, Namespace: ns, JobCreateIndex: job.CreateIndex, JobModifyIndex: job.JobModifyIndex, JobStopped: job.Stop, TaskGroups: groups } };
    });
  }

  private postScale(ctx: Ctx, ns: string, id: string): void {
    this.need(ctx, ns, 'scale-job', 'submit-job');
    const body = requireBody(ctx.body);
    const target = field<Obj>(body, 'Target') ?? {};
    const group = field<string>(target, 'Group');
    if (!group) throw new NomadHttpError(400, 'missing task group name for scaling action');
    const targetJob = field<string>(target, 'Job');
    if (targetJob && targetJob !== id) throw new NomadHttpError(400, 'job ID in payload did not match URL');
    const count = field<number | null>(body, 'Count');
    const out = this.state.scale(ns, id, group, count ?? null, field<string>(body, 'Message') ?? '', !!field(body, 'Error'), field<Obj>(body, 'Meta') ?? null);
    this.send(ctx, { ...out, LastContact: 0, KnownLeader: false, NextToken: '' }, this.writeHeaders(out.Index));
  }

  private revert(ctx: Ctx, ns: string, id: string): void {
    this.need(ctx, ns, 'submit-job');
    const body = requireBody(ctx.body);
    const jobId = field<string>(body, 'JobID');
    if (!jobId) throw new NomadHttpError(400, 'JobID must be specified');
    if (jobId !== id) throw new NomadHttpError(400, 'Job ID does not match');
    const out = this.state.revert(ns, id, field<number>(body, 'JobVersion') ?? 0, field<number | null>(body, 'EnforcePriorVersion'));
    this.send(ctx, { ...out, LastContact: 0, KnownLeader: true, NextToken: '' }, this.writeHeaders(out.Index, true));
  }

  private parse(ctx: Ctx): void {
    const ns = this.namespace(ctx);
    this.need(ctx, ns, 'parse-job', 'submit-job');
    const body = requireBody(ctx.body);
    if (!field<string>(body, 'JobHCL')) throw new NomadHttpError(400, 'Job spec is empty');
    throw new NomadHttpError(400, 'Failed to parse job: the simulator does not parse HCL; submit JSON jobs to /v1/jobs');
  }

  // ------------------------------------------------------------------ allocations, evaluations, deployments

  private visible(ctx: Ctx, ns: string, items: Obj[], cap: string): Obj[] {
    return items.filter((o) => (ns === '*' || o.Namespace === ns) && this.acl.allowNamespace(ctx.token, o.Namespace, [cap]));
  }

  private listAllocations(ctx: Ctx): Promise<void> {
    const ns = this.namespace(ctx);
    if (ns !== '*') this.need(ctx, ns, 'read-job');
    return this.query(ctx, () => {
      const prefix = ctx.query.get('prefix') ?? '';
      const withResources = ctx.query.get('resources') === 'true';
      const withTaskStates = ctx.query.get('task_states') !== 'false';
      const list = this.visible(ctx, ns, [...this.state.allocs.values()], 'read-job')
        .filter((a) => a.ID.startsWith(prefix))
        .sort(byCreateIndexDesc)
        .map((a): Obj => ({ ...allocStub(a), ...(withTaskStates ? {} : { TaskStates: null }), ...(withResources ? { AllocatedResources: a.AllocatedResources } : {}) }));
      const { items, nextToken } = this.page(ctx, list, (a) => a.ID);
      return { index: this.state.tables.allocs, body: items, nextToken };
    });
  }

  private findAlloc(id: string): Obj | undefined {
    return this.state.allocs.get(id);
  }

  private getAlloc(ctx: Ctx, id: string): Promise<void> {
    return this.query(ctx, () => {
      const a = this.findAlloc(id);
      if (!a) throw new NomadHttpError(404, 'alloc not found');
      this.need(ctx, a.Namespace, 'read-job');
      return { index: a.ModifyIndex, body: allocOut(a) };
    });
  }

  private stopAlloc(ctx: Ctx, id: string): void {
    const a = this.findAlloc(id);
    if (!a) throw new NomadHttpError(404, 'allocation not found');
    this.need(ctx, a.Namespace, 'alloc-lifecycle');
    const out = this.state.stopAllocation(id);
    this.send(ctx, out, this.writeHeaders(out.Index));
  }

  private restartAlloc(ctx: Ctx, id: string): void {
    const a = this.findAlloc(id);
    if (!a) throw new NomadHttpError(404, `Unknown allocation "${id}"`);
    this.need(ctx, a.Namespace, 'alloc-lifecycle');
    const body = ctx.body ?? {};
    const out = this.state.restartAllocation(id, field<string>(body, 'TaskName') ?? '', !!field(body, 'AllTasks'));
    this.send(ctx, out);
  }

  private listEvals(ctx: Ctx): Promise<void> {
    const ns = this.namespace(ctx);
    if (ns !== '*') this.need(ctx, ns, 'read-job');
    return this.query(ctx, () => {
      const prefix = ctx.query.get('prefix') ?? '';
      const list = this.visible(ctx, ns, [...this.state.evals.values()], 'read-job').filter((e) => e.ID.startsWith(prefix)).sort(byCreateIndexDesc);
      const { items, nextToken } = this.page(ctx, list, (e) => e.ID);
      return { index: this.state.tables.evals, body: items, nextToken };
    });
  }

  private getEval(ctx: Ctx, id: string): Promise<void> {
    return this.query(ctx, () => {
      const ev = this.state.evals.get(id);
      if (!ev) throw new NomadHttpError(404, 'eval not found');
      this.need(ctx, ev.Namespace, 'read-job');
      let body = ev;
      if (ctx.query.get('related') === 'true') {
        const related = this.state.evalsOfJob(ev.Namespace, ev.JobID).filter((e) => e.ID !== ev.ID && (e.ID === ev.PreviousEval || e.ID === ev.BlockedEval || e.ID === ev.NextEval || e.PreviousEval === ev.ID));
        body = { ...ev, RelatedEvals: related.map((e) => ({ ID: e.ID, Namespace: e.Namespace, Priority: e.Priority, Type: e.Type, TriggeredBy: e.TriggeredBy, JobID: e.JobID, NodeID: e.NodeID, DeploymentID: e.DeploymentID, Status: e.Status, StatusDescription: e.StatusDescription, WaitUntil: e.WaitUntil, NextEval: e.NextEval, PreviousEval: e.PreviousEval, BlockedEval: e.BlockedEval, CreateIndex: e.CreateIndex, ModifyIndex: e.ModifyIndex, CreateTime: e.CreateTime, ModifyTime: e.ModifyTime })) };
      }
      return { index: ev.ModifyIndex, body };
    });
  }

  private evalAllocs(ctx: Ctx, id: string): Promise<void> {
    return this.query(ctx, () => {
      const ev = this.state.evals.get(id);
      if (ev) this.need(ctx, ev.Namespace, 'read-job');
      const list = [...this.state.allocs.values()].filter((a) => a.EvalID === id).map(allocStub);
      return { index: this.state.tables.allocs, body: list };
    });
  }

  private listDeployments(ctx: Ctx): Promise<void> {
    const ns = this.namespace(ctx);
    if (ns !== '*') this.need(ctx, ns, 'read-job');
    return this.query(ctx, () => {
      const list = this.visible(ctx, ns, [...this.state.deployments.values()], 'read-job').sort(byCreateIndexDesc);
      const { items, nextToken } = this.page(ctx, list, (d) => d.ID);
      return { index: this.state.tables.deployments, body: items, nextToken };
    });
  }

  private deploymentAllocs(ctx: Ctx, id: string): Promise<void> {
    return this.query(ctx, () => {
      const d = this.state.deployments.get(id);
      if (!d) throw new NomadHttpError(404, 'deployment not found');
      this.need(ctx, d.Namespace, 'read-job');
      const list = this.state.allocsOfJob(d.Namespace, d.JobID).filter((a) => a.DeploymentID === id).sort(byCreateIndexDesc).map(allocStub);
      return { index: this.state.tables.allocs, body: list };
    });
  }

  private nodeAllocs(ctx: Ctx, nodeId: string): Promise<void> {
    if (!this.acl.allowScope(ctx.token, 'node', false)) this.deny();
    return this.query(ctx, () => {
      if (!this.state.nodes.some((n) => n.ID === nodeId)) throw new NomadHttpError(404, 'node not found');
      // the full allocations, as Nomad returns them here
      const list = [...this.state.allocs.values()].filter((a) => a.NodeID === nodeId).sort(byCreateIndexDesc).map(allocOut);
      return { index: this.state.tables.allocs, body: list };
    });
  }

  /** `nomad alloc status` reads resource usage; a running task reports steady, plausible numbers. */
  private allocStats(ctx: Ctx, id: string): void {
    const a = this.findAlloc(id);
    if (!a) throw new NomadHttpError(404, `Unknown allocation "${id}"`);
    this.need(ctx, a.Namespace, 'read-job');
    if (a.ClientStatus !== 'running') throw new NomadHttpError(500, 'alloc is not running');
    const ts = nowNs();
    const usage = (cpuMhz: number, memMb: number) => ({
      MemoryStats: { RSS: Math.round(memMb * 0.35) * 1048576, Cache: 0, Swap: 0, Usage: Math.round(memMb * 0.4) * 1048576, MaxUsage: Math.round(memMb * 0.5) * 1048576, KernelUsage: 0, KernelMaxUsage: 0, Measured: ['RSS', 'Usage', 'Max Usage'] },
      CpuStats: { SystemMode: 0.4, UserMode: 1.1, TotalTicks: cpuMhz * 0.05, ThrottledPeriods: 0, ThrottledTime: 0, Percent: 1.5, Measured: ['System Mode', 'User Mode', 'Percent'] },
      DeviceStats: null,
    });
    const tasks: Obj = {};
    let cpu = 0;
    let mem = 0;
    for (const [name, r] of Object.entries(a.AllocatedResources.Tasks) as Array<[string, Obj]>) {
      cpu += r.Cpu.CpuShares;
      mem += r.Memory.MemoryMB;
      tasks[name] = { ResourceUsage: usage(r.Cpu.CpuShares, r.Memory.MemoryMB), Timestamp: ts, Pids: null };
    }
    this.send(ctx, { ResourceUsage: usage(cpu, mem), Tasks: tasks, Timestamp: ts });
  }

  private getDeployment(ctx: Ctx, id: string): Promise<void> {
    return this.query(ctx, () => {
      const d = this.state.deployments.get(id);
      if (!d) throw new NomadHttpError(404, 'deployment not found');
      this.need(ctx, d.Namespace, 'read-job');
      return { index: d.ModifyIndex, body: d };
    });
  }

  /** POST /v1/search: ID prefix search per context (`nomad status <prefix>`), 20 matches per context at most. */
  private search(ctx: Ctx): void {
    const body = requireBody(ctx.body);
    const prefix = field<string>(body, 'Prefix') ?? '';
    const context = field<string>(body, 'Context') || 'all';
    const ns = ctx.query.get('namespace') || field<string>(body, 'Namespace') || 'default';
    const contexts = ['jobs', 'allocs', 'evals', 'nodes', 'deployment', 'namespaces'];
    if (context !== 'all' && !contexts.includes(context)) throw new NomadHttpError(500, `context must be one of [${contexts.join(' ')} all]; got "${context}"`);
    const visible = (o: Obj) => (ns === '*' || o.Namespace === ns) && this.acl.allowNamespace(ctx.token, o.Namespace, ['read-job', 'list-jobs']);
    const ids: Record<string, () => string[]> = {
      jobs: () => this.state.listJobs(ns).filter((j) => this.acl.allowNamespace(ctx.token, j.Namespace, ['list-jobs'])).map((j) => j.ID),
      allocs: () => [...this.state.allocs.values()].filter(visible).map((a) => a.ID),
      evals: () => [...this.state.evals.values()].filter(visible).map((e) => e.ID),
      nodes: () => (this.acl.allowScope(ctx.token, 'node', false) ? this.state.nodes.map((n) => n.ID) : []),
      deployment: () => [...this.state.deployments.values()].filter(visible).map((d) => d.ID),
      namespaces: () => [...this.state.namespaces.keys()].filter((n) => this.acl.anyInNamespace(ctx.token, n)),
    };
    const matches: Record<string, string[]> = {};
    const truncations: Record<string, boolean> = {};
    for (const c of context === 'all' ? contexts : [context]) {
      const found = ids[c]().filter((id) => id.startsWith(prefix)).sort();
      matches[c] = found.slice(0, 20);
      truncations[c] = found.length > 20;
    }
    this.send(ctx, { Matches: matches, Truncations: truncations, Index: this.state.index, LastContact: 0, KnownLeader: true, NextToken: '' }, this.metaHeaders(this.state.index));
  }

  // ------------------------------------------------------------------ logs

  private async logs(ctx: Ctx, allocId: string): Promise<void> {
    const q = ctx.query;
    const a = this.findAlloc(allocId);
    if (!a) throw new NomadHttpError(404, `Unknown allocation "${allocId}"`);
    this.need(ctx, a.Namespace, 'read-logs', 'read-fs');
    const task = q.get('task');
    if (!task) throw new NomadHttpError(400, 'must provide task name');
    const type = q.get('type');
    if (type !== 'stdout' && type !== 'stderr') throw new NomadHttpError(400, 'must provide log type (stdout/stderr)');
    const origin = q.get('origin') || 'start';
    if (origin !== 'start' && origin !== 'end') throw new NomadHttpError(400, 'origin must be start or end');
    const offsetRaw = q.get('offset') ?? '0';
    if (!/^-?\d+$/.test(offsetRaw || '0')) throw new NomadHttpError(400, `strconv.ParseInt: parsing "${offsetRaw}": invalid syntax`);
    const offset = Number(offsetRaw || '0');
    const follow = parseBool(q.get('follow') ?? undefined);
    const plain = parseBool(q.get('plain') ?? undefined);
    const tasks = ((a.Job.TaskGroups as Obj[]).find((g) => g.Name === a.TaskGroup)?.Tasks ?? []) as Obj[];
    if (!tasks.some((t) => t.Name === task)) throw new NomadHttpError(400, `unknown task name "${task}"`);
    const file = this.state.logFile(a, task, type as LogType);
    if (!file) throw new NomadHttpError(404, `task "${task}" not started yet. No logs available`);
    const fileName = `alloc/logs/${task}.${type}.0`;
    const size = file.size();
    let pos = origin === 'end' ? Math.max(0, size - Math.max(0, offset)) : Math.min(Math.max(0, offset), size);

    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': plain ? 'text/plain; charset=utf-8' : JSON_TYPE });
    const FRAME = 64 * 1024;
    const write = (chunk: Buffer | string) =>
      res.write(chunk) ? Promise.resolve() : new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    const sendRange = async (end: number) => {
      while (pos < end && !res.destroyed) {
        const to = Math.min(end, pos + FRAME);
        const data = file.read(pos, to);
        pos = to;
        await write(plain ? data : `{"Offset":${pos},"Data":"${data.toString('base64')}","File":"${fileName}"}`);
      }
    };
    await sendRange(size);
    if (!follow) {
      res.end();
      return;
    }
    let lastHeartbeat = Date.now();
    while (!res.destroyed) {
      await new Promise((r) => setTimeout(r, 200));
      const alloc = this.findAlloc(allocId);
      const current = this.state.logFile(a, task, type as LogType);
      if (!alloc || !current || current !== file) break;
      await sendRange(file.size());
      if (!plain && Date.now() - lastHeartbeat >= 1000) {
        lastHeartbeat = Date.now();
        await write('{}');
      }
      if (allocTerminal(alloc) && alloc.TaskStates?.[task]?.State === 'dead') break;
    }
    res.end();
  }

  // ------------------------------------------------------------------ ACL

  private requireManagement(ctx: Ctx): void {
    if (!this.acl.enabled) throw new NomadHttpError(400, 'ACL support disabled');
    if (ctx.token?.Type !== 'management') this.deny();
  }

  private aclBootstrap(ctx: Ctx): void {
    if (!this.acl.enabled) throw new NomadHttpError(400, 'ACL support disabled');
    if ([...this.acl.tokens.values()].some((t) => t.Type === 'management')) {
      throw new NomadHttpError(400, 'ACL bootstrap already done (reset index: 0)');
    }
    const secret = field<string>(ctx.body ?? {}, 'BootstrapSecret');
    const t = this.acl.addToken({ Name: 'Bootstrap Token', Type: 'management' }, this.state.bump('acl'), secret || undefined);
    this.send(ctx, tokenOut(t), this.writeHeaders(this.state.index));
  }

  private aclPolicies(ctx: Ctx): void {
    this.requireManagement(ctx);
    this.send(ctx, [...this.acl.policies.values()].map((p) => ({ Name: p.Name, Description: p.Description, CreateIndex: p.CreateIndex, ModifyIndex: p.ModifyIndex })), this.metaHeaders(this.state.tables.acl));
  }

  private aclPolicy(ctx: Ctx, name: string): void {
    // Nomad switches on the verb before it asks the ACL system anything
    if (ctx.method !== 'GET' && ctx.method !== 'DELETE' && !WRITE_METHODS.has(ctx.method)) throw new NomadHttpError(405, 'Invalid method');
    this.requireManagement(ctx);
    if (ctx.method === 'GET') {
      const p = this.acl.policies.get(name);
      if (!p) throw new NomadHttpError(404, 'ACL policy not found');
      return this.send(ctx, { Name: p.Name, Description: p.Description, Rules: p.Rules, CreateIndex: p.CreateIndex, ModifyIndex: p.ModifyIndex }, this.metaHeaders(p.ModifyIndex));
    }
    if (ctx.method === 'DELETE') {
      this.acl.policies.delete(name);
      return this.sendEmpty(ctx, { 'X-Nomad-Index': this.state.bump('acl') });
    }
    if (!WRITE_METHODS.has(ctx.method)) throw new NomadHttpError(405, 'Invalid method');
    const body = requireBody(ctx.body);
    const rules = field<string>(body, 'Rules') ?? '';
    let parsed;
    try {
      parsed = parseRules(rules);
    } catch (e) {
      throw new NomadHttpError(500, multi(`Failed to parse ACL Policy: ${(e as RuleParseError).message}`));
    }
    const idx = this.state.bump('acl');
    const existing = this.acl.policies.get(name);
    this.acl.policies.set(name, { Name: name, Description: field<string>(body, 'Description') ?? '', Rules: rules, ...parsed, CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx });
    this.sendEmpty(ctx, { 'X-Nomad-Index': idx });
  }

  private aclCreateToken(ctx: Ctx): void {
    this.requireManagement(ctx);
    const body = requireBody(ctx.body);
    const type = field<string>(body, 'Type') ?? 'client';
    const policies = field<string[]>(body, 'Policies') ?? [];
    if (type === 'client' && policies.length === 0) throw new NomadHttpError(500, multi('client token missing policies'));
    const t = this.acl.addToken({ Name: field<string>(body, 'Name'), Type: type, Policies: policies }, this.state.bump('acl'));
    this.send(ctx, tokenOut(t), this.writeHeaders(this.state.index));
  }

  private aclTokens(ctx: Ctx): void {
    this.requireManagement(ctx);
    this.send(ctx, [...this.acl.tokens.values()].map((t) => ({ ...tokenOut(t), SecretID: undefined })), this.metaHeaders(this.state.tables.acl));
  }

  private aclSelf(ctx: Ctx): void {
    if (!this.acl.enabled) throw new NomadHttpError(400, 'ACL support disabled');
    if (!ctx.token) throw new NomadHttpError(404, 'ACL token not found');
    this.send(ctx, tokenOut(ctx.token), this.metaHeaders(ctx.token.ModifyIndex));
  }
}

function multi(msg: string): string {
  return `1 error occurred:\n\t* ${msg}\n\n`;
}

function tokenOut(t: AclToken) {
  return { AccessorID: t.AccessorID, SecretID: t.SecretID, Name: t.Name, Type: t.Type, Policies: t.Policies.length ? t.Policies : null, Roles: null, Global: t.Global, CreateTime: t.CreateTime, ExpirationTime: null, CreateIndex: t.CreateIndex, ModifyIndex: t.ModifyIndex };
}

function nsOut(n: SimState['namespaces'] extends Map<string, infer V> ? V : never) {
  return {
    Name: n.Name, Description: n.Description, Quota: n.Quota, Capabilities: n.Capabilities, NodePoolConfiguration: null,
    VaultConfiguration: null, ConsulConfiguration: null, Meta: n.Meta, Hash: Buffer.from(`${n.Name}:${n.ModifyIndex}`).toString('base64'),
    CreateIndex: n.CreateIndex, ModifyIndex: n.ModifyIndex,
  };
}

const byCreateIndexDesc = (a: Obj, b: Obj) => b.CreateIndex - a.CreateIndex;

/** The full allocation without the simulator's own bookkeeping. */
function allocOut(a: Obj): Obj {
  const { JobCreateIndex: _ignored, ...rest } = a;
  return rest;
}

function allocStub(a: Obj): Obj {
  return {
    ID: a.ID, EvalID: a.EvalID, Name: a.Name, Namespace: a.Namespace, NodeID: a.NodeID, NodeName: a.NodeName,
    JobID: a.JobID, JobType: a.JobType, JobVersion: a.JobVersion, TaskGroup: a.TaskGroup,
    DesiredStatus: a.DesiredStatus, DesiredDescription: a.DesiredDescription, ClientStatus: a.ClientStatus,
    ClientDescription: a.ClientDescription, DesiredTransition: a.DesiredTransition, TaskStates: a.TaskStates,
    DeploymentStatus: a.DeploymentStatus, FollowupEvalID: a.FollowupEvalID, NextAllocation: a.NextAllocation,
    RescheduleTracker: a.RescheduleTracker, PreemptedAllocations: a.PreemptedAllocations,
    PreemptedByAllocation: a.PreemptedByAllocation, CreateIndex: a.CreateIndex, ModifyIndex: a.ModifyIndex,
    CreateTime: a.CreateTime, ModifyTime: a.ModifyTime,
  };
}

function requireBody(body: unknown): Obj {
  if (body === undefined) throw new NomadHttpError(400, 'Request body is empty');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new NomadHttpError(400, `json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type struct`);
  }
  return body as Obj;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024 * 1024) throw new NomadHttpError(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    const ch = /Unexpected token '?(.)/.exec((e as Error).message)?.[1] ?? text.trim()[0];
    throw new NomadHttpError(400, `invalid character '${ch}' looking for beginning of value`);
  }
}
