import { AllocationListStub, NomadJob } from '@nomad-mcp/nomad';
import { startPath } from './start-job.op';

const group = (name: string, reschedule: unknown) => ({ Name: name, Tasks: [], ReschedulePolicy: reschedule });
const job = (over: Partial<NomadJob> = {}): NomadJob => ({
  ID: 'web', Status: 'dead', Stop: false,
  TaskGroups: [group('may', { Attempts: 1, Unlimited: false }), group('never', { Attempts: 0, Unlimited: false }), group('always', { Attempts: 0, Unlimited: true })],
  ...over,
});
const alloc = (id: string, TaskGroup: string, ClientStatus: string, over: Partial<AllocationListStub> = {}) =>
  ({ ID: id, TaskGroup, ClientStatus, DesiredStatus: 'run', NextAllocation: '', ...over }) as AllocationListStub;

describe('startPath: how a job that is not running is placed again', () => {
  it('leaves a running or pending job alone, and registers a stopped one', () => {
    expect(startPath(job({ Status: 'running' }), []).kind).toBe('running');
    expect(startPath(job({ Status: 'pending' }), []).kind).toBe('running');
    expect(startPath(job({ Stop: true, Status: 'dead' }), [alloc('a', 'may', 'failed')])).toEqual({ kind: 'register', stuck: [] });
    // a stop leaves an allocation that had already failed as it was: where its group never reschedules, it keeps its slot
    expect(startPath(job({ Stop: true, Status: 'dead' }), [alloc('a', 'never', 'failed'), alloc('b', 'never', 'running', { DesiredStatus: 'stop' })]))
      .toEqual({ kind: 'register', stuck: [expect.objectContaining({ ID: 'a' })] });
  });

  it('registers a dead job that has no allocation Nomad still counts (none, replaced or stopped ones)', () => {
    expect(startPath(job(), [])).toEqual({ kind: 'register', stuck: [] });
    expect(startPath(job(), [alloc('a', 'may', 'failed', { NextAllocation: 'b' }), alloc('c', 'never', 'complete', { DesiredStatus: 'stop' })]).kind).toBe('register');
  });

  it('force-reschedules failed allocations in groups that may reschedule (attempts or unlimited)', () => {
    const path = startPath(job(), [alloc('a', 'may', 'failed'), alloc('b', 'always', 'failed'), alloc('old', 'may', 'failed', { NextAllocation: 'a' })]);
    expect(path).toEqual({ kind: 'force-reschedule', allocations: [expect.objectContaining({ ID: 'a' }), expect.objectContaining({ ID: 'b' })] });
    // a service's completed allocations are replaced by the same evaluation
    expect(startPath(job(), [alloc('a', 'may', 'failed'), alloc('c', 'never', 'complete')])).toMatchObject({ kind: 'force-reschedule', allocations: [{ ID: 'a' }] });
  });

  it('registers a service whose allocations only completed: the evaluation replaces them', () => {
    expect(startPath(job({ Type: 'service' }), [alloc('a', 'never', 'complete')]).kind).toBe('register');
  });

  it('cannot start a dead service that failed where its group never reschedules', () => {
    expect(startPath(job({ Type: 'service' }), [alloc('a', 'may', 'failed'), alloc('b', 'never', 'failed')])).toEqual({ kind: 'cannot', failed: [expect.objectContaining({ ID: 'b' })] });
  });

  it('stops and registers a batch job whose work completed, or failed where its group never reschedules', () => {
    const batch = job({ Type: 'batch' });
    expect(startPath(batch, [alloc('a', 'may', 'complete')]).kind).toBe('stop-and-register');
    expect(startPath(batch, [alloc('a', 'may', 'failed'), alloc('b', 'never', 'failed')]).kind).toBe('stop-and-register');
    expect(startPath(batch, [alloc('a', 'may', 'failed')]).kind).toBe('force-reschedule');
    // nine shards done and one failed: only the failed one runs again (the completed work stays done)
    expect(startPath(batch, [alloc('a', 'may', 'complete'), alloc('b', 'may', 'failed')])).toEqual({ kind: 'force-reschedule', allocations: [expect.objectContaining({ ID: 'b' })] });
  });
});
