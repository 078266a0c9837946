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
    expect(startPath(job({ Stop: true, Status: 'dead' }), [alloc('a', 'may', 'failed')]).kind).toBe('register');
  });

  it('registers a dead job that has no allocation Nomad still counts (none, replaced or stopped ones)', () => {
    expect(startPath(job(), []).kind).toBe('register');
    expect(startPath(job(), [alloc('a', 'may', 'failed', { NextAllocation: 'b' }), alloc('c', 'never', 'complete', { DesiredStatus: 'stop' })]).kind).toBe('register');
  });

  it('force-reschedules when every ended allocation failed in a group that may reschedule (attempts or unlimited)', () => {
    const path = startPath(job(), [alloc('a', 'may', 'failed'), alloc('b', 'always', 'failed'), alloc('old', 'may', 'failed', { NextAllocation: 'a' })]);
    expect(path).toEqual({ kind: 'force-reschedule', allocations: [expect.objectContaining({ ID: 'a' }), expect.objectContaining({ ID: 'b' })] });
  });

  it('stops and registers when any ended allocation completed, or failed where the group never reschedules', () => {
    expect(startPath(job(), [alloc('a', 'may', 'failed'), alloc('b', 'never', 'failed')]).kind).toBe('stop-and-register');
    expect(startPath(job(), [alloc('a', 'may', 'complete')]).kind).toBe('stop-and-register');
    // a group without a policy (a system job's) never reschedules
    expect(startPath(job({ TaskGroups: [{ Name: 'sys', Tasks: [] }] }), [alloc('a', 'sys', 'failed')]).kind).toBe('stop-and-register');
  });
});
