import { need } from '../http/access';
import { requireBody, type RequestContext } from '../http/context';
import { namespaceOf } from '../http/query-options';
import { sendJson, writeHeaders } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { field, NomadHttpError } from '../wire';

/**
 * /v1/job/:id/dispatch (a parameterized job's child, with meta and a base64 payload) and
 * /v1/job/:id/periodic/force (a periodic job's child now); state/job-children.ts makes the children.
 */
export function jobChildRoutes(r: Router, sim: Sim): void {
  r.write('/v1/job/:id/dispatch', (ctx) => {
    const [ns, id] = [namespaceOf(ctx), ctx.params.id];
    need(sim.acl, ctx, ns, 'dispatch-job');
    const body = requireBody(ctx.body);
    const jobId = stringField(body, 'JobID');
    if (jobId && jobId !== id) throw new NomadHttpError(400, 'Job ID does not match');
    const meta = field(body, 'Meta') ?? {};
    if (typeof meta !== 'object' || Array.isArray(meta)) throw unmarshal(meta, 'Meta', 'map[string]string');
    for (const v of Object.values(meta)) if (typeof v !== 'string') throw unmarshal(v, 'Meta', 'string');
    const priority = field(body, 'Priority') ?? 0;
    if (typeof priority !== 'number' || !Number.isInteger(priority)) throw unmarshal(priority, 'Priority', 'int');
    const out = sim.state.children.dispatch(ns, id, {
      payload: decodeBase64(field(body, 'Payload')),
      meta: meta as Record<string, string>,
      // the Go client sends the token as ?idempotency_token (WriteOptions); the query wins over the body
      idempotencyToken: ctx.query.get('idempotency_token') || stringField(body, 'IdempotencyToken'),
      idPrefixTemplate: stringField(body, 'IdPrefixTemplate'),
      priority,
    });
    sendJson(ctx, out, writeHeaders(out.Index));
  });

  r.write('/v1/job/:id/periodic/force', (ctx: RequestContext) => {
    const ns = namespaceOf(ctx);
    need(sim.acl, ctx, ns, 'dispatch-job', 'submit-job');
    const out = sim.state.children.forcePeriodic(ns, ctx.params.id);
    sendJson(ctx, out, writeHeaders(out.Index));
  });
}

function stringField(body: Record<string, unknown>, name: string): string {
  const v = field(body, name);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw unmarshal(v, name, 'string');
  return v;
}

function unmarshal(v: unknown, name: string, type: string): NomadHttpError {
  // Go names the number itself only when it does not fit an integer field
  const kind = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' && type === 'int' ? `number ${String(v)}` : typeof v;
  return new NomadHttpError(400, `json: cannot unmarshal ${kind} into Go struct field JobDispatchRequest.${name} of type ${type}`);
}

/** Go decodes a []byte field from standard base64 with padding; anything else is its 400. */
function decodeBase64(v: unknown): Buffer {
  if (v === undefined || v === null) return Buffer.alloc(0);
  if (typeof v !== 'string') throw unmarshal(v, 'Payload', '[]uint8');
  const bad = v.search(/[^A-Za-z0-9+/=]/);
  const padAt = v.indexOf('=');
  if (bad >= 0 || v.length % 4 !== 0 || (padAt >= 0 && !/^={1,2}$/.test(v.slice(padAt)))) {
    const at = bad >= 0 ? bad : padAt >= 0 && padAt < v.length - 2 ? padAt : v.length - (v.length % 4 || 4);
    throw new NomadHttpError(400, `illegal base64 data at input byte ${at}`);
  }
  return Buffer.from(v, 'base64');
}
