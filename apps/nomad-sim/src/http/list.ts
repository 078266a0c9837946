import { need } from './access';
import { blockingQuery } from './blocking';
import type { RequestContext } from './context';
import { namespaceOf, queryOptions } from './query-options';
import type { Sim } from './sim';
import { uuidPrefixMatcher } from './uuid-prefix';

/**
 * The one list handler behind every list endpoint, in Nomad's order: the namespace (`*` = every one the
 * token may see), the ACL check, `?prefix`, then `?filter`, `?reverse` and paging (`?per_page`,
 * `?next_token`, X-Nomad-Nexttoken), answered as a blocking query on the list's table index.
 */
export interface ListSpec<T> {
  /** X-Nomad-Index of the list: the index of the table(s) it reads */
  index(): number;
  /** the candidates in answer order; a namespaced list gets the request namespace ('*' = all) */
  items(ns: string): readonly T[];
  access: NamespaceAccess<T> | ClusterAccess<T>;
  /** the endpoint's own query filters (/v1/evaluations: ?status, ?job), applied with ?prefix */
  where?(item: T, ctx: RequestContext): boolean;
  /** what ?prefix matches; without it the list takes no prefix */
  prefixOf?(item: T): string;
  /** ?prefix is a UUID prefix, matched as Nomad's UUID index does (uuid-prefix.ts); the text its lookup errors start with */
  uuidPrefix?: { lookupFailed: string };
  /** the answer order, when it depends on the request (default: the order of items()) */
  order?(items: T[], ctx: RequestContext): T[];
  /** ?filter, ?reverse and paging; without it the list is answered whole */
  paging?: {
    /** the token of an item: X-Nomad-Nexttoken names the first item of the next page */
    token(item: T, ctx: RequestContext): string;
    /** how an item's token compares with ?next_token (default: as strings) */
    compare?(item: T, target: string, ctx: RequestContext): number;
    /** the full object ?filter is evaluated on, when the stored item is not already it (default: the item) */
    filterOn?(item: T, ctx: RequestContext): unknown;
  };
  /** the wire shape of an item */
  render(item: T, ctx: RequestContext): unknown;
}

/** A namespaced list: `capability` in the request namespace up front, then in each item's namespace. */
export interface NamespaceAccess<T> {
  capability: string;
  namespaceOf(item: T): string;
}

/** A cluster-wide list: a check up front, then an optional per-item visibility. */
export interface ClusterAccess<T> {
  check?(ctx: RequestContext): void;
  visible?(ctx: RequestContext, item: T): boolean;
}

export function listHandler<T>(sim: Sim, spec: ListSpec<T>) {
  return (ctx: RequestContext): Promise<void> => {
    const access = spec.access;
    const namespaced = 'capability' in access;
    const ns = namespaced ? namespaceOf(ctx) : '';
    if (namespaced && ns !== '*') need(sim.acl, ctx, ns, access.capability);
    if (!namespaced) access.check?.(ctx);
    const visible = (item: T) =>
      namespaced ? sim.acl.allowNamespace(ctx.token, access.namespaceOf(item), [access.capability]) : (access.visible?.(ctx, item) ?? true);
    return blockingQuery(
      ctx,
      sim.state.store,
      sim.agent.maxWaitMs,
      () => {
        const prefix = ctx.query.get('prefix') ?? '';
        const matches = spec.prefixOf && prefix && spec.uuidPrefix ? uuidPrefixMatcher(prefix, spec.uuidPrefix.lookupFailed) : undefined;
        const keep = (i: T) =>
          visible(i) &&
          (spec.where?.(i, ctx) ?? true) &&
          (!spec.prefixOf || (matches ? matches(spec.prefixOf(i)) : spec.prefixOf(i).startsWith(prefix)));
        const candidates = spec.items(ns);
        if (!spec.paging) return { index: spec.index(), body: candidates.filter(keep).map((i) => spec.render(i, ctx)) };
        // a list whose order depends on the request is sorted whole; one kept in answer order is paged as it is walked
        const { items, nextToken } = spec.order
          ? page(ctx, sim.agent.maxWaitMs, spec.order(candidates.filter(keep), ctx), () => true, spec.paging)
          : page(ctx, sim.agent.maxWaitMs, candidates, keep, spec.paging);
        return { index: spec.index(), body: items.map((i) => spec.render(i, ctx)), nextToken };
      },
      () => spec.index(),
    );
  };
}

/**
 * ?filter, ?reverse, ?next_token and ?per_page over items in answer order, of which `keep` says which are
 * candidates. Walks only as far as the page needs (per_page + 1 matches), so a first page of 10,000 jobs
 * costs what a page costs.
 */
function page<T>(
  ctx: RequestContext,
  maxWaitMs: number,
  items: readonly T[],
  keep: (item: T) => boolean,
  paging: NonNullable<ListSpec<T>['paging']>,
): { items: T[]; nextToken?: string } {
  const o = queryOptions(ctx, maxWaitMs);
  const subject = paging.filterOn ?? ((i: T) => i);
  const compare = paging.compare ?? ((i: T, target: string) => cmp(paging.token(i, ctx), target));
  const want = o.perPage > 0 ? o.perPage + 1 : Infinity;
  const out: T[] = [];
  for (let k = 0; k < items.length && out.length < want; k++) {
    const i = items[o.reverse ? items.length - 1 - k : k];
    if (!keep(i)) continue;
    if (o.filter && !o.filter(subject(i, ctx))) continue;
    if (o.nextToken && (o.reverse ? compare(i, o.nextToken, ctx) > 0 : compare(i, o.nextToken, ctx) < 0)) continue;
    out.push(i);
  }
  if (o.perPage > 0 && out.length > o.perPage) return { items: out.slice(0, o.perPage), nextToken: paging.token(out[o.perPage], ctx) };
  return { items: out };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type Indexed = { ID: string; CreateIndex: number };

/**
 * Nomad's order for allocations, evaluations and deployments (nomad/state/paginator): with ?prefix by ID,
 * paged by ID; otherwise oldest first by CreateIndex, paged by `<CreateIndex>.<ID>` tokens compared
 * number first (a token that is not of that form compares as a string).
 */
export function createIndexOrder<T extends Indexed>(filterOn?: (item: T) => unknown): Pick<ListSpec<T>, 'order' | 'paging'> {
  const byId = (ctx: RequestContext) => !!ctx.query.get('prefix');
  return {
    order: (items, ctx) => [...items].sort(byId(ctx) ? (a, b) => cmp(a.ID, b.ID) : (a, b) => a.CreateIndex - b.CreateIndex || cmp(a.ID, b.ID)),
    paging: {
      token: (i, ctx) => (byId(ctx) ? i.ID : `${i.CreateIndex}.${i.ID}`),
      compare: (i, target, ctx) => (byId(ctx) ? cmp(i.ID, target) : compareCreateIndexToken(i, target)),
      filterOn,
    },
  };
}

function compareCreateIndexToken(i: Indexed, target: string): number {
  const dot = target.indexOf('.');
  const head = target.slice(0, Math.max(dot, 0));
  if (dot < 0 || !/^[+-]?\d+$/.test(head)) return cmp(`${i.CreateIndex}.${i.ID}`, target);
  const index = Number(head);
  return i.CreateIndex !== index ? Math.sign(i.CreateIndex - index) : cmp(i.ID, target.slice(dot + 1));
}
