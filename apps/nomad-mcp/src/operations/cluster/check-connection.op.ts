import { NomadConnectionCheck } from '../../health/nomad-connection.check';
import { plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { presentFields } from '../core/render';
import { CheckConnectionQueryDto, ConnectionResult } from './dto/connection.dto';

@Operation({
  name: 'check_connection',
  title: 'Check the connection to Nomad',
  description:
    'Check that the service can work with Nomad, as you call it: Nomad answers and has a leader, its region and version, the Nomad token your ' +
    "calls use (its name, management or client, its policies, when it expires), and whether the namespace (default: the service's) exists and " +
    'may be used. Each problem is a sentence saying what to fix. Call it first when other tools fail with 403, 502 or 503. Read-only.',
  input: CheckConnectionQueryDto,
  output: ConnectionResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 960,
  rest: { method: 'GET', path: 'connection' },
})
export class CheckConnectionOp implements OperationHandler<CheckConnectionQueryDto, ConnectionResult> {
  constructor(private readonly connection: NomadConnectionCheck) {}

  async run(ctx: OperationContext, q: CheckConnectionQueryDto): Promise<ConnectionResult> {
    const namespace = ctx.namespace(q.namespace);
    // the calls below carry the caller's own Nomad token when it has one: the answer is about that token
    const r = await this.connection.check({ cluster: true, namespace });
    const problems = r.findings.filter((f) => f.level === 'warn').map((f) => f.message);
    const notes = r.findings.filter((f) => f.level === 'log').map((f) => f.message);
    const as = !r.token ? (r.acl_enabled === false ? 'ACLs are off' : '') : `as ${r.token.type} token${r.token.name ? ` '${r.token.name}'` : ''}${r.token.type === 'client' ? ` (policies ${r.token.policies.join(', ') || 'none'})` : ''}`;
    const where = [r.leader && `leader ${r.leader}`, r.region && `region ${r.region}`, r.version && `Nomad ${r.version}`].filter(Boolean).join(', ');
    const message = problems.length
      ? `${plural(problems.length, 'problem')} with Nomad at ${r.address}: ${problems[0]}`
      : `Connected to Nomad at ${r.address}${where ? ` (${where})` : ''}${as ? `, ${as}` : ''}; namespace '${r.namespace}' exists.`;
    return {
      message, ok: !problems.length, address: r.address, reachable: r.reachable, leader: r.leader, region: r.region, nomad_version: r.version,
      acl_enabled: r.acl_enabled, token_source: r.token_source, token: r.token, namespace: r.namespace, namespace_exists: r.namespace_exists, problems, notes,
    };
  }

  render(r: ConnectionResult): string {
    const token = r.token && `${r.token.name || '(unnamed)'}, ${r.token.type}${r.token.policies.length ? `, policies ${r.token.policies.join(', ')}` : ''}${r.token.expires_at ? `, expires ${r.token.expires_at}` : ''}`;
    const facts = presentFields({
      address: r.address, leader: r.leader, region: r.region, nomad_version: r.nomad_version, acl: r.acl_enabled === null ? null : r.acl_enabled ? 'enabled' : 'disabled',
      token_source: r.token_source, token, namespace: `${r.namespace}${r.namespace_exists === null ? ' (not known whether it exists)' : r.namespace_exists ? ' (exists)' : ' (does not exist)'}`,
    });
    const parts = [r.message, facts];
    if (r.problems.length > 1) parts.push(`problems:\n${r.problems.map((p) => `- ${p}`).join('\n')}`);
    if (r.notes.length) parts.push(`notes:\n${r.notes.map((p) => `- ${p}`).join('\n')}`);
    return parts.join('\n\n');
  }
}
