import { NomadAllocationsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { allocationConflict, allocLabel, findAllocation, jobModifyIndex, runningTasks, taskWords } from './allocation-target';
import { AllocationActionResult, RestartAllocationDto } from './dto/allocation-actions.dto';

@Operation({
  name: 'restart_allocation',
  title: 'Restart an allocation',
  description:
    'Restart the tasks of one allocation in place (like `nomad alloc restart`): each is killed and started again on the same node, ' +
    'with no new allocation or evaluation. Give task to restart one task; left out, every running task restarts. Takes a full allocation ID ' +
    'or a unique prefix of 8+ hex characters (list_allocations shows them). The allocation serves nothing for a moment: confirm with the user. ' +
    'Fails with 409 for an allocation that is not running (the answer names its replacement). Follow with get_allocation.',
  input: RestartAllocationDto,
  output: AllocationActionResult,
  annotations: { readOnly: false, destructive: true, idempotent: false },
  permission: 'operate',
  nomadCapability: 'alloc-lifecycle',
  order: 811,
  rest: { method: 'POST', path: 'allocations/:alloc_id/restart' },
})
export class RestartAllocationOp implements OperationHandler<RestartAllocationDto, AllocationActionResult> {
  constructor(
    private readonly allocations: NomadAllocationsApi,
    private readonly jobs: NomadJobsApi,
  ) {}

  async plan(ctx: OperationContext, dto: RestartAllocationDto): Promise<ChangePlan> {
    const { a, tasks } = await this.target(ctx, dto);
    return {
      summary: `restart ${taskWords(tasks)} of ${allocLabel(a)} in place: ${tasks.length === 1 ? 'it is' : 'they are'} killed and started again on the same node, serving nothing for a moment.`,
      destructive: true,
      modify_index: await jobModifyIndex(this.jobs, a),
      details: { alloc_id: a.ID, job_id: a.JobID, namespace: a.Namespace, tasks },
    };
  }

  async run(ctx: OperationContext, dto: RestartAllocationDto): Promise<AllocationActionResult> {
    const { a, tasks } = await this.target(ctx, dto);
    await this.allocations.restart(a.ID, dto.task ?? '').catch((err) => {
      throw allocationConflict(err, a, 'restarted');
    });
    return {
      message: `Restarted ${taskWords(tasks)} of ${allocLabel(a)} in place. Follow with get_allocation to see ${tasks.length === 1 ? 'it' : 'them'} running again.`,
      alloc_id: a.ID, namespace: a.Namespace, job_id: a.JobID, action: 'restart', tasks, signal: null, eval_id: null,
    };
  }

  private async target(ctx: OperationContext, dto: RestartAllocationDto) {
    const a = await findAllocation(ctx, this.allocations, dto.alloc_id);
    ctx.note({ job: a.JobID });
    return { a, tasks: runningTasks(a, dto.task, 'restarted') };
  }
}
