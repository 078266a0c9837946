import { deny, needManagementIfEnabled } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { requireBody, type RequestContext } from '../http/context';
import { listHandler } from '../http/list';
import { sendEmpty } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import type { NamespaceInput } from '../state/store';
import { field, NomadHttpError } from '../wire';
import { namespaceOut } from './views';

/** /v1/namespaces, /v1/namespace[/:name]: reads need any capability in the namespace, writes a management token. */
export function namespaceRoutes(r: Router, sim: Sim): void {
  const { store } = sim.state;

  r.get('/v1/namespaces', listHandler(sim, {
    index: () => store.tables.namespaces,
    items: () => [...store.namespaces.values()].sort((a, b) => (a.Name < b.Name ? -1 : 1)),
    access: { visible: (ctx, n) => sim.acl.anyInNamespace(ctx.token, n.Name) },
    prefixOf: (n) => n.Name,
    render: namespaceOut,
  }));

  r.get('/v1/namespace/:name', (ctx) => blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
    const name = ctx.params.name;
    if (!sim.acl.anyInNamespace(ctx.token, name)) deny();
    const ns = store.namespaces.get(name);
    if (!ns) throw new NomadHttpError(404, 'Namespace not found');
    return { index: ns.ModifyIndex, body: namespaceOut(ns) };
  }));

  r.delete('/v1/namespace/:name', (ctx) => {
    needManagementIfEnabled(sim.acl, ctx);
    store.deleteNamespace(ctx.params.name);
    sendEmpty(ctx, { 'X-Nomad-Index': store.index });
  });

  const upsert = (ctx: RequestContext) => {
    needManagementIfEnabled(sim.acl, ctx);
    const body = requireBody(ctx.body);
    const name = field<string>(body, 'Name');
    if (ctx.params.name && name !== ctx.params.name) throw new NomadHttpError(400, 'Namespace name does not match request path');
    const input: NamespaceInput = {
      Name: name, Description: field(body, 'Description'), Quota: field(body, 'Quota'),
      Capabilities: field(body, 'Capabilities'), Meta: field(body, 'Meta'),
    };
    store.upsertNamespace(input);
    sendEmpty(ctx, { 'X-Nomad-Index': store.index });
  };
  r.write('/v1/namespace', upsert);
  r.write('/v1/namespace/:name', upsert);
}
