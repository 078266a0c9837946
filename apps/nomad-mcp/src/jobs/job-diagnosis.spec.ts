import { Evaluation, NomadJob } from '@nomad-mcp/nomad';
import { emptyCounts, isFailureEvent, metricFailures, placementFailures, statusSentence } from './job-diagnosis';

const evaluation = (over: Partial<Evaluation>): Evaluation => ({
  ID: 'e', Namespace: 'default', JobID: 'web', Type: 'service', TriggeredBy: 'job-register', Status: 'complete',
  StatusDescription: '', CreateIndex: 1, ModifyIndex: 1, ...over,
});

describe('job diagnosis', () => {
  it('puts placement failures of a blocked evaluation in words', () => {
    const failed = evaluation({
      ModifyIndex: 5,
      FailedTGAllocs: { web: { NodesEvaluated: 2, NodesFiltered: 0, NodesExhausted: 2, DimensionExhausted: { memory: 2 }, CoalescedFailures: 2 } },
    });
    const out = placementFailures([failed, evaluation({ ID: 'b', Status: 'blocked', ModifyIndex: 6 })]);
    expect(out).toEqual([{ group: 'web', unplaced: 3, reason: 'memory exhausted on 2 nodes (2 nodes evaluated)' }]);
    expect(placementFailures([failed])).toEqual([]);
    const noNodes = evaluation({ ModifyIndex: 5, FailedTGAllocs: { g: { NodesEvaluated: 0, NodesFiltered: 0, NodesExhausted: 0, NodesAvailable: { eu1: 0 }, CoalescedFailures: 0 } } });
    expect(placementFailures([noNodes, evaluation({ Status: 'blocked' })])[0].reason).toBe('no eligible nodes in datacenter(s) eu1 (0 nodes evaluated)');
  });

  it('says which constraint filtered how many nodes, for any evaluation with failures', () => {
    const out = metricFailures({
      api: { NodesEvaluated: 3, NodesFiltered: 2, NodesExhausted: 1, ConstraintFiltered: { '${attr.kernel.name} = windows': 2 }, DimensionExhausted: { 'network: reserved port collision http=8080': 1 }, CoalescedFailures: 0 },
    });
    expect(out).toEqual([{
      group: 'api', unplaced: 1,
      reason: "network: reserved port collision http=8080 exhausted on 1 node; constraint '${attr.kernel.name} = windows' filtered out 2 nodes (3 nodes evaluated)",
    }]);
    expect(metricFailures(null)).toEqual([]);
  });

  it('tells failure events from ordinary ones', () => {
    expect(isFailureEvent({ Type: 'Driver Failure', Time: 1 })).toBe(true);
    expect(isFailureEvent({ Type: 'Terminated', Time: 1, ExitCode: 137 })).toBe(true);
    expect(isFailureEvent({ Type: 'Terminated', Time: 1, ExitCode: 0 })).toBe(false);
    expect(isFailureEvent({ Type: 'Started', Time: 1 })).toBe(false);
  });

  it('says status, counts, deployment and the first problem in one sentence', () => {
    const job = { ID: 'api', Type: 'service', Version: 3, Status: 'running', TaskGroups: [] } as NomadJob;
    const counts = { ...emptyCounts(), running: 1, failed: 2 };
    const sentence = statusSentence(job, counts, 3, { Status: 'failed', StatusDescription: 'Failed due to unhealthy allocations' } as never, [
      { alloc_id: 'a', task: 'api', event: 'Driver Failure', message: 'image not found', time: null },
    ], []);
    expect(sentence).toBe("Job 'api' (service, version 3) is running; allocations: 1 running, 2 failed of 3 desired; latest deployment failed (Failed due to unhealthy allocations). Latest problem: Driver Failure in task 'api': image not found.");
  });
});
