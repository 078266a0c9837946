import { FilterError, parseFilter } from '../filter';
import { NomadHttpError, parseGoDurationMs } from '../wire';
import type { RequestContext } from './context';

/** The common query parameters of a read (BEHAVIOUR.md §4, §5). */
export interface QueryOptions {
  /** blocking query: answer once the index moves past this (0 = at once) */
  minIndex: number;
  waitMs: number;
  /** 0 = no paging */
  perPage: number;
  nextToken: string;
  filter?: (o: unknown) => boolean;
  reverse: boolean;
}

const DEFAULT_WAIT_MS = 300_000;

/**
 * Validates the common query parameters the way Nomad's parseWait/parseConsistency/parsePagination do.
 * Parsed once per request: a blocking query re-runs its read on every change.
 */
export function queryOptions(ctx: RequestContext, maxWaitMs: number): QueryOptions {
  ctx.options ??= readQueryOptions(ctx.query, maxWaitMs);
  return ctx.options;
}

function readQueryOptions(q: URLSearchParams, maxWaitMs: number): QueryOptions {
  let minIndex = 0;
  let waitMs = DEFAULT_WAIT_MS;
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
  return { minIndex, waitMs: Math.min(waitMs || DEFAULT_WAIT_MS, maxWaitMs), perPage, nextToken: q.get('next_token') ?? '', filter, reverse: q.get('reverse') === 'true' };
}

/** The request's namespace: `?namespace=`, else `default` ('*' means every namespace on list endpoints). */
export function namespaceOf(ctx: RequestContext): string {
  return ctx.query.get('namespace') || 'default';
}
