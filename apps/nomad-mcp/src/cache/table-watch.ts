/** Nomad's state tables whose changes the cache follows; each cached view names the ones it is read from. */
export type Table = 'jobs' | 'allocs' | 'evals' | 'deployments' | 'nodes';

/**
 * Reads a table's X-Nomad-Index: without `index` at once, with it as a blocking query that Nomad holds until
 * the table passes that index or `waitMs` has passed.
 */
export type IndexReader = (opts: { index?: number; waitMs: number; signal: AbortSignal }) => Promise<number>;

export interface TableWatchOptions {
  /** How long Nomad may hold a blocking query; an answer comes at least this often, which bounds staleness. */
  waitMs: number;
  /** The table's index went backwards: Nomad restarted on other state (or another cluster answers now). */
  onBackwards(table: Table): void;
  /** First retry after a failure; doubled up to 2 s. */
  retryMs?: number;
  /**
   * When Nomad last answered a watch that polls often (the heartbeat): while this watch's long blocking query
   * is held, Nomad answering another one on the same address says this one is alive too, and that its table
   * has not changed since (else Nomad would have answered it). Without it, only this watch's own answers count.
   */
  heartbeat?: () => number;
  clock?: () => number;
}

const SYNC = new Error('watch cache: re-read after a write');
const STOP = new Error('watch cache: watch stopped');

/**
 * Follows one Nomad table's index with a loop of blocking queries on a one-item page of its list: a change
 * anywhere in the table answers the held query at once, and an unchanged table answers every `waitMs`. The
 * time of the last answer says how stale what the cache read under this index may be: while Nomad answers,
 * at most `waitMs` plus its jitter; when Nomad stops answering (down, hanging, restarting), ever more, until
 * the cache stops serving it. A failure is retried with a non-blocking read, so a Nomad that restarted with
 * a lower index is seen at once rather than waited on for an index it may never reach.
 */
export class TableWatch {
  /** The table's X-Nomad-Index as last read; meaningful once `known`. */
  index = 0;
  known = false;
  /** The last read failed (Nomad unreachable, refused, answered an error); it is being retried. */
  failing = false;
  /** When a read last used this watch: idle watches are stopped. */
  lastUsedAt: number;
  private running = false;
  /** Each start's loop has its own id, so a loop waking from a retry after stop() and start() ends itself. */
  private runId = 0;
  private answeredAt = -Infinity;
  /** When the request behind the last answer was sent: an answer to a request sent after a write has seen it. */
  private answeredSentAt = -Infinity;
  private controller?: AbortController;
  /** Whether the request in flight is a blocking query (held by Nomad) rather than a plain read (answered at once). */
  private holding = false;
  /** A read after a write asked while a plain read was in flight (sent maybe before the write): the next one is plain too. */
  private syncWanted = false;
  private listeners: Array<() => void> = [];
  private readonly clock: () => number;

  constructor(
    readonly table: Table,
    private readonly read: IndexReader,
    private readonly options: TableWatchOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.lastUsedAt = this.clock();
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop(++this.runId);
  }

  /** Stops the loop; what it knew is forgotten (the cache drops what it read under this watch). */
  stop(): void {
    this.running = false;
    this.known = false;
    this.failing = false;
    this.answeredAt = this.answeredSentAt = -Infinity;
    this.controller?.abort(STOP);
    this.notify();
  }

  /** Milliseconds since Nomad last confirmed the index: how old a view read under it may be. */
  staleness(now = this.clock()): number {
    return now - this.verifiedAt();
  }

  /** When the index was last known current: its own last answer, or while held and healthy, the heartbeat's. */
  private verifiedAt(): number {
    const beat = this.holding && !this.failing && this.options.heartbeat ? this.options.heartbeat() : -Infinity;
    return Math.max(this.answeredAt, beat);
  }

  /** When Nomad last answered this watch (a heartbeat for the others), or -Infinity while it fails. */
  lastAnswer(): number {
    return this.failing || !this.running ? -Infinity : this.answeredAt;
  }

  /** Whether an answer to a request sent at or after `t` has come. */
  answeredAfter(t: number): boolean {
    return this.answeredSentAt >= t;
  }

  /** Re-reads now instead of waiting out the held query: a read after a write must see the table as it is now. */
  sync(): void {
    // a plain read in flight answers at once: aborting it again for every read after a write would starve it
    if (this.holding) this.controller?.abort(SYNC);
    else this.syncWanted = true;
  }

  /** Resolves true once a request sent at or after `t` has been answered; false on a failure or after `timeoutMs`. */
  answeredSince(t: number, timeoutMs: number): Promise<boolean> {
    if (this.answeredAfter(t)) return Promise.resolve(true);
    if (!this.running) return Promise.resolve(false);
    return new Promise((resolve) => {
      const check = () => {
        if (this.answeredAfter(t)) return done(true);
        if (this.failing || !this.running) return done(false);
      };
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve(v);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.listeners.push(check);
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private async loop(id: number): Promise<void> {
    const alive = () => this.running && this.runId === id;
    let blocking = false;
    let failures = 0;
    while (alive()) {
      const controller = (this.controller = new AbortController());
      const sent = this.clock();
      const index0 = blocking && this.known && !this.syncWanted ? this.index : undefined;
      this.syncWanted = false;
      this.holding = index0 !== undefined;
      try {
        const index = await this.read({ index: index0, waitMs: this.options.waitMs, signal: controller.signal });
        if (!alive() || controller.signal.aborted) throw controller.signal.reason ?? STOP;
        if (this.known && index < this.index) this.options.onBackwards(this.table);
        this.index = index;
        this.known = true;
        this.failing = false;
        failures = 0;
        this.answeredAt = this.clock();
        this.answeredSentAt = sent;
        blocking = true;
      } catch {
        if (!alive()) break;
        // the held query was alive until now: what the heartbeat vouched for stays vouched for
        if (this.holding) this.answeredAt = this.verifiedAt();
        blocking = false;
        if (controller.signal.reason === SYNC) continue;
        this.failing = true;
        failures++;
        this.notify();
        await new Promise((r) => setTimeout(r, Math.min((this.options.retryMs ?? 100) * 2 ** (failures - 1), 2000)).unref?.());
        continue;
      } finally {
        if (this.controller === controller) {
          this.controller = undefined;
          this.holding = false;
        }
      }
      this.notify();
    }
  }
}
