import { JobAcl, parseRules, RuleParseError } from '../acl';
import { needManagement } from '../http/access';
import { requireBody } from '../http/context';
import { metaHeaders, sendEmpty, sendJson, writeHeaders } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { field, multiError, NomadHttpError } from '../wire';
import { tokenOut } from './views';

/** /v1/acl/bootstrap, /v1/acl/policies, /v1/acl/policy/:name, /v1/acl/token(s), /v1/acl/token/self. */
export function aclRoutes(r: Router, sim: Sim): void {
  const { acl } = sim;
  const { store } = sim.state;

  r.write('/v1/acl/bootstrap', (ctx) => {
    if (!acl.enabled) throw new NomadHttpError(400, 'ACL support disabled');
    if ([...acl.tokens.values()].some((t) => t.Type === 'management')) {
      throw new NomadHttpError(400, 'ACL bootstrap already done (reset index: 0)');
    }
    const secret = field<string>(ctx.body ?? {}, 'BootstrapSecret');
    const t = acl.addToken({ Name: 'Bootstrap Token', Type: 'management' }, store.bump('acl'), secret || undefined);
    sendJson(ctx, tokenOut(t), writeHeaders(store.index));
  }, { anyToken: true });

  r.get('/v1/acl/policies', (ctx) => {
    needManagement(acl, ctx);
    const list = [...acl.policies.values()].map((p) => ({ Name: p.Name, Description: p.Description, CreateIndex: p.CreateIndex, ModifyIndex: p.ModifyIndex }));
    sendJson(ctx, list, metaHeaders(store.tables.acl));
  });

  r.get('/v1/acl/policy/:name', (ctx) => {
    needManagement(acl, ctx);
    const p = acl.policies.get(ctx.params.name);
    if (!p) throw new NomadHttpError(404, 'ACL policy not found');
    sendJson(ctx, { Name: p.Name, Description: p.Description, Rules: p.Rules, JobACL: p.JobACL, CreateIndex: p.CreateIndex, ModifyIndex: p.ModifyIndex }, metaHeaders(p.ModifyIndex));
  });

  r.delete('/v1/acl/policy/:name', (ctx) => {
    needManagement(acl, ctx);
    acl.policies.delete(ctx.params.name);
    sendEmpty(ctx, { 'X-Nomad-Index': store.bump('acl') });
  });

  r.write('/v1/acl/policy/:name', (ctx) => {
    needManagement(acl, ctx);
    const name = ctx.params.name;
    const body = requireBody(ctx.body);
    const rules = field<string>(body, 'Rules') ?? '';
    let parsed;
    try {
      parsed = parseRules(rules);
    } catch (e) {
      throw new NomadHttpError(500, multiError([`Failed to parse ACL Policy: ${(e as RuleParseError).message}`]));
    }
    const jobAcl = jobAclOf(body);
    const idx = store.bump('acl');
    const existing = acl.policies.get(name);
    acl.policies.set(name, { Name: name, Description: field<string>(body, 'Description') ?? '', Rules: rules, JobACL: jobAcl, ...parsed, CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx });
    sendEmpty(ctx, { 'X-Nomad-Index': idx });
  });

  r.write('/v1/acl/token', (ctx) => {
    needManagement(acl, ctx);
    const body = requireBody(ctx.body);
    const type = field<string>(body, 'Type') ?? 'client';
    const policies = field<string[]>(body, 'Policies') ?? [];
    if (type === 'client' && policies.length === 0) throw new NomadHttpError(500, multiError(['client token missing policies']));
    const t = acl.addToken({ Name: field<string>(body, 'Name'), Type: type, Policies: policies }, store.bump('acl'));
    sendJson(ctx, tokenOut(t), writeHeaders(store.index));
  });

  r.get('/v1/acl/tokens', (ctx) => {
    needManagement(acl, ctx);
    // secrets are never listed
    sendJson(ctx, [...acl.tokens.values()].map((t) => ({ ...tokenOut(t), SecretID: undefined })), metaHeaders(store.tables.acl));
  });

  r.get('/v1/acl/token/self', (ctx) => {
    if (!acl.enabled) throw new NomadHttpError(400, 'ACL support disabled');
    // a workload identity is verified, but is no ACL token (Nomad's aclTokenSelf: Identity.ACLToken is nil)
    if (!ctx.token || ctx.token.workload) throw new NomadHttpError(404, 'ACL token not found');
    sendJson(ctx, tokenOut(ctx.token), metaHeaders(ctx.token.ModifyIndex));
  });
}

/** A policy's JobACL (attached to a job's workloads), validated as Nomad's ACLPolicy.Validate does. */
function jobAclOf(body: Record<string, unknown>): JobAcl | null {
  const raw = field<Record<string, unknown> | null>(body, 'JobACL');
  if (!raw) return null;
  const text = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const j: JobAcl = { Namespace: text('Namespace'), JobID: text('JobID'), Group: text('Group'), Task: text('Task') };
  const problems: string[] = [];
  if (j.JobID && !j.Namespace) problems.push('namespace must be set to set job ID');
  if (j.Group && !j.JobID) problems.push('job ID must be set to set group');
  if (j.Task && !j.Group) problems.push('group must be set to set task');
  // ACL.UpsertPolicies: "policy <index> invalid: <go-multierror text>" as a 400
  if (problems.length) throw new NomadHttpError(400, `policy 0 invalid: ${multiError(problems)}`);
  return j;
}
