import { goDuration, nowNs, nsToRfc3339 } from '../wire';
import { allocTerminal, tasksOf } from './allocs';
import type { Client } from './client';
import type { SimState } from './sim-state';
import type { Allocation, ClientStatus, Task } from './types';

/**
 * The simulator's documented failure rules that act on running tasks (README "The Nomad API simulator"), set
 * by a task's env, and the health deadline of a rollout:
 * - `NOMAD_SIM_EXIT_CODE=<n>`: the task exits with that code shortly after each start (before min_healthy_time);
 * - `NOMAD_SIM_OOM=1`: the kernel kills it for memory (exit 137, `oom_killed`, exit message "OOM Killed");
 * - `NOMAD_SIM_UNHEALTHY=1`: it runs, but its health checks never pass.
 * Each exit is reported as Nomad's task runner does (Terminated, then Restarting within the restart policy,
 * Not Restarting when it is spent in "fail" mode, or restarting after a delay in "delay" mode); an allocation of a
 * rollout that is not healthy by the healthy deadline gets Nomad's "Alloc Unhealthy" events and fails it.
 */

export interface ExitRule {
  exitCode: number;
  oom: boolean;
}

const isOn = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** How the task ends by rule, if it does. */
export function exitRule(t: Task): ExitRule | undefined {
  const env = t.Env ?? {};
  if (isOn(env.NOMAD_SIM_OOM)) return { exitCode: 137, oom: true };
  const code = Number(env.NOMAD_SIM_EXIT_CODE);
  return env.NOMAD_SIM_EXIT_CODE !== undefined && Number.isInteger(code) && code >= 0 && code <= 255 ? { exitCode: code, oom: false } : undefined;
}

export const failsHealthChecks = (t: Task) => isOn(t.Env?.NOMAD_SIM_UNHEALTHY);

/** Nomad's getClientStatus: failed over running over pending over complete. */
export function clientStatusOf(a: Allocation): ClientStatus {
  const states = Object.values(a.TaskStates ?? {});
  if (states.some((s) => s.State === 'dead' && s.Failed)) return 'failed';
  if (states.some((s) => s.State === 'running')) return 'running';
  if (states.some((s) => s.State === 'pending')) return 'pending';
  return 'complete';
}

export class FailingTasks {
  /** Restarts within the current restart interval, per allocation and task. */
  private readonly attempts = new Map<string, number>();
  /** Bumped on every start of a task, so an exit planned for an earlier run does not end a later one. */
  private readonly runs = new Map<string, number>();

  constructor(private readonly sim: SimState, private readonly client: Client) {}

  private get store() {
    return this.sim.store;
  }

  /** The allocation's tasks are running: plans each rule's exit, and the rollout's health deadline on the first start. */
  started(a: Allocation, firstStart: boolean): void {
    for (const t of tasksOf(a)) if (exitRule(t) && a.TaskStates?.[t.Name]?.State === 'running') this.planExit(a, t.Name);
    if (firstStart && a.DeploymentID) this.store.later(this.healthyDeadlineMs(a), () => this.healthDeadline(a.ID));
  }

  /**
   * update.healthy_deadline in simulated time, at most healthyDeadlineMs: a job's own shorter deadline is honoured
   * (scaled as its progress deadline is, so the healthy deadline still comes first), a long one is shortened.
   */
  private healthyDeadlineMs(a: Allocation): number {
    const update = a.Job.TaskGroups.find((g) => g.Name === a.TaskGroup)?.Update;
    const own = update?.HealthyDeadline ? this.sim.scaled(update.HealthyDeadline) : Infinity;
    return Math.min(this.sim.timings.healthyDeadlineMs, own);
  }

  /** Whether the allocation can turn healthy: every task stays up for min_healthy_time and passes its checks. */
  canBeHealthy(a: Allocation): boolean {
    return !tasksOf(a).some((t) => exitRule(t) || failsHealthChecks(t));
  }

  private planExit(a: Allocation, task: string): void {
    const key = `${a.ID}/${task}`;
    const run = (this.runs.get(key) ?? 0) + 1;
    this.runs.set(key, run);
    // shorter than the healthy delay: a task that crashes is never up for min_healthy_time
    this.store.later(Math.max(1, Math.round(this.sim.timings.healthyDelayMs / 2)), () => this.exit(a.ID, task, run));
  }

  private exit(allocId: string, task: string, run: number): void {
    const a = this.store.allocs.get(allocId);
    const key = `${allocId}/${task}`;
    const s = a?.TaskStates?.[task];
    const t = a && tasksOf(a).find((x) => x.Name === task);
    const rule = t && exitRule(t);
    if (!a || allocTerminal(a) || !s || !t || !rule || s.State !== 'running' || this.runs.get(key) !== run) return;
    const { exitCode, oom } = rule;
    // the task runner's emitExitResultEvent: exit code, signal, oom_killed, and the driver's error as the exit message
    this.client.taskEvent(a, task, 'Terminated', oom ? 'Exit Code: 137, Exit Message: "OOM Killed"' : `Exit Code: ${exitCode}`,
      { exit_code: String(exitCode), signal: '0', oom_killed: String(oom), ...(oom ? { exit_message: 'OOM Killed' } : {}) },
      { ExitCode: exitCode, Message: oom ? 'OOM Killed' : '' });
    const policy = t.RestartPolicy;
    const used = this.attempts.get(key) ?? 0;
    const now = nsToRfc3339(nowNs());
    if (policy.Attempts > used || (policy.Mode === 'delay' && policy.Attempts > 0)) {
      const withinPolicy = policy.Attempts > used;
      const reason = withinPolicy ? 'Restart within policy' : 'Exceeded allowed attempts, applying a delay';
      // in "delay" mode a spent interval is waited out (here: a few restart delays), then counting starts again
      this.attempts.set(key, withinPolicy ? used + 1 : 0);
      const delayNs = withinPolicy ? policy.Delay : policy.Interval;
      this.client.taskEvent(a, task, 'Restarting', `Task restarting in ${goDuration(delayNs)}`, { restart_reason: reason, start_delay: String(delayNs) }, { RestartReason: reason, StartDelay: delayNs });
      Object.assign(s, { State: 'pending', Restarts: s.Restarts + 1, LastRestart: now });
      this.client.update(a, { ClientStatus: clientStatusOf(a) });
      this.store.later(this.sim.timings.restartDelayMs * (withinPolicy ? 1 : 3), () => this.restart(allocId, task, run));
      return;
    }
    const reason = policy.Attempts === 0 ? 'Policy allows no restarts' : `Exceeded allowed attempts ${policy.Attempts} in interval ${goDuration(policy.Interval)} and mode is "${policy.Mode}"`;
    this.client.taskEvent(a, task, 'Not Restarting', reason, { fails_task: 'true', restart_reason: reason }, { FailsTask: true, RestartReason: reason });
    Object.assign(s, { State: 'dead', Failed: true, FinishedAt: now });
    this.client.failAllocation(a);
  }

  private restart(allocId: string, task: string, run: number): void {
    const a = this.store.allocs.get(allocId);
    const s = a?.TaskStates?.[task];
    if (!a || allocTerminal(a) || !s || s.State !== 'pending' || this.runs.get(`${allocId}/${task}`) !== run) return;
    this.client.taskEvent(a, task, 'Started', 'Task started by client');
    Object.assign(s, { State: 'running', StartedAt: nsToRfc3339(nowNs()) });
    this.client.update(a, { ClientStatus: clientStatusOf(a) });
    this.planExit(a, task);
  }

  /**
   * The health watcher's deadline (allochealth.Tracker): a rollout's allocation not healthy by then is unhealthy,
   * each task that held it back with an "Alloc Unhealthy" event saying why, in Nomad's words.
   */
  private healthDeadline(allocId: string): void {
    const a = this.store.allocs.get(allocId);
    if (!a || allocTerminal(a) || typeof a.DeploymentStatus?.Healthy === 'boolean') return;
    if (this.store.deployments.get(a.DeploymentID)?.Status !== 'running') return;
    const update = a.Job.TaskGroups.find((g) => g.Name === a.TaskGroup)?.Update;
    const deadline = goDuration(update?.HealthyDeadline ?? 300e9);
    const minHealthy = goDuration(update?.MinHealthyTime ?? 10e9);
    for (const t of tasksOf(a)) {
      const s = a.TaskStates?.[t.Name];
      const message = !s || s.State === 'pending' ? `Task not running by healthy_deadline of ${deadline}`
        : s.State === 'dead' ? 'Unhealthy because of dead task'
          : failsHealthChecks(t) ? `Services not healthy by deadline: ${serviceNames(a, t).join(', ')}`
            : exitRule(t) ? `Task not running for min_healthy_time of ${minHealthy} by healthy_deadline of ${deadline}` : undefined;
      if (message) this.client.taskEvent(a, t.Name, 'Alloc Unhealthy', message, { message }, { Message: message });
    }
    this.sim.deployments.allocHealth(a, false);
  }
}

/** The task's services (its own and its group's), by name; Nomad's default name when none is given. */
function serviceNames(a: Allocation, t: Task): string[] {
  const group = a.Job.TaskGroups.find((g) => g.Name === a.TaskGroup);
  const names = [t.Services, group?.Services].flatMap((list) => (Array.isArray(list) ? list : []))
    .map((svc: { Name?: string }) => svc?.Name).filter((n): n is string => !!n);
  return names.length ? [...new Set(names)] : [`${a.JobID}-${a.TaskGroup}-${t.Name}`];
}
