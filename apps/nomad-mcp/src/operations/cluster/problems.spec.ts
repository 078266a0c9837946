import { AllocationListStub, Deployment, JobListStub, NodeListStub } from '@nomad-mcp/nomad';
import { findProblems } from './problems';

const NOW = Date.parse('2026-06-01T12:00:00Z');

const node = (id: string, over: Partial<NodeListStub> = {}): NodeListStub => ({
  ID: `${id}-0000-0000-0000-000000000000`, Name: `node-${id}`, Address: '10.0.0.1', Datacenter: 'dc1', NodeClass: '', Version: '1.10.5', Drain: false,
  SchedulingEligibility: 'eligible', Status: 'ready', StatusDescription: '', CreateIndex: 1, ModifyIndex: 1, ...over,
});
const job = (id: string, running: number, over: Partial<JobListStub> = {}): JobListStub => ({
  ID: id, ParentID: '', Name: id, Namespace: 'default', Datacenters: ['dc1'], Type: 'service', Priority: 50, Periodic: false, ParameterizedJob: false,
  Stop: false, Status: 'running', StatusDescription: '', CreateIndex: 1, ModifyIndex: 1, JobModifyIndex: 1, SubmitTime: 0,
  JobSummary: { JobID: id, Namespace: 'default', CreateIndex: 1, ModifyIndex: 1, Summary: { web: { Queued: 0, Complete: 0, Failed: 0, Running: running, Starting: 0, Lost: 0 } } }, ...over,
});
const alloc = (id: string, jobId: string, nodeId: string, over: Partial<AllocationListStub> = {}): AllocationListStub => ({
  ID: `${id}-0000-0000-0000-000000000000`, EvalID: 'e', Name: `${jobId}.web[0]`, Namespace: 'default', NodeID: nodeId, NodeName: 'n', JobID: jobId,
  JobVersion: 0, TaskGroup: 'web', DesiredStatus: 'run', ClientStatus: 'running', TaskStates: null, CreateIndex: 10, ModifyIndex: 10, CreateTime: 0, ModifyTime: 0, ...over,
} as AllocationListStub);

/**
 * The cases the end-to-end tests cannot stage on the simulator's demo data in a fixed way: a node that goes down
 * with allocations on it, a cluster with no eligible node, a rollout past its progress deadline, placements still
 * queued, a broken driver, a restart a person asked for, and old restarts that are history.
 */
describe('findProblems', () => {
  const base = { jobs: [], allocs: [], blocked: [], deployments: [], now: NOW };

  it('a node that went down with allocations: critical, with how many were lost; no eligible node left is said first', () => {
    const down = node('aaaaaaaa', { Status: 'down' });
    const drained = node('bbbbbbbb', { Drain: true, SchedulingEligibility: 'ineligible' });
    const lost = [alloc('11111111', 'web', down.ID, { ClientStatus: 'lost', DesiredStatus: 'stop' }), alloc('22222222', 'api', down.ID, { ClientStatus: 'lost', DesiredStatus: 'stop' })];
    const problems = findProblems({ ...base, nodes: [down, drained], allocs: lost });
    expect(problems.map((p) => [p.severity, p.kind])).toEqual([['critical', 'no_eligible_nodes'], ['critical', 'node_down'], ['warning', 'node_draining']]);
    expect(problems[1].summary).toBe('Node node-aaaaaaaa (aaaaaaaa) is down: its client stopped answering; 2 allocations on it were lost (Nomad replaces them elsewhere when it can).');
    expect(problems[0]).toMatchObject({ next: { tool: 'list_nodes', arguments: {} } });
  });

  it('a rollout past its progress deadline is stuck; one still within it is not', () => {
    const d = (by: string): Deployment => ({
      ID: 'dddddddd-0000-0000-0000-000000000000', Namespace: 'default', JobID: 'web', JobVersion: 3, Status: 'running', StatusDescription: 'Deployment is running', CreateIndex: 5, ModifyIndex: 5,
      TaskGroups: { web: { DesiredTotal: 3, PlacedAllocs: 2, HealthyAllocs: 1, UnhealthyAllocs: 0, ProgressDeadline: 600e9, RequireProgressBy: by } },
    });
    const running = [alloc('11111111', 'web', 'n')];
    const late = findProblems({ ...base, jobs: [job('web', 1)], allocs: running, deployments: [d('2026-06-01T11:50:00Z')] });
    expect(late).toMatchObject([{ severity: 'error', kind: 'deployment_stuck', next: { tool: 'get_deployment', arguments: { deployment_id: 'dddddddd-0000-0000-0000-000000000000' } } }]);
    expect(late[0].summary).toBe("Job 'web' (service, 1 running): deployment dddddddd (version 3) is past its progress deadline (web: 1/3 healthy, 2 placed).");
    expect(findProblems({ ...base, jobs: [job('web', 1)], allocs: running, deployments: [d('2026-06-01T12:10:00Z')] })).toEqual([]);
  });

  it('queued placements without a blocked evaluation are a warning; a stopped job is no problem', () => {
    const queued = job('batchy', 0, { Type: 'batch', Status: 'pending' });
    queued.JobSummary!.Summary.web.Queued = 2;
    expect(findProblems({ ...base, jobs: [queued, job('old', 0, { Stop: true, Status: 'dead' })] })).toMatchObject([
      { severity: 'warning', kind: 'queued', summary: "Job 'batchy' (batch, pending): 2 allocations queued, not placed yet.", next: { tool: 'get_job_status', arguments: { job_id: 'batchy', namespace: 'default' } } },
    ]);
  });

  it('restarts a person asked for, or long ago, are no crash loop; failed restarts lately are', () => {
    const n = node('aaaaaaaa');
    const state = (last: string, events: Array<{ Type: string; ExitCode?: number }>) => ({ app: { State: 'running', Failed: false, Restarts: 3, LastRestart: last, Events: events.map((e) => ({ Time: 0, ...e })) } });
    const asked = alloc('11111111', 'a', n.ID, { TaskStates: state('2026-06-01T11:59:00Z', [{ Type: 'Restart Signaled' }, { Type: 'Terminated', ExitCode: 0 }, { Type: 'Restarting' }]) as never });
    const old = alloc('22222222', 'b', n.ID, { TaskStates: state('2026-05-30T11:59:00Z', [{ Type: 'Terminated', ExitCode: 1 }, { Type: 'Restarting' }]) as never });
    const now = alloc('33333333', 'c', n.ID, { TaskStates: state('2026-06-01T11:59:30Z', [{ Type: 'Terminated', ExitCode: 1 }, { Type: 'Restarting' }]) as never });
    const problems = findProblems({ ...base, jobs: [job('a', 1), job('b', 1), job('c', 1)], allocs: [asked, old, now], nodes: [n] });
    expect(problems.map((p) => [p.job_id, p.kind, p.severity])).toEqual([['c', 'crash_loop', 'critical']]);
    expect(problems[0].summary).toMatch(/^Job 'c' \(service, nothing running, 1 restarting in a loop\): allocation 33333333 is restarting in a loop \(3 restarts\): task 'app' exited with code 1, restarted 3 times\.$/);
  });

  it('a driver that does not work on a ready node is a warning', () => {
    const n = node('aaaaaaaa', { Drivers: { docker: { Detected: true, Healthy: false, HealthDescription: 'Docker daemon not running' } } });
    expect(findProblems({ ...base, nodes: [n, node('bbbbbbbb')] })).toMatchObject([
      { severity: 'warning', kind: 'driver_unhealthy', summary: 'Node node-aaaaaaaa (aaaaaaaa) has an unhealthy task driver: docker (Docker daemon not running); tasks using it cannot start there.' },
    ]);
  });
});
