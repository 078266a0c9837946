import { NomadAllocationsApi } from '@nomad-mcp/nomad';
import { nsToIso } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { clip, presentFields, shortId, table } from '../core/render';
import { findAllocation } from './allocation-target';
import { allocationSentence, allocationTasks } from './allocation-view';
import { AllocationRefDto } from './dto/allocation-query.dto';
import { AllocationResult } from './dto/allocation-results.dto';

@Operation({
  name: 'get_allocation',
  title: 'Get an allocation',
  description:
    'Look at one allocation: its tasks (state, restarts, exit code, "OOM Killed") with their last events, the resources it was given, ' +
    'its ports, node, evaluation and deployment health. Takes a full allocation ID or a unique prefix of 8+ hex characters. ' +
    'Use it to see why an allocation fails or restarts. Read-only. Fails with "not found" for an unknown ID: call list_allocations for the job.',
  input: AllocationRefDto,
  output: AllocationResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 810,
  rest: { method: 'GET', path: 'allocations/:alloc_id' },
})
export class GetAllocationOp implements OperationHandler<AllocationRefDto, AllocationResult> {
  constructor(private readonly allocations: NomadAllocationsApi) {}

  async run(ctx: OperationContext, input: AllocationRefDto): Promise<AllocationResult> {
    const a = await findAllocation(ctx, this.allocations, input.alloc_id);
    ctx.note({ job: a.JobID });
    const tasks = allocationTasks(a);
    const shared = a.AllocatedResources?.Shared;
    return {
      message: allocationSentence(a, tasks),
      alloc_id: a.ID, name: a.Name, namespace: a.Namespace, job_id: a.JobID, job_version: a.JobVersion, group: a.TaskGroup,
      node_id: a.NodeID, node_name: a.NodeName, client_status: a.ClientStatus, client_description: a.ClientDescription ?? '',
      desired_status: a.DesiredStatus, desired_description: a.DesiredDescription ?? '', eval_id: a.EvalID,
      deployment_id: a.DeploymentID || null, healthy: a.DeploymentStatus?.Healthy ?? null, canary: !!a.DeploymentStatus?.Canary,
      previous_allocation: a.PreviousAllocation || null, next_allocation: a.NextAllocation || null,
      restarts: tasks.reduce((s, t) => s + t.restarts, 0), created_at: nsToIso(a.CreateTime), modified_at: nsToIso(a.ModifyTime),
      resources: { cpu_mhz: tasks.reduce((s, t) => s + t.cpu_mhz, 0), memory_mb: tasks.reduce((s, t) => s + t.memory_mb, 0), disk_mb: shared?.DiskMB ?? 0 },
      ports: (shared?.Ports ?? []).map((p) => ({ label: p.Label, host_port: p.Value, to: p.To ?? 0, host_ip: p.HostIP || null })),
      tasks,
    };
  }

  render(r: AllocationResult): string {
    const facts = {
      job: `${r.job_id} version ${r.job_version}, group ${r.group}, namespace ${r.namespace}`,
      node: `${r.node_name} (${shortId(r.node_id)})`,
      status: `${r.client_status}${r.client_description ? ` (${r.client_description})` : ''}, desired ${r.desired_status}${r.desired_description ? ` (${r.desired_description})` : ''}`,
      deployment: r.deployment_id && `${shortId(r.deployment_id)}, ${r.healthy === null ? 'health not judged yet' : r.healthy ? 'healthy' : 'unhealthy'}${r.canary ? ', canary' : ''}`,
      eval: shortId(r.eval_id),
      resources: `${r.resources.cpu_mhz} MHz CPU, ${r.resources.memory_mb} MB memory, ${r.resources.disk_mb} MB disk`,
      ports: r.ports.map((p) => `${p.label} ${p.host_port}${p.to ? `->${p.to}` : ''}`).join(', '),
      replaces: r.previous_allocation && shortId(r.previous_allocation),
      replaced_by: r.next_allocation && shortId(r.next_allocation),
      created_at: r.created_at,
    };
    const parts = [r.message, presentFields(facts), `tasks:\n${table(r.tasks as never, ['name', 'state', 'failed', 'restarts', 'exit_code', 'oom_killed', 'cpu_mhz', 'memory_mb', 'started_at'])}`];
    for (const t of r.tasks) {
      if (!t.events.length) continue;
      const of = t.events_total > t.events.length ? `last ${t.events.length} of ${t.events_total}` : `${t.events.length}`;
      parts.push(`${t.name} events (${of}):\n${table(t.events.map((e) => ({ ...e, message: clip(e.message) })), ['time', 'type', 'message'])}`);
    }
    return parts.join('\n\n');
  }
}
