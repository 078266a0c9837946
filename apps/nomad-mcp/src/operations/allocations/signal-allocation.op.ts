import { NomadAllocationsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { allocationConflict, allocLabel, findAllocation, jobModifyIndex, runningTasks, taskWords } from './allocation-target';
import { AllocationActionResult, ENDING_SIGNALS, SignalAllocationDto } from './dto/allocation-actions.dto';

@Operation({
  name: 'signal_allocation',
  title: 'Signal an allocation',
  description:
    'Send a signal to the tasks of one allocation (like `nomad alloc signal`): SIGHUP, SIGUSR1, SIGUSR2 or SIGWINCH for programs that handle ' +
    'them (reload the configuration, reopen logs); SIGINT, SIGTERM, SIGQUIT or SIGKILL end the process and Nomad restarts the task, so confirm ' +
    'those with the user. Give task to signal one task; left out, every running task. Takes a full allocation ID or a unique prefix of 8+ hex ' +
    'characters. Follow with get_allocation (its events show "Signaling").',
  input: SignalAllocationDto,
  output: AllocationActionResult,
  annotations: { readOnly: false, destructive: true, idempotent: false },
  permission: 'operate',
  nomadCapability: 'alloc-lifecycle',
  order: 812,
  rest: { method: 'POST', path: 'allocations/:alloc_id/signal' },
})
export class SignalAllocationOp implements OperationHandler<SignalAllocationDto, AllocationActionResult> {
  constructor(
    private readonly allocations: NomadAllocationsApi,
    private readonly jobs: NomadJobsApi,
  ) {}

  async plan(ctx: OperationContext, dto: SignalAllocationDto): Promise<ChangePlan> {
    const { a, tasks } = await this.target(ctx, dto);
    const ends = ENDING_SIGNALS.has(dto.signal);
    return {
      summary: `send ${dto.signal} to ${taskWords(tasks)} of ${allocLabel(a)}: ` +
        (ends
          ? `${tasks.length === 1 ? 'its process ends' : 'their processes end'} and Nomad restarts ${tasks.length === 1 ? 'it' : 'them'} per the restart policy, serving nothing meanwhile.`
          : `a program that handles it reloads its configuration or reopens its logs; one that does not may exit, and Nomad restarts it.`),
      destructive: ends,
      modify_index: await jobModifyIndex(this.jobs, a),
      details: { alloc_id: a.ID, job_id: a.JobID, namespace: a.Namespace, signal: dto.signal, tasks },
    };
  }

  async run(ctx: OperationContext, dto: SignalAllocationDto): Promise<AllocationActionResult> {
    const { a, tasks } = await this.target(ctx, dto);
    // Nomad's "every task" includes tasks that are not running (a finished prestart task), and refuses for
    // those: then each running task is signalled by name
    const all = Object.keys(a.TaskStates ?? {}).length === tasks.length;
    for (const task of dto.task || all ? [dto.task ?? ''] : tasks) {
      await this.allocations.signal(a.ID, dto.signal, task).catch((err) => {
        throw allocationConflict(err, a, 'signalled');
      });
    }
    const after = ENDING_SIGNALS.has(dto.signal) ? `Nomad restarts ${tasks.length === 1 ? 'it' : 'them'} per the restart policy` : 'it is up to the program what it does';
    return {
      message: `Sent ${dto.signal} to ${taskWords(tasks)} of ${allocLabel(a)}; ${after}. Follow with get_allocation to see its events.`,
      alloc_id: a.ID, namespace: a.Namespace, job_id: a.JobID, action: 'signal', tasks, signal: dto.signal, eval_id: null,
    };
  }

  private async target(ctx: OperationContext, dto: SignalAllocationDto) {
    const a = await findAllocation(ctx, this.allocations, dto.alloc_id);
    ctx.note({ job: a.JobID });
    return { a, tasks: runningTasks(a, dto.task, 'signalled') };
  }
}
