import { LogFile, LogType, parseSize } from '../logs';
import { goDuration, multiError, NomadHttpError, nowNs, nsToRfc3339, ZERO_TIME } from '../wire';
import { allocTerminal, tasksOf } from './allocs';
import { exitRule, FailingTasks } from './failure-rules';
import { endsProcess, parseSignal, SIGNAL_NUMBERS } from './signals';
import type { SimState } from './sim-state';
import type { Allocation, AnyMap, ClientStatus, StringMap, TaskEvent } from './types';

/** Reasons an image cannot be "pulled": documented in the README. */
export function imageIsMissing(image: string): boolean {
  return /(^|[/:])(missing|does-not-exist|doesnotexist)([^/]*)$/.test(image) || /:missing$/.test(image);
}

/**
 * The simulated client (task runner): receives placed allocations, pulls images (or fails to, restarting
 * per policy), runs tasks (failing by rule: failure-rules.ts), exits batch tasks with code 0, kills the tasks of
 * stopped allocations, restarts tasks in place, signals them, and owns the tasks' log files.
 */
export class Client {
  private readonly logFiles = new Map<string, LogFile>();
  private readonly failing: FailingTasks;

  constructor(private readonly sim: SimState) {
    this.failing = new FailingTasks(sim, this);
  }

  private get store() {
    return this.sim.store;
  }

  private get timings() {
    return this.sim.timings;
  }

  /** Every client update moves the allocation's and its job's indexes and re-derives the job's status. */
  update(a: Allocation, change: Partial<Allocation> = {}): void {
    Object.assign(a, change);
    this.store.allocUpdated(a);
    a.ModifyIndex = this.store.bump('allocs', 'jobs');
    a.ModifyTime = nowNs();
    a.ClientDescription = clientDescription(a.ClientStatus);
    this.sim.events.publish('Allocation', a);
    this.sim.jobs.refresh(a.Namespace, a.JobID);
  }

  /** Appends a task event (the task runner keeps the last 10). */
  taskEvent(a: Allocation, task: string, type: string, display: string, details: StringMap | AnyMap = {}, extra: Partial<TaskEvent> = {}): void {
    const state = a.TaskStates![task];
    state.Events = state.Events ?? [];
    if (state.Events.length >= 10) state.Events.shift();
    state.Events.push(makeEvent(type, display, details, extra));
  }

  /** A placed allocation reaches the client shortly after the scheduler placed it. */
  receive(a: Allocation): void {
    this.store.later(Math.min(50, this.timings.startDelayMs / 3), () => this.received(a.ID));
  }

  private received(id: string): void {
    const a = this.store.allocs.get(id);
    if (!a || allocTerminal(a)) return;
    const states: NonNullable<Allocation['TaskStates']> = {};
    a.TaskStates = states;
    for (const t of tasksOf(a)) {
      states[t.Name] = { State: 'pending', Failed: false, Restarts: 0, LastRestart: ZERO_TIME, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, Events: [], Paused: '' };
      this.taskEvent(a, t.Name, 'Received', 'Task received by client');
      this.taskEvent(a, t.Name, 'Task Setup', 'Building Task Directory', { message: 'Building Task Directory' }, { Message: 'Building Task Directory' });
      if (t.Driver === 'docker' && t.Config?.image) {
        this.taskEvent(a, t.Name, 'Driver', `Downloading image`, { image: t.Config.image }, { DriverMessage: `Downloading image` });
      }
    }
    this.update(a);
    this.store.later(this.timings.startDelayMs, () => this.start(id, 0));
  }

  private start(id: string, attempt: number): void {
    const a = this.store.allocs.get(id);
    if (!a || allocTerminal(a)) return;
    const states = a.TaskStates!;
    let anyFailed = false;
    for (const t of tasksOf(a)) {
      const image = String(t.Config?.image ?? '');
      if (t.Driver === 'docker' && (!image || imageIsMissing(image))) {
        anyFailed = true;
        const repo = image.split(':')[0] || '<empty>';
        const msg = image
          ? `failed to create container: Failed to pull \`${image}\`: Error response from daemon: pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`
          : 'failed to create container: image name must not be empty';
        this.taskEvent(a, t.Name, 'Driver Failure', msg, { driver_error: msg }, { DriverError: msg });
        const policy = t.RestartPolicy;
        if (attempt < policy.Attempts) {
          const delay = `${Math.round(policy.Delay / 1e9)}s`;
          this.taskEvent(a, t.Name, 'Restarting', `Task restarting in ${delay}`, { restart_reason: 'Restart within policy', start_delay: String(policy.Delay) }, { RestartReason: 'Restart within policy', StartDelay: policy.Delay });
          states[t.Name].Restarts = attempt + 1;
          states[t.Name].LastRestart = nsToRfc3339(nowNs());
        } else {
          const reason = `Exceeded allowed attempts ${policy.Attempts} in interval ${goDuration(policy.Interval)} and mode is "${policy.Mode}"`;
          this.taskEvent(a, t.Name, 'Not Restarting', reason, { fails_task: 'true', restart_reason: reason }, { FailsTask: true, RestartReason: reason });
          Object.assign(states[t.Name], { State: 'dead', Failed: true, FinishedAt: nsToRfc3339(nowNs()) });
        }
      } else {
        const s = states[t.Name];
        this.taskEvent(a, t.Name, 'Started', 'Task started by client');
        Object.assign(s, { State: 'running', StartedAt: nsToRfc3339(nowNs()) });
      }
    }
    if (anyFailed && attempt < Math.max(...tasksOf(a).map((t) => t.RestartPolicy.Attempts))) {
      this.update(a);
      this.store.later(this.timings.restartDelayMs, () => this.start(id, attempt + 1));
      return;
    }
    if (anyFailed) {
      this.failAllocation(a);
      return;
    }
    this.update(a, { ClientStatus: 'running' });
    this.failing.started(a, attempt === 0);
    if (a.JobType === 'batch' || a.JobType === 'sysbatch') {
      if (!tasksOf(a).some(exitRule)) this.store.later(this.timings.batchRunMs, () => this.batchExit(id));
    } else if (a.DeploymentID && this.failing.canBeHealthy(a)) {
      this.store.later(this.sim.deployments.minHealthyMs(a), () => this.sim.deployments.allocHealth(a, true));
    }
  }

  /** A task failed for good: its siblings are killed, the allocation fails and is unhealthy in its rollout. */
  failAllocation(a: Allocation): void {
    for (const t of tasksOf(a)) {
      const s = a.TaskStates![t.Name];
      if (s.State === 'running' || s.State === 'pending') {
        this.taskEvent(a, t.Name, 'Sibling Task Failed', 'Task\'s sibling failed', {}, { FailedSibling: 'x' });
        Object.assign(s, { State: 'dead', FinishedAt: nsToRfc3339(nowNs()) });
      }
    }
    this.update(a, { ClientStatus: 'failed' });
    // the server's Node.UpdateAlloc: a failed allocation its policy lets reschedule gets an evaluation at once
    this.sim.rescheduler.allocFailed(a);
    this.sim.deployments.allocHealth(a, false);
  }

  private batchExit(id: string): void {
    const a = this.store.allocs.get(id);
    if (!a || a.ClientStatus !== 'running') return;
    for (const t of tasksOf(a)) {
      this.taskEvent(a, t.Name, 'Terminated', 'Exit Code: 0', { exit_code: '0', signal: '0', oom_killed: 'false' }, { ExitCode: 0 });
      Object.assign(a.TaskStates![t.Name], { State: 'dead', FinishedAt: nsToRfc3339(nowNs()) });
    }
    this.stopLogs(a);
    this.update(a, { ClientStatus: 'complete' });
  }

  /** The scheduler marks the alloc to stop; the client kills its tasks shortly after. */
  stop(a: Allocation, reason: string): void {
    Object.assign(a, { DesiredStatus: 'stop', DesiredDescription: reason });
    this.update(a);
    this.store.later(this.timings.killDelayMs, () => {
      if (!a.TaskStates) {
        this.update(a, { ClientStatus: 'complete' });
        this.sim.scheduler.unblockEvals();
        return;
      }
      for (const t of tasksOf(a)) {
        const s = a.TaskStates[t.Name];
        if (!s || s.State === 'dead') continue;
        this.taskEvent(a, t.Name, 'Killing', `Sent interrupt. Waiting ${goDuration(t.KillTimeout)} before force killing`, { kill_timeout: String(t.KillTimeout) }, { KillTimeout: t.KillTimeout });
        this.taskEvent(a, t.Name, 'Terminated', 'Exit Code: 0, Signal: 15', { exit_code: '0', signal: '15' }, { Signal: 15 });
        this.taskEvent(a, t.Name, 'Killed', 'Task successfully killed');
        Object.assign(s, { State: 'dead', FinishedAt: nsToRfc3339(nowNs()) });
      }
      this.stopLogs(a);
      this.update(a, { ClientStatus: a.ClientStatus === 'failed' ? 'failed' : 'complete' });
      this.sim.scheduler.unblockEvals();
    });
  }

  /** POST /v1/client/allocation/:id/restart: in place, Restarts += 1, no new eval or alloc. */
  restartAllocation(id: string, taskName: string, allTasks: boolean): { Index: number } {
    const a = this.store.allocs.get(id);
    if (!a) throw new NomadHttpError(404, `Unknown allocation "${id}"`);
    if (taskName && allTasks) throw new NomadHttpError(500, 'task name cannot be set when restarting all tasks');
    if (allocTerminal(a)) throw new NomadHttpError(500, 'restart of an alloc that should not run');
    const tasks = tasksOf(a).map((t) => t.Name);
    if (taskName && !tasks.includes(taskName)) throw new NomadHttpError(500, `Could not find task runner for task: ${taskName}`);
    const targets = taskName ? [taskName] : tasks.filter((t) => allTasks || a.TaskStates?.[t]?.State === 'running');
    if (taskName && a.TaskStates?.[taskName]?.State !== 'running') throw new NomadHttpError(500, 'Task not running');
    const why = taskName ? 'User requested task to restart' : allTasks ? 'User requested all tasks to restart' : 'User requested running tasks to restart';
    for (const t of targets) {
      const s = a.TaskStates![t];
      this.taskEvent(a, t, 'Restart Signaled', why, { restart_reason: why }, { RestartReason: why });
      this.taskEvent(a, t, 'Terminated', 'Exit Code: 0, Signal: 15', { exit_code: '0', signal: '15' }, { Signal: 15 });
      this.taskEvent(a, t, 'Restarting', 'Task restarting in 0s', { restart_reason: why, start_delay: '0' }, { RestartReason: why });
      this.taskEvent(a, t, 'Started', 'Task started by client');
      Object.assign(s, { State: 'running', Restarts: s.Restarts + 1, LastRestart: nsToRfc3339(nowNs()) });
    }
    this.update(a);
    return { Index: 0 };
  }

  /**
   * POST /v1/client/allocation/:id/signal: a `Signaling` event on each running task (or the one named), as the
   * client's alloc runner sends it; a signal that ends the process (endsProcess) restarts the task per policy.
   */
  signalAllocation(id: string, taskName: string, signalName: string): { Index: number } {
    const a = this.store.allocs.get(id);
    if (!a) throw new NomadHttpError(404, `Unknown allocation "${id}"`);
    const tasks = tasksOf(a).map((t) => t.Name);
    if (taskName && !tasks.includes(taskName)) throw new NomadHttpError(500, 'Task not found');
    const signal = parseSignal(signalName);
    const failures: string[] = [];
    let signalled = 0;
    for (const t of taskName ? [taskName] : tasks) {
      const running = !allocTerminal(a) && a.TaskStates?.[t]?.State === 'running';
      const error = !running ? 'Task not running' : !signal ? `failed to parse signal: invalid signal "${signalName}"` : undefined;
      if (error) {
        failures.push(taskName ? error : `Failed to signal task: ${t}, err: ${error}`);
        continue;
      }
      this.taskEvent(a, t, 'Signaling', `Task being sent signal ${signal}`, { signal: signal! }, { TaskSignal: signal! });
      if (endsProcess(signal!)) this.exited(a, t, signal!);
      signalled++;
    }
    // the tasks that could be signalled were, even when others could not
    if (signalled) this.update(a);
    if (failures.length) throw new NomadHttpError(500, taskName ? failures[0] : multiError(failures));
    return { Index: 0 };
  }

  /** The task's process ended on a signal: Terminated, then Restarting and Started again per its restart policy. */
  private exited(a: Allocation, task: string, signal: string): void {
    const s = a.TaskStates![task];
    const num = SIGNAL_NUMBERS[signal];
    const code = signal === 'SIGKILL' ? 137 : 0;
    const delay = tasksOf(a).find((t) => t.Name === task)!.RestartPolicy.Delay;
    this.taskEvent(a, task, 'Terminated', `Exit Code: ${code}, Signal: ${num}`, { exit_code: String(code), signal: String(num), oom_killed: 'false' }, { ExitCode: code, Signal: num });
    this.taskEvent(a, task, 'Restarting', `Restart within policy - Task restarting in ${goDuration(delay)}`, { restart_reason: 'Restart within policy', start_delay: String(delay) }, { RestartReason: 'Restart within policy', StartDelay: delay });
    Object.assign(s, { State: 'pending' });
    this.store.later(this.timings.restartDelayMs, () => {
      if (allocTerminal(a) || s.State !== 'pending') return;
      this.taskEvent(a, task, 'Started', 'Task started by client');
      Object.assign(s, { State: 'running', Restarts: s.Restarts + 1, LastRestart: nsToRfc3339(nowNs()) });
      this.update(a);
    });
  }

  /** The task's log file (one per task and stream, no rotation); undefined until the task has started. */
  logFile(a: Allocation, task: string, type: LogType): LogFile | undefined {
    const s = a.TaskStates?.[task];
    if (!s || s.StartedAt === ZERO_TIME) return undefined;
    const k = `${a.ID}/${task}/${type}`;
    let f = this.logFiles.get(k);
    if (!f) {
      const t = tasksOf(a).find((x) => x.Name === task)!;
      f = new LogFile({
        startedAtMs: Date.parse(s.StartedAt), stoppedAtMs: s.State === 'dead' ? Date.parse(s.FinishedAt) : undefined,
        image: String(t.Config?.image ?? t.Driver), taskName: task, type,
        historyBytes: type === 'stdout' ? parseSize(t.Env?.NOMAD_SIM_LOG_BYTES ?? t.Meta?.['sim.log_bytes']) : 0,
        batch: a.JobType === 'batch' || a.JobType === 'sysbatch',
      });
      this.logFiles.set(k, f);
    }
    return f;
  }

  /** A stopped task writes no more: its file is dropped, and a reader following it ends. */
  private stopLogs(a: Allocation): void {
    for (const k of [...this.logFiles.keys()]) if (k.startsWith(`${a.ID}/`)) this.logFiles.delete(k);
  }
}

function clientDescription(status: ClientStatus): string {
  const texts: Partial<Record<ClientStatus, string>> = { pending: 'No tasks have started', running: 'Tasks are running', complete: 'All tasks have completed', failed: 'Failed tasks' };
  return texts[status] ?? '';
}

export function makeEvent(type: string, display: string, details: StringMap | AnyMap = {}, extra: Partial<TaskEvent> = {}): TaskEvent {
  return {
    Type: type, Time: nowNs(), Message: '', DisplayMessage: display, Details: details as StringMap, FailsTask: false,
    RestartReason: '', SetupError: '', DriverError: '', ExitCode: 0, Signal: 0, KillTimeout: 0, KillError: '',
    KillReason: '', StartDelay: 0, DownloadError: '', ValidationError: '', DiskLimit: 0, FailedSibling: '',
    VaultError: '', TaskSignalReason: '', TaskSignal: '', DriverMessage: '', GenericSource: '', ...extra,
  };
}
