import { BadRequestException, ConflictException } from '@nestjs/common';
import { Allocation, NomadAllocationsApi, NomadApiError, NomadJobsApi } from '@nomad-mcp/nomad';
import { findById } from '../core/find-by-id';
import { OperationContext } from '../core/operation';
import { shortId } from '../core/render';

const TERMINAL_CLIENT = new Set(['complete', 'failed', 'lost']);

/** The allocation a full ID or a unique prefix names, within the caller's namespaces; a 404 says how to find one. */
export function findAllocation(ctx: OperationContext, allocations: NomadAllocationsApi, id: string): Promise<Allocation> {
  return findById<Allocation>(ctx, id, {
    what: 'allocation', field: 'alloc_id', namespaced: true,
    get: async (full) => (await allocations.get(full)).body,
    list: async (prefix) => (await allocations.list('*', { prefix, taskStates: false })).body,
    nextStep: "Call list_allocations with the job's ID to see its allocations (get_job_status shows the most recent ones).",
  });
}

/** Nomad's terminal allocation: told to stop, or finished on its client. */
export const allocTerminal = (a: Allocation) => a.DesiredStatus !== 'run' || TERMINAL_CLIENT.has(a.ClientStatus);

/** "allocation 5457f16d (web.web[0] of job 'web', on sim-client-1)" */
export function allocLabel(a: Allocation): string {
  return `allocation ${shortId(a.ID)} (${a.Name} of job '${a.JobID}', on ${a.NodeName || shortId(a.NodeID)})`;
}

/** "task 'nginx'" or "tasks 'nginx', 'sidecar'" */
export function taskWords(tasks: string[]): string {
  return `${tasks.length === 1 ? 'task' : 'tasks'} ${tasks.map((t) => `'${t}'`).join(', ')}`;
}

/** Where to go from an allocation that no longer runs: its replacement, or the job's allocations. */
function elsewhere(a: Allocation): string {
  return a.NextAllocation
    ? `Its replacement is allocation ${a.NextAllocation}: act on that one (get_allocation shows it).`
    : `Call list_allocations for job '${a.JobID}' with status "running" to find one that runs.`;
}

/**
 * The tasks an action on the allocation reaches: the one named, or every running one. The allocation must
 * run (409 with where to go otherwise), and a named task must be one of its tasks (400 naming `task`) and run.
 */
export function runningTasks(a: Allocation, task: string | undefined, action: string): string[] {
  if (allocTerminal(a)) {
    const state = a.DesiredStatus !== 'run' ? `${a.DesiredStatus === 'stop' ? 'stopped' : a.DesiredStatus}${a.DesiredDescription ? ` (${a.DesiredDescription})` : ''}, ${a.ClientStatus}` : a.ClientStatus;
    throw new ConflictException({ message: `${allocLabel(a)} is not running (${state}); it cannot be ${action}.`, next_step: elsewhere(a) });
  }
  const states = a.TaskStates ?? {};
  const names = Object.keys(states);
  if (task !== undefined) {
    if (!names.includes(task)) {
      throw new BadRequestException({
        message: `task '${task}' is not a task of ${allocLabel(a)}; its tasks are: ${names.join(', ') || '(none started yet)'}`,
        errors: [{ field: 'task', reasons: ['not a task of the allocation'] }],
      });
    }
    if (states[task].State !== 'running') {
      throw new ConflictException({ message: `task '${task}' of ${allocLabel(a)} is ${states[task].State}, not running; it cannot be ${action}.`, next_step: `Call get_allocation for ${a.ID} to see why.` });
    }
    return [task];
  }
  const running = names.filter((n) => states[n].State === 'running');
  if (!running.length) {
    throw new ConflictException({
      message: `${allocLabel(a)} has no running task yet (client status ${a.ClientStatus}); it cannot be ${action}.`,
      next_step: `Call get_allocation for ${a.ID} to see how its tasks are doing, and try again once they run.`,
    });
  }
  return running;
}

/** The job's JobModifyIndex now, which a confirmed plan is bound to (null when the job is gone). */
export async function jobModifyIndex(jobs: NomadJobsApi, a: Allocation): Promise<number | null> {
  return (await jobs.find(a.Namespace, a.JobID))?.body.JobModifyIndex ?? null;
}

/**
 * Nomad's refusals of an allocation action that slip past the checks above (the allocation changed meanwhile),
 * as a 409 that says what to do; anything else is left to the pipeline's mapping.
 */
export function allocationConflict(err: unknown, a: Allocation, action: string): unknown {
  if (!(err instanceof NomadApiError) || err.status !== 500) return err;
  if (/should not run|not running/i.test(err.nomadMessage)) {
    return new ConflictException({ message: `${allocLabel(a)} stopped running meanwhile; it was not ${action} (Nomad: ${err.nomadMessage}).`, next_step: elsewhere(a) });
  }
  return err;
}
