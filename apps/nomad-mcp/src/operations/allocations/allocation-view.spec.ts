import { Allocation, TaskEvent } from '@nomad-mcp/nomad';
import { allocationSentence, allocationTasks, EVENTS_PER_TASK } from './allocation-view';

const event = (Type: string, over: Partial<TaskEvent> = {}): TaskEvent => ({ Type, Time: 1_800_000_000_000_000_000, DisplayMessage: Type, ...over });
/** Nomad's Terminated event of a task the kernel killed for memory (docker driver, Nomad 1.x). */
const oomKill = event('Terminated', { ExitCode: 137, Message: 'OOM Killed', DisplayMessage: 'Exit Code: 137, Exit Message: "OOM Killed"', Details: { exit_code: '137', oom_killed: 'true' } });

function alloc(states: Allocation['TaskStates'], over: Partial<Allocation> = {}): Allocation {
  return {
    ID: '5457f16d-0f87-8e6b-5e91-0c7da3a41eb7', EvalID: 'e', Name: 'api.web[0]', Namespace: 'dev', NodeID: 'n', NodeName: 'node-1', JobID: 'api',
    JobVersion: 3, TaskGroup: 'web', DesiredStatus: 'run', DesiredDescription: '', ClientStatus: 'running', ClientDescription: '', TaskStates: states,
    CreateIndex: 1, ModifyIndex: 1, CreateTime: 0, ModifyTime: 0,
    AllocatedResources: { Tasks: { app: { Cpu: { CpuShares: 500 }, Memory: { MemoryMB: 128, MemoryMaxMB: 256 } } } }, ...over,
  };
}

describe('allocation view', () => {
  it('tells an OOM kill from other exits, in the events, the task and the sentence', () => {
    const a = alloc({ app: { State: 'running', Failed: false, Restarts: 2, StartedAt: '2026-11-29T10:00:00Z', FinishedAt: '', Events: [event('Started'), oomKill, event('Restarting', { DisplayMessage: 'Task restarting in 15s' }), event('Started')] } });
    const [task] = allocationTasks(a);
    expect(task).toMatchObject({ name: 'app', restarts: 2, exit_code: 137, oom_killed: true, cpu_mhz: 500, memory_mb: 128, memory_max_mb: 256, finished_at: null });
    expect(task.events[1]).toEqual({ time: expect.any(String), type: 'Terminated', message: 'Exit Code: 137, Exit Message: "OOM Killed"', exit_code: 137, oom_killed: true });
    expect(allocationSentence(a, [task])).toBe("Allocation 5457f16d (api.web[0], job version 3) is running on node node-1. Task 'app' was OOM Killed (exit code 137) after 2 restarts; it is running now.");
    // an exit without the flag or the message is not an OOM kill, and the message says it when only the flag does
    const [plain] = allocationTasks(alloc({ app: { State: 'running', Failed: false, Restarts: 1, StartedAt: '', FinishedAt: '', Events: [event('Terminated', { ExitCode: 1, DisplayMessage: 'Exit Code: 1' })] } }));
    expect(plain).toMatchObject({ exit_code: 1, oom_killed: false });
    const [flagged] = allocationTasks(alloc({ app: { State: 'dead', Failed: true, Restarts: 0, StartedAt: '', FinishedAt: '', Events: [event('Terminated', { ExitCode: 137, DisplayMessage: 'Exit Code: 137', Details: { oom_killed: 'true' } })] } }));
    expect(flagged.events[0].message).toBe('Exit Code: 137 (OOM Killed)');
  });

  it('keeps the last events of each task and names the cause of a failure, not its consequence', () => {
    const events = [event('Received'), event('Task Setup'), event('Driver Failure', { DisplayMessage: 'failed to pull image', FailsTask: false }), event('Restarting'), event('Driver Failure', { DisplayMessage: 'failed to pull image' }), event('Not Restarting', { DisplayMessage: 'Exceeded allowed attempts 2' })];
    const a = alloc({ app: { State: 'dead', Failed: true, Restarts: 2, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '2026-11-29T10:00:00Z', Events: events } }, { ClientStatus: 'failed' });
    const [task] = allocationTasks(a);
    expect(task.events.map((e) => e.type)).toEqual(events.slice(-EVENTS_PER_TASK).map((e) => e.Type));
    expect(task).toMatchObject({ events_total: 6, started_at: null, finished_at: '2026-11-29T10:00:00Z', exit_code: null });
    expect(allocationSentence(a, [task])).toBe("Allocation 5457f16d (api.web[0], job version 3) is failed on node node-1. Task 'app' failed after 2 restarts: Driver Failure: failed to pull image.");
  });

  it('shows fewer events of each task when an allocation has many tasks, never fewer than 2', () => {
    const six = Array.from({ length: 6 }, (_, i) => event(`E${i}`));
    const tasks = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, { State: 'running' as const, Failed: false, Restarts: 0, StartedAt: '', FinishedAt: '', Events: six }]));
    const only = { AllocatedResources: null };
    expect(allocationTasks(alloc(tasks(1), only)).map((t) => t.events.length)).toEqual([EVENTS_PER_TASK]);
    expect(allocationTasks(alloc(tasks(4), only)).map((t) => t.events.length)).toEqual([3, 3, 3, 3]);
    expect(allocationTasks(alloc(tasks(8), only)).every((t) => t.events.length === 2 && t.events_total === 6)).toBe(true);
  });

  it('lists a task that has no state yet as pending', () => {
    const a = alloc(null, { ClientStatus: 'pending' });
    expect(allocationTasks(a)).toEqual([expect.objectContaining({ name: 'app', state: 'pending', events: [], restarts: 0 })]);
  });
});
