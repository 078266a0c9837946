import { Allocation, NomadAllocationsApi } from '@nomad-mcp/nomad';
import { latestStarted } from '../../jobs/job-diagnosis';
import { AllocationNotFoundException, UnknownTaskException } from '../../jobs/jobs.errors';
import { JobAccess } from './job-access';

/** Whose log to read: the allocation (the one asked for, else the job's latest started) and its task. */
export interface LogSource {
  alloc: Allocation;
  task: string;
  tasks: string[];
}

/**
 * The allocation and task a log call reads, or undefined when the job has no allocation yet (its existence is
 * checked then, so a missing job is a 404). Shared by get_job_logs and follow_job_logs.
 */
export async function findLogSource(
  jobs: JobAccess, allocations: NomadAllocationsApi, namespace: string, jobId: string, want: { alloc_id?: string; task?: string },
): Promise<LogSource | undefined> {
  const allocs = (await jobs.api.allocations(namespace, jobId)).body;
  if (allocs.length === 0) {
    await jobs.requireJob(namespace, jobId);
    return undefined;
  }
  const chosen = want.alloc_id ? allocs.find((a) => a.ID.startsWith(want.alloc_id!.toLowerCase())) : latestStarted(allocs);
  if (!chosen) throw new AllocationNotFoundException(want.alloc_id!, jobId);
  const alloc = (await allocations.get(chosen.ID)).body;
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  const tasks = group?.Tasks.map((t) => t.Name) ?? Object.keys(alloc.TaskStates ?? {});
  const task = want.task ?? tasks[0];
  if (!task || !tasks.includes(task)) throw new UnknownTaskException(want.task ?? '', tasks);
  return { alloc, task, tasks };
}
