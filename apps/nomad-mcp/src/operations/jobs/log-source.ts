import { AllocationListStub, NomadAllocationsApi } from '@nomad-mcp/nomad';
import { latestStarted } from '../../jobs/job-diagnosis';
import { AllocationNotFoundException, UnknownTaskException } from '../../jobs/jobs.errors';
import { JobAccess } from './job-access';

/** Whose log to read: the allocation (the one asked for, else the job's latest started) and its task. */
export interface LogSource {
  alloc: AllocationListStub;
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
  // the stub names the tasks that have state; the full allocation (about 9 KB: it carries the job) is read only
  // when they cannot answer: no task state yet, or several tasks and none asked for (the default is the group's first)
  const stubTasks = Object.keys(chosen.TaskStates ?? {});
  const stubAnswers = want.task ? stubTasks.includes(want.task) : stubTasks.length === 1;
  let alloc: AllocationListStub = chosen;
  let tasks = stubTasks;
  if (!stubAnswers) {
    const full = (await allocations.get(chosen.ID)).body;
    const group = full.Job?.TaskGroups?.find((g) => g.Name === full.TaskGroup);
    tasks = group?.Tasks.map((t) => t.Name) ?? Object.keys(full.TaskStates ?? {});
    alloc = full;
  }
  const task = want.task ?? tasks[0];
  if (!task || !tasks.includes(task)) throw new UnknownTaskException(want.task ?? '', tasks);
  return { alloc, task, tasks };
}
