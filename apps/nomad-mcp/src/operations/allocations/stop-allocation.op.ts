import { NomadAllocationsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { shortId } from '../core/render';
import { allocLabel, allocTerminal, findAllocation, jobModifyIndex } from './allocation-target';
import { AllocationActionResult, StopAllocationDto } from './dto/allocation-actions.dto';

@Operation({
  name: 'stop_allocation',
  title: 'Stop an allocation',
  description:
    'Stop one allocation (like `nomad alloc stop`): Nomad stops its tasks and places a replacement, on this node or another, so the job keeps ' +
    'its count. Use it to move an allocation off a bad node or to replace one that misbehaves. Takes a full allocation ID or a unique prefix of ' +
    '8+ hex characters. The allocation serves nothing from then on until the replacement runs: confirm with the user. An allocation already ' +
    'stopped is left as it is. Follow with list_allocations for the job.',
  input: StopAllocationDto,
  output: AllocationActionResult,
  annotations: { readOnly: false, destructive: true, idempotent: true },
  permission: 'operate',
  nomadCapability: 'alloc-lifecycle',
  order: 813,
  rest: { method: 'POST', path: 'allocations/:alloc_id/stop' },
})
export class StopAllocationOp implements OperationHandler<StopAllocationDto, AllocationActionResult> {
  constructor(
    private readonly allocations: NomadAllocationsApi,
    private readonly jobs: NomadJobsApi,
  ) {}

  async plan(ctx: OperationContext, dto: StopAllocationDto): Promise<ChangePlan> {
    const a = await this.target(ctx, dto);
    const stopped = allocTerminal(a);
    return {
      summary: stopped
        ? `nothing: ${allocLabel(a)} is already ${a.DesiredStatus === 'run' ? a.ClientStatus : 'stopped'}.`
        : `stop ${allocLabel(a)}, now ${a.ClientStatus}: its tasks are killed and Nomad places a replacement, so it serves nothing until the replacement runs.`,
      destructive: !stopped,
      modify_index: await jobModifyIndex(this.jobs, a),
      details: { alloc_id: a.ID, job_id: a.JobID, namespace: a.Namespace, client_status: a.ClientStatus, desired_status: a.DesiredStatus },
    };
  }

  async run(ctx: OperationContext, dto: StopAllocationDto): Promise<AllocationActionResult> {
    const a = await this.target(ctx, dto);
    const base = { alloc_id: a.ID, namespace: a.Namespace, job_id: a.JobID, action: 'stop', tasks: [], signal: null };
    if (allocTerminal(a)) {
      const next = a.NextAllocation ? ` Its replacement is allocation ${shortId(a.NextAllocation)}.` : '';
      return { ...base, eval_id: null, message: `${allocLabel(a)} is already ${a.DesiredStatus === 'run' ? a.ClientStatus : 'stopped'}; nothing changed.${next} Follow with list_allocations for job '${a.JobID}'.` };
    }
    const res = await this.allocations.stop(a.ID);
    return {
      ...base, eval_id: res.EvalID || null,
      message: `Stopped ${allocLabel(a)}; evaluation ${shortId(res.EvalID)} places a replacement. Follow with list_allocations for job '${a.JobID}' to see it start.`,
    };
  }

  private async target(ctx: OperationContext, dto: StopAllocationDto) {
    const a = await findAllocation(ctx, this.allocations, dto.alloc_id);
    ctx.note({ job: a.JobID });
    return a;
  }
}
