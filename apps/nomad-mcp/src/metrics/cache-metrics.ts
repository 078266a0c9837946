import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Subscription } from 'rxjs';
import { WatchCache } from '../cache/watch-cache';

/** Seconds: a hit is as stale as NOMAD_MCP_CACHE_MAX_STALE allows at most (default 1 s). */
const STALENESS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60];

/**
 * The watch cache's families: reads by view and result, how stale hits were, what is held, how far each
 * table watch lags, and how often everything was dropped because Nomad's index went backwards.
 * Registered on the service's registry; the subscriptions end with it.
 */
export function cacheMetrics(registry: Registry, cache: WatchCache): Subscription[] {
  const reads = new Counter({
    name: 'nomad_mcp_cache_requests_total',
    help: 'Reads through the watch cache, by view and result: hit (from memory), shared (joined a read already asking Nomad), miss (asked Nomad), bypass (asked Nomad past the cache: off, or a caller\'s own Nomad token).',
    labelNames: ['view', 'result'], registers: [registry],
  });
  const staleness = new Histogram({
    name: 'nomad_mcp_cache_staleness_seconds',
    help: 'How long before a cache hit Nomad last confirmed what it answered (a bound of its staleness), by view.',
    labelNames: ['view'], buckets: STALENESS_BUCKETS, registers: [registry],
  });
  new Gauge({
    name: 'nomad_mcp_cache_entries', help: 'What the watch cache holds: jobs with details (bounded by NOMAD_MCP_CACHE_MAX_JOBS) and lists.',
    labelNames: ['kind'], registers: [registry],
    collect() {
      const s = cache.sizes();
      this.set({ kind: 'jobs' }, s.jobs);
      this.set({ kind: 'lists' }, s.lists);
    },
  });
  new Gauge({
    name: 'nomad_mcp_cache_watch_staleness_seconds', help: 'Seconds since Nomad last confirmed each watched table\'s index (running watches only).',
    labelNames: ['table'], registers: [registry],
    collect() {
      this.reset();
      for (const [table, ms] of cache.watchStaleness()) this.set({ table }, ms / 1000);
    },
  });
  const resyncs = new Counter({
    name: 'nomad_mcp_cache_resyncs_total', help: 'Times the watch cache dropped everything because a table\'s index went backwards (Nomad restarted on other state), by table.',
    labelNames: ['table'], registers: [registry],
  });
  return [
    cache.lookups$.subscribe((l) => {
      reads.inc({ view: l.view, result: l.result });
      if (l.stalenessMs !== undefined) staleness.observe({ view: l.view }, l.stalenessMs / 1000);
    }),
    cache.resyncs$.subscribe((table) => resyncs.inc({ table })),
  ];
}
