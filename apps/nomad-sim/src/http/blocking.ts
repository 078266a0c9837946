import type { Store } from '../state/store';
import type { RequestContext } from './context';
import { queryOptions } from './query-options';
import { metaHeaders, sendJson } from './respond';

/** A read's answer: its index (X-Nomad-Index), body, and the next page's token when there is one. */
export interface QueryResult {
  index: number;
  body: unknown;
  nextToken?: string;
}

/**
 * Answers a read, holding it as a blocking query when ?index= is given (BEHAVIOUR.md §5): the read re-runs
 * on every change until its index passes ?index= or ?wait (plus up to wait/16 jitter) expires, then it
 * answers 200 with the current data. `indexOnly`, when given, says the read's index without building its answer.
 */
export async function blockingQuery(ctx: RequestContext, store: Store, maxWaitMs: number, run: () => QueryResult, indexOnly?: () => number): Promise<void> {
  const opts = queryOptions(ctx, maxWaitMs);
  let result = run();
  if (opts.minIndex > 0 && result.index <= opts.minIndex) {
    const wait = opts.waitMs + Math.floor(Math.random() * (opts.waitMs / 16));
    result = await new Promise<QueryResult>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        store.off('change', onChange);
        ctx.res.off('close', finish);
        try {
          resolve(run());
        } catch {
          resolve(result);
        }
      };
      const onChange = () => {
        try {
          // a list's index is cheap to read; building the whole answer on every change is not
          if ((indexOnly ? indexOnly() : run().index) > opts.minIndex) finish();
        } catch {
          finish();
        }
      };
      const timer = setTimeout(finish, wait);
      store.on('change', onChange);
      ctx.res.on('close', finish);
    });
    if (ctx.res.destroyed) return;
  }
  const headers = metaHeaders(Math.max(1, result.index));
  if (result.nextToken) headers['X-Nomad-Nexttoken'] = result.nextToken;
  sendJson(ctx, result.body, headers);
}
