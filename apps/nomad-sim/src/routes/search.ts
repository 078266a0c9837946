import { requireBody } from '../http/context';
import { metaHeaders, sendJson } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { field, NomadHttpError } from '../wire';

const CONTEXTS = ['jobs', 'allocs', 'evals', 'nodes', 'deployment', 'namespaces'];
const MAX_MATCHES = 20;

/** POST /v1/search: ID prefix search per context (`nomad status <prefix>`), 20 matches per context at most. */
export function searchRoutes(r: Router, sim: Sim): void {
  const { acl } = sim;
  const { store } = sim.state;
  r.write('/v1/search', (ctx) => {
    const body = requireBody(ctx.body);
    const prefix = field<string>(body, 'Prefix') ?? '';
    const context = field<string>(body, 'Context') || 'all';
    const ns = ctx.query.get('namespace') || field<string>(body, 'Namespace') || 'default';
    if (context !== 'all' && !CONTEXTS.includes(context)) throw new NomadHttpError(500, `context must be one of [${CONTEXTS.join(' ')} all]; got "${context}"`);
    const visible = (o: { Namespace: string }) => (ns === '*' || o.Namespace === ns) && acl.allowNamespace(ctx.token, o.Namespace, ['read-job', 'list-jobs']);
    const ids: Record<string, () => string[]> = {
      jobs: () => store.listJobs(ns).filter((j) => acl.allowNamespace(ctx.token, j.Namespace, ['list-jobs'])).map((j) => j.ID),
      allocs: () => [...store.allocs.values()].filter(visible).map((a) => a.ID),
      evals: () => [...store.evals.values()].filter(visible).map((e) => e.ID),
      nodes: () => (acl.allowScope(ctx.token, 'node', false) ? store.nodes.map((n) => n.ID) : []),
      deployment: () => [...store.deployments.values()].filter(visible).map((d) => d.ID),
      namespaces: () => [...store.namespaces.keys()].filter((n) => acl.anyInNamespace(ctx.token, n)),
    };
    const matches: Record<string, string[]> = {};
    const truncations: Record<string, boolean> = {};
    for (const c of context === 'all' ? CONTEXTS : [context]) {
      const found = ids[c]().filter((id) => id.startsWith(prefix)).sort();
      matches[c] = found.slice(0, MAX_MATCHES);
      truncations[c] = found.length > MAX_MATCHES;
    }
    sendJson(ctx, { Matches: matches, Truncations: truncations, Index: store.index, LastContact: 0, KnownLeader: true, NextToken: '' }, metaHeaders(store.index));
  });
}
