import { needScope } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { listHandler } from '../http/list';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { requireBody } from '../http/context';
import { sendJson, writeHeaders } from '../http/respond';
import type { StringMap } from '../state/types';
import { field, NomadHttpError } from '../wire';
import { allocOut, byCreateIndexDesc, nodeOut, nodeStub } from './views';

/** /v1/nodes, /v1/node/:id[/allocations]: the simulated client nodes (node:read); /v1/node/:id/{drain,eligibility} (node:write). */
export function nodeRoutes(r: Router, sim: Sim): void {
  const { store } = sim.state;
  const version = sim.agent.version;

  r.get('/v1/nodes', listHandler(sim, {
    index: () => store.tables.nodes,
    // by ID, as Nomad's node table iterates
    items: () => [...store.nodes].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0)),
    access: { check: (ctx) => needScope(sim.acl, ctx, 'node') },
    prefixOf: (n) => n.ID,
    uuidPrefix: { lookupFailed: 'node lookup failed: ' },
    // ?filter sees the full node, as Nomad's paginator does
    paging: { token: (n) => n.ID, filterOn: (n) => nodeOut(n, version, sim.httpAddr) },
    render: (n, ctx) => nodeStub(n, version, ctx.query.get('os') === 'true', ctx.query.get('resources') === 'true'),
  }));

  r.get('/v1/node/:id', (ctx) => {
    needScope(sim.acl, ctx, 'node');
    return blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
      const n = store.nodes.find((x) => x.ID === ctx.params.id);
      if (!n) throw new NomadHttpError(404, 'node not found');
      return { index: n.ModifyIndex, body: nodeOut(n, version, sim.httpAddr) };
    });
  });

  r.get('/v1/node/:id/allocations', (ctx) => {
    needScope(sim.acl, ctx, 'node');
    return blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
      const nodeId = ctx.params.id;
      if (!store.nodes.some((n) => n.ID === nodeId)) throw new NomadHttpError(404, 'node not found');
      // the full allocations, as Nomad returns them here
      const list = [...store.allocsOnNode(nodeId)].sort(byCreateIndexDesc).map(allocOut);
      return { index: store.tables.allocs, body: list };
    });
  });

  // Node.UpdateDrain: DrainSpec sets or updates the drain, null cancels it (MarkEligible then makes the node eligible)
  r.write('/v1/node/:id/drain', (ctx) => {
    needScope(sim.acl, ctx, 'node', true);
    const body = requireBody(ctx.body);
    const spec = field<Record<string, unknown> | null>(body, 'DrainSpec');
    const deadline = spec ? Number(field(spec, 'Deadline') ?? 0) : 0;
    if (spec && !Number.isInteger(deadline)) throw new NomadHttpError(400, 'json: cannot unmarshal into Go struct field DrainSpec.DrainSpec.Deadline of type time.Duration');
    const out = sim.state.nodes.updateDrain(
      ctx.params.id, spec ? { Deadline: deadline, IgnoreSystemJobs: !!field(spec, 'IgnoreSystemJobs') } : null,
      !!field(body, 'MarkEligible'), field<StringMap>(body, 'Meta') ?? null, ctx.token?.AccessorID ?? '',
    );
    sendJson(ctx, out, writeHeaders(out.Index));
  });

  r.write('/v1/node/:id/eligibility', (ctx) => {
    needScope(sim.acl, ctx, 'node', true);
    const out = sim.state.nodes.updateEligibility(ctx.params.id, field(requireBody(ctx.body), 'Eligibility'));
    sendJson(ctx, out, writeHeaders(out.Index));
  });
}
