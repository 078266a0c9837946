import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { nomadPath, NomadCallRecord, NomadQuery, NomadTransport, scopedNomadToken, withNomadToken } from '@nomad-mcp/nomad';
import { Subject, Subscription } from 'rxjs';
import { CACHE_CONFIG, CacheConfig } from '../config/app-config';
import { Lru } from './lru';
import { Table, TableWatch } from './table-watch';

/** What a cached read is of: a label of the cache metrics (a bounded set, never an ID). */
export type CacheView = 'job_list' | 'job' | 'job_summary' | 'job_allocations' | 'job_evaluations' | 'job_deployments' | 'job_latest_deployment' | 'nodes' | 'allocations';

/**
 * How a read went: `hit` answered from memory, `shared` joined a read of the same thing already on its way
 * to Nomad, `miss` asked Nomad (and kept the answer), `bypass` asked Nomad past the cache (off, or a caller's
 * own Nomad token).
 */
export type CacheResult = 'hit' | 'shared' | 'miss' | 'bypass';

export interface CacheLookup {
  view: CacheView;
  result: CacheResult;
  /** A hit's staleness bound in ms: how long ago Nomad last confirmed what it was read under. */
  stalenessMs?: number;
}

/** Where a cached read belongs: to one job (its details share the job's place in the LRU), or a list of its own. */
export type CacheKey = { job: [namespace: string, jobId: string] } | { list: string };

interface Entry {
  value: unknown;
  /** The index of each table it was read from, as known before it was read: it is current while they hold. */
  deps: Array<[Table, number]>;
}

/** A one-item page of each table's list: its X-Nomad-Index is the table's, and the answer costs next to nothing. */
const TABLE_LISTS: Record<Table, { path: string; query: NomadQuery }> = {
  jobs: { path: nomadPath`jobs`, query: { namespace: '*', per_page: 1 } },
  allocs: { path: nomadPath`allocations`, query: { namespace: '*', per_page: 1, task_states: false } },
  evals: { path: nomadPath`evaluations`, query: { namespace: '*', per_page: 1 } },
  deployments: { path: nomadPath`deployments`, query: { namespace: '*', per_page: 1 } },
  nodes: { path: nomadPath`nodes`, query: { per_page: 1 } },
};

/** Writes that change nothing in Nomad's state: no read after them needs to wait. */
const NOT_A_CHANGE = /^\/v1\/(jobs\/parse|job\/[^/]+\/plan|search)/;
/** How long the watches other than the heartbeat (jobs) let Nomad hold their blocking queries. */
const HELD_WAIT_MS = 60_000;
/** Lists kept at once (job lists per namespace, the node list, every allocation): each can be large. */
const MAX_LISTS = 32;

/**
 * The watch cache: hot reads (job lists, a job's details, its allocations, evaluations and deployments, the
 * nodes) answered from memory while Nomad confirms they are current, shared by every caller.
 *
 * How it stays fresh: one TableWatch per Nomad table a cached read came from (jobs, allocs, evals,
 * deployments, nodes) holds a blocking query on that table's index. An entry remembers the indexes it was
 * read under; while they are unchanged and Nomad confirmed them within NOMAD_MCP_CACHE_MAX_STALE, the entry
 * is answered without asking Nomad. Any change in a table (through the service or not) moves its index, and
 * the next read of an entry from it asks Nomad again. So the number of watches is fixed (five at most), not
 * one per job, and a busy table costs no more than asking Nomad every time. The jobs watch is the heartbeat
 * (answered every 0.8 × the bound); the others hold their queries for a minute and lean on it (watch()).
 *
 * Read-your-writes: every write through the service (seen on the transport's call records) makes the next
 * read re-check the tables it depends on, unless they already passed the write's index.
 * Nomad unreachable: entries are served until their tables were confirmed longer ago than the bound, then
 * reads go to Nomad and fail as any call does. Index backwards (Nomad restarted on other state): everything
 * is dropped. Memory: job details are an LRU of NOMAD_MCP_CACHE_MAX_JOBS jobs; lists an LRU of 32. A watch no
 * read used for a minute stops, and what was read under it is dropped.
 *
 * Only calls that run with the service's own Nomad token use it: an answer read with NOMAD_TOKEN must not
 * reach a caller whose own token (identity token or passthrough) may read less. Those calls go to Nomad.
 */
@Injectable()
export class WatchCache implements OnModuleInit, OnModuleDestroy {
  readonly lookups$ = new Subject<CacheLookup>();
  /** The table whose index went backwards, each time everything was dropped for it. */
  readonly resyncs$ = new Subject<Table>();
  private readonly watches = new Map<Table, TableWatch>();
  private readonly jobs: Lru<string, Map<string, Entry>>;
  private readonly lists = new Lru<string, Entry>(MAX_LISTS);
  private readonly inFlight = new Map<string, { startedAt: number; promise: Promise<unknown> }>();
  /**
   * The background reads peek has started, by view and key: one at a time each, whatever the indexes, and the
   * earliest time (performance.now()) the next may start.
   */
  private readonly peeking = new Map<string, { busy: boolean; notBefore: number }>();
  private lastWrite = { at: -Infinity, index: 0 };
  /** Bumped on every drop: a read that started before it does not store what it read. */
  private generation = 0;
  private readonly idleMs: number;
  private sweeper?: NodeJS.Timeout;
  private subscription?: Subscription;

  constructor(
    @Inject(CACHE_CONFIG) private readonly config: CacheConfig,
    private readonly transport: NomadTransport,
  ) {
    this.jobs = new Lru(config.maxJobs);
    this.idleMs = Math.max(60_000, 30 * config.maxStaleMs);
  }

  get enabled(): boolean {
    return this.config.maxStaleMs > 0;
  }

  /** Whether this call may be answered from the cache: it is on, and the call runs with the service's own token. */
  serves(): boolean {
    return this.enabled && !scopedNomadToken();
  }

  /** Entries held now: jobs with details, and lists. */
  sizes(): { jobs: number; lists: number } {
    return { jobs: this.jobs.size, lists: this.lists.size };
  }

  /** The staleness bound of each running watch, in ms (metrics). */
  watchStaleness(): Array<[Table, number]> {
    return [...this.watches.values()].filter((w) => w.isRunning && w.known).map((w) => [w.table, w.staleness()]);
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.subscription = this.transport.calls$.subscribe((c) => this.noteCall(c));
    this.sweeper = setInterval(() => this.stopIdleWatches(), Math.min(this.idleMs / 4, 15_000)).unref();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.sweeper);
    for (const w of this.watches.values()) w.stop();
    this.lookups$.complete();
    this.resyncs$.complete();
  }

  /**
   * `fetch`'s answer, from memory when a current one is held, else from Nomad (and then held). `deps`: the
   * tables the answer is read from. Errors are never held.
   */
  async read<T>(view: CacheView, key: CacheKey, deps: Table[], fetch: () => Promise<T>): Promise<T> {
    if (!this.serves()) return this.count(view, 'bypass', fetch());
    const watches = deps.map((t) => this.watch(t));
    // not known to be current (starting and slow, lagging a write, or Nomad not answering): ask Nomad
    const current = this.current(watches);
    if (current !== true && !(await current)) return this.count(view, 'miss', fetch());
    const held = this.held<T>(view, key, watches);
    if (held) return held.value;
    const flying = this.inFlight.get(this.flightKey(view, key, watches));
    if (flying && flying.startedAt >= this.lastWrite.at) return this.count(view, 'shared', flying.promise as Promise<T>);
    return this.count(view, 'miss', this.fill(view, key, watches, fetch));
  }

  /**
   * For a read too big to make a caller wait for (a namespace's whole job list): what the cache holds when it is
   * current, else undefined — and then the read is started in the background (once), so that a later call finds
   * it. The caller meanwhile answers from Nomad more cheaply (one page).
   */
  async peek<T>(view: CacheView, key: CacheKey, deps: Table[], fetch: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (!this.serves()) return void this.lookups$.next({ view, result: 'bypass' });
    const watches = deps.map((t) => this.watch(t));
    const current = this.current(watches);
    if (current !== true && !(await current)) return void this.lookups$.next({ view, result: 'miss' });
    const held = this.held<T>(view, key, watches);
    if (held) return held;
    this.lookups$.next({ view, result: 'miss' });
    // One background read of a big list at a time, and after each a pause nine times as long as it took. While
    // its tables keep changing (a big cluster's allocations always are), a 10,000-job list read again on every
    // change would never be current when asked for, yet keep Nomad and this service parsing megabytes: this way
    // such reads take at most a tenth of the time, and pages come from Nomad (per_page) meanwhile. A list that
    // stays put is held after the first read, and a change after a quiet spell is read again at once.
    const one = readKey(view, key);
    const last = this.peeking.get(one);
    const now = performance.now();
    if (!last?.busy && (last?.notBefore ?? 0) <= now) {
      const state = { busy: true, notBefore: Infinity };
      // bounded like the lists: the entries whose pause is over say nothing any more
      if (this.peeking.size >= 64) for (const [k, v] of this.peeking) if (!v.busy && v.notBefore <= now) this.peeking.delete(k);
      this.peeking.set(one, state);
      void this.fill(view, key, watches, fetch).catch(() => undefined).finally(() => {
        const end = performance.now();
        Object.assign(state, { busy: false, notBefore: end + 9 * (end - now) });
      });
    }
    return undefined;
  }

  /** The entry when the indexes it was read under still hold (a hit, counted with its staleness). */
  private held<T>(view: CacheView, key: CacheKey, watches: TableWatch[]): { value: T } | undefined {
    const entry = this.entry(key, view);
    if (!entry || !entry.deps.every(([t, i]) => this.watches.get(t)?.index === i)) return undefined;
    const now = performance.now();
    this.lookups$.next({ view, result: 'hit', stalenessMs: Math.max(...watches.map((w) => w.staleness(now))) });
    return { value: entry.value as T };
  }

  private flightKey(view: CacheView, key: CacheKey, watches: TableWatch[]): string {
    return `${readKey(view, key)}\u0000${watches.map((w) => w.index).join('.')}`;
  }

  /** Reads from Nomad, once for all who ask meanwhile, and keeps the answer under the indexes known before it. */
  private fill<T>(view: CacheView, key: CacheKey, watches: TableWatch[], fetch: () => Promise<T>): Promise<T> {
    const flightKey = this.flightKey(view, key, watches);
    const deps: Array<[Table, number]> = watches.map((w) => [w.table, w.index]);
    const generation = this.generation;
    const promise = fetch().then((value) => {
      // frozen so that no caller sorts or edits what the next caller is answered
      if (Array.isArray(value)) Object.freeze(value);
      if (generation === this.generation && watches.every((w) => w.isRunning)) this.store(key, view, { value, deps });
      return value;
    });
    this.inFlight.set(flightKey, { startedAt: performance.now(), promise });
    promise.then(() => this.inFlight.delete(flightKey), () => this.inFlight.delete(flightKey));
    return promise;
  }

  private count<T>(view: CacheView, result: CacheResult, p: Promise<T>): Promise<T> {
    this.lookups$.next({ view, result });
    return p;
  }

  /**
   * Whether every watch knows its table's index as it is now: read after the last write through the
   * service, and confirmed by Nomad within the bound. A watch that is starting, or lags a write, is waited for
   * (at most the bound); one whose Nomad does not answer is not.
   */
  private current(watches: TableWatch[]): true | Promise<boolean> {
    // the common case, decided without a promise per table: every watch is past the last write and within the bound
    if (watches.every((w) => this.afterLastWrite(w) && w.staleness() <= this.config.maxStaleMs)) return true;
    return this.currentAfterWaiting(watches);
  }

  private afterLastWrite(w: TableWatch): boolean {
    const write = this.lastWrite;
    return w.known && (w.index >= write.index || w.answeredAfter(write.at));
  }

  private async currentAfterWaiting(watches: TableWatch[]): Promise<boolean> {
    const maxStale = this.config.maxStaleMs;
    const ok = await Promise.all(watches.map(async (w) => {
      const write = this.lastWrite;
      const afterWrite = () => this.afterLastWrite(w);
      if (!afterWrite()) {
        if (w.failing) return false;
        if (w.known) w.sync();
        if (!(await w.answeredSince(w.known ? write.at : 0, Math.max(maxStale, 250)))) return false;
      }
      return w.staleness() <= maxStale;
    }));
    return ok.every(Boolean);
  }

  /**
   * The watch of a table, started. The jobs watch is the heartbeat: its blocking queries come back every
   * 0.8 × the bound, so that Nomad not answering shows within the bound. The others hold theirs for a minute
   * and count as confirmed whenever the heartbeat is (see TableWatch.heartbeat): a quiet cluster costs one
   * request per 0.8 × the bound, not one per table.
   */
  private watch(table: Table): TableWatch {
    const heart = table === 'jobs' ? undefined : this.watch('jobs');
    let w = this.watches.get(table);
    if (!w) {
      const waitMs = heart ? HELD_WAIT_MS : Math.max(50, Math.floor(this.config.maxStaleMs * 0.8));
      w = new TableWatch(table, (o) => this.readIndex(table, o), { waitMs, onBackwards: (t) => this.dropAll(t), heartbeat: heart && (() => heart.lastAnswer()) });
      this.watches.set(table, w);
    }
    w.lastUsedAt = performance.now();
    w.start();
    return w;
  }

  /** The watches always ask with the service's own token, whoever's read started them. */
  private readIndex(table: Table, o: { index?: number; waitMs: number; signal: AbortSignal }): Promise<number> {
    const { path, query } = TABLE_LISTS[table];
    return withNomadToken(undefined, async () => {
      const res = await this.transport.json('GET', path, { query, index: o.index, waitMs: o.waitMs, signal: o.signal });
      if (res.index === undefined) throw new Error(`Nomad answered GET ${path} without X-Nomad-Index`);
      return res.index;
    });
  }

  /** A write through the service: reads after it must see it. A failed or timed-out write may have happened too. */
  private noteCall(c: NomadCallRecord): void {
    if (c.method === 'GET' || NOT_A_CHANGE.test(c.path)) return;
    const succeeded = typeof c.status === 'number' && c.status < 300;
    this.lastWrite = { at: performance.now(), index: succeeded && c.index !== undefined ? c.index : Number.MAX_SAFE_INTEGER };
  }

  private entry(key: CacheKey, view: CacheView): Entry | undefined {
    return 'job' in key ? this.jobs.get(jobKey(key.job))?.get(view) : this.lists.get(`${view}\u0000${key.list}`);
  }

  private store(key: CacheKey, view: CacheView, entry: Entry): void {
    if ('list' in key) return this.lists.set(`${view}\u0000${key.list}`, entry);
    const k = jobKey(key.job);
    const parts = this.jobs.get(k) ?? new Map<string, Entry>();
    parts.set(view, entry);
    this.jobs.set(k, parts);
  }

  private dropAll(table: Table): void {
    this.generation++;
    this.jobs.clear();
    this.lists.clear();
    this.resyncs$.next(table);
  }

  /** Watches no read used for a while stop, and what was read under them goes. */
  private stopIdleWatches(now = performance.now()): void {
    for (const w of this.watches.values()) {
      if (!w.isRunning || now - w.lastUsedAt < this.idleMs) continue;
      w.stop();
      this.generation++;
      const readUnder = (e: Entry) => e.deps.some(([t]) => t === w.table);
      this.lists.deleteWhere(readUnder);
      this.jobs.deleteWhere((parts) => {
        for (const [view, e] of parts) if (readUnder(e)) parts.delete(view);
        return parts.size === 0;
      });
    }
  }
}

function jobKey([namespace, jobId]: [string, string]): string {
  return `${namespace}\u0000${jobId}`;
}

/** A read by its view and key, whatever the indexes it is read under. */
function readKey(view: CacheView, key: CacheKey): string {
  return `${view}\u0000${JSON.stringify(key)}`;
}
