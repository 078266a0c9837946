import { NomadReads } from '../../cache/nomad-reads';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { Cursor, DEFAULT_PAGE_SIZE, fitsAnswer, moreHint, page } from '../core/paging';
import { shortId, table } from '../core/render';
import { ListNodesQueryDto, ListNodesResult, NodeListItem } from './dto/node.dto';
import { nodeItem, nodesSummary, runningByNode } from './node-view';

/** Nomad's node order and tokens: by ID, the token the ID of the next page's first node. */
const BY_ID: Cursor<NodeListItem> = { token: (n) => n.id, atOrAfter: (n, token) => n.id >= token };

@Operation({
  name: 'list_nodes',
  title: 'List client nodes',
  description:
    "List the cluster's client nodes: status (ready, down…), scheduling eligibility, drain, node pool, datacenter and how many allocations run on each " +
    '(in the namespaces you may see). Pages of `limit` (default 20, fewer when that would pass 4 KB) with next_token. Use get_node for one node\'s resources, drivers and allocations. Read-only.',
  input: ListNodesQueryDto,
  output: ListNodesResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 900,
  rest: { method: 'GET', path: 'nodes' },
})
export class ListNodesOp implements OperationHandler<ListNodesQueryDto, ListNodesResult> {
  constructor(private readonly reads: NomadReads) {}

  async run(ctx: OperationContext, q: ListNodesQueryDto): Promise<ListNodesResult> {
    const [stubs, allocs] = await Promise.all([this.reads.nodes(), this.reads.allAllocations()]);
    const running = runningByNode(allocs, ctx.visible);
    const all = stubs.map((n) => nodeItem(n, running.get(n.ID) ?? 0)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const p = page(all, limit, BY_ID, q.next_token, fitsAnswer(limit, (n) => n));
    const shown = p.items.length === all.length ? '' : ` Showing ${p.items.length}.`;
    return {
      message: all.length ? `${nodesSummary(all)}.${shown}${moreHint(p, 'nodes')}` : 'The cluster has no client nodes: nothing can be placed until one joins.',
      total: all.length, count: p.items.length, nodes: p.items, next_token: p.next_token,
    };
  }

  render(r: ListNodesResult): string {
    if (!r.nodes.length) return r.message;
    const rows = r.nodes.map((n) => ({ ...n, id: shortId(n.id), drain: n.drain ? 'yes' : 'no', pool: n.node_pool, dc: n.datacenter, allocs: n.running_allocations }));
    return `${r.message}\n\n${table(rows, ['id', 'name', 'status', 'eligibility', 'drain', 'pool', 'dc', 'allocs', 'address'])}`;
  }
}
