import { Allocation, AllocationListStub, TaskEvent, TaskState } from '@nomad-mcp/nomad';
import { shortId } from '../core/render';
import { allocBrief, consequenceRank, eventText, isFailureEvent, nsToIso, plural, ZERO_TIME } from '../../jobs/job-diagnosis';
import { AllocationRow, AllocationTask, TaskEventItem } from './dto/allocation-results.dto';

/** Events shown per task: enough to see a crash loop or a failed pull, small enough for a model's context. */
export const EVENTS_PER_TASK = 5;
/** Events shown over all tasks: an allocation of many tasks shows fewer of each (never fewer than 2). */
const EVENTS_IN_ALL = 12;
/** Tasks named in the sentence; the table lists them all. */
const TASKS_IN_SENTENCE = 3;

export function allocRow(a: AllocationListStub): AllocationRow {
  return { ...allocBrief(a), healthy: a.DeploymentStatus?.Healthy ?? null };
}

/** Nomad's RFC 3339 times, with the zero time (never happened) as null. */
export function rfcTime(t: string | null | undefined): string | null {
  return !t || t === ZERO_TIME || t.startsWith('0001-01-01') ? null : t;
}

/** The kernel's out-of-memory kill: `oom_killed` in the details (Nomad ≥ 1.1), or the driver's "OOM Killed" exit message. */
export function isOomKill(e: TaskEvent): boolean {
  return e.Details?.oom_killed === 'true' || /OOM Killed/i.test(`${e.Message ?? ''} ${e.DisplayMessage ?? ''}`);
}

export function eventItem(e: TaskEvent): TaskEventItem {
  const oom = isOomKill(e);
  const text = eventText(e);
  const item: TaskEventItem = { time: nsToIso(e.Time), type: e.Type, message: oom && !/OOM Killed/i.test(text) ? `${text} (OOM Killed)` : text };
  if (e.Type === 'Terminated') Object.assign(item, { exit_code: e.ExitCode ?? Number(e.Details?.exit_code ?? 0), oom_killed: oom });
  return item;
}

/** Each task of the allocation (those Nomad has a state for, and those not started yet), with its last events. */
export function allocationTasks(a: Allocation): AllocationTask[] {
  const states = a.TaskStates ?? {};
  const resources = a.AllocatedResources?.Tasks ?? {};
  const names = [...new Set([...Object.keys(resources), ...Object.keys(states)])];
  const perTask = Math.max(2, Math.min(EVENTS_PER_TASK, Math.floor(EVENTS_IN_ALL / Math.max(1, names.length))));
  return names.map((name) => {
    const s: Partial<TaskState> = states[name] ?? { State: 'pending' };
    const events = s.Events ?? [];
    const lastExit = [...events].reverse().find((e) => e.Type === 'Terminated');
    const r = resources[name];
    return {
      name, state: s.State ?? 'pending', failed: !!s.Failed, restarts: s.Restarts ?? 0,
      started_at: rfcTime(s.StartedAt), finished_at: rfcTime(s.FinishedAt),
      exit_code: lastExit ? eventItem(lastExit).exit_code ?? null : null, oom_killed: !!lastExit && isOomKill(lastExit),
      cpu_mhz: r?.Cpu?.CpuShares ?? 0, memory_mb: r?.Memory?.MemoryMB ?? 0, memory_max_mb: r?.Memory?.MemoryMaxMB ?? 0,
      events_total: events.length, events: events.slice(-perTask).map(eventItem),
    };
  });
}

/** What a person needs first: where it runs, its state and health, then what each task is doing or why it failed. */
export function allocationSentence(a: Allocation, tasks: AllocationTask[]): string {
  let head = `Allocation ${shortId(a.ID)} (${a.Name}, job version ${a.JobVersion}) is ${a.ClientStatus} on node ${a.NodeName || '(none)'}`;
  if (a.DesiredStatus !== 'run') head += `, desired ${a.DesiredStatus}${a.DesiredDescription ? ` (${a.DesiredDescription})` : ''}`;
  const healthy = a.DeploymentStatus?.Healthy;
  if (healthy === true || healthy === false) head += `; ${healthy ? 'healthy' : 'unhealthy'} in its deployment`;
  const troubled = (t: AllocationTask) => t.failed || t.oom_killed || (t.exit_code ?? 0) !== 0 || t.restarts > 0;
  const ordered = [...tasks.filter(troubled), ...tasks.filter((t) => !troubled(t))];
  const clauses = ordered.slice(0, TASKS_IN_SENTENCE).map((t) => taskClause(t, a.TaskStates?.[t.name]?.Events ?? []));
  if (ordered.length > TASKS_IN_SENTENCE) clauses.push(`${plural(ordered.length - TASKS_IN_SENTENCE, 'more task')}`);
  return `${head}.${clauses.length ? ` ${clauses.join('; ')}.` : ''}`;
}

function taskClause(t: AllocationTask, events: TaskEvent[]): string {
  const restarts = t.restarts ? ` after ${plural(t.restarts, 'restart')}` : '';
  const last = t.events.at(-1);
  // the cause (a failed pull, an exit code) rather than its consequence ("Not Restarting")
  const failures = [...events].reverse().filter((e) => isFailureEvent(e) || isOomKill(e));
  const cause = failures.find((e) => consequenceRank(e.Type) === 0) ?? failures[0];
  const failure = cause && eventItem(cause);
  if (t.failed) return `Task '${t.name}' failed${restarts}${failure ? `: ${failure.type}: ${failure.message}` : ''}`;
  if (t.oom_killed) return `Task '${t.name}' was OOM Killed (exit code ${t.exit_code ?? 137})${restarts}; it is ${t.state} now`;
  if (t.state === 'running') return `Task '${t.name}' running since ${t.started_at ?? '?'}${t.restarts ? `, ${plural(t.restarts, 'restart')}` : ''}`;
  if (t.state === 'dead') return `Task '${t.name}' finished with exit code ${t.exit_code ?? 0}${restarts}`;
  return `Task '${t.name}' ${t.state}${restarts}${last ? `: ${last.type}: ${last.message}` : ''}`;
}
