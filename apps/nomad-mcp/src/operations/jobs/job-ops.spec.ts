import { NomadAllocationsApi, NomadApiError, NomadClientFsApi, NomadEvaluationsApi, NomadJob, NomadJobsApi, NomadNamespacesApi, NomadNodesApi } from '@nomad-mcp/nomad';
import { plainToInstance } from 'class-transformer';
import { CreateJobDto } from '../../jobs/dto/create-job.dto';
import { JobChangedConcurrentlyException, JobNotManagedException, NamespaceNotFoundException } from '../../jobs/jobs.errors';
import { OperationContext } from '../core/operation';
import { CreateJobOp } from './create-job.op';
import { GetJobLogsOp, keepNewestWithin, MAX_LOG_BYTES_PER_STREAM } from './get-job-logs.op';
import { JobAccess } from './job-access';
import { PlacementExplainer } from './placement';

/** Operations with scripted Nomad clients: the Nomad answers that are hard to provoke on a live cluster. */
function accessWith(jobs: Partial<NomadJobsApi>) {
  return new JobAccess(jobs as NomadJobsApi, {} as NomadNamespacesApi);
}
const found = (job: NomadJob | undefined) => (job ? { body: job } : undefined);
const createOp = (jobs: { find: jest.Mock; register: jest.Mock }) => {
  const evaluations = { get: jest.fn().mockResolvedValue({ body: { ID: 'e1', Status: 'complete' } }) };
  return new CreateJobOp(accessWith(jobs as Partial<NomadJobsApi>), new PlacementExplainer({} as NomadNodesApi), evaluations as unknown as NomadEvaluationsApi);
};
const ctx: OperationContext = {
  principal: { name: 'local', kind: 'local' }, transport: 'rest', note: () => undefined,
  namespace: (ns) => ns || 'development', visible: () => true, seesEveryNamespace: () => true, progress: () => undefined,
};

const dto = plainToInstance(CreateJobDto, { job_id: 'web', docker_image: 'nginx:1.27' });
const managed: NomadJob = { ID: 'web', Version: 4, JobModifyIndex: 41, Meta: { 'created-by': 'nomad-mcp' }, TaskGroups: [] };

describe('create_job', () => {
  it('registers only if the job is unchanged since it was read', async () => {
    const register = jest.fn().mockResolvedValue({ EvalID: 'e1', EvalCreateIndex: 42, JobModifyIndex: 42 });
    const find = jest.fn().mockResolvedValueOnce(found(managed)).mockResolvedValueOnce(found({ ...managed, Version: 5 }));
    const out = await createOp({ find, register }).run(ctx, dto);
    expect(register).toHaveBeenCalledWith('development', expect.objectContaining({ ID: 'web' }), { enforceJobModifyIndex: 41 });
    expect(out).toMatchObject({ created: false, version: 5, eval_status: 'complete', message: expect.stringMatching(/^Updated job 'web' .* to version 5/) });
  });

  it('turns a lost race (EnforceIndex conflict) into a 409 that says to retry', async () => {
    const register = jest.fn().mockRejectedValue(
      new NomadApiError(500, 'Enforcing job modify index 41: job exists with conflicting job modify index: 43', 'PUT /v1/jobs'),
    );
    const err = await createOp({ find: jest.fn().mockResolvedValue(found(managed)), register }).run(ctx, dto).catch((e) => e);
    expect(err).toBeInstanceOf(JobChangedConcurrentlyException);
    expect(err.getStatus()).toBe(409);
  });

  it('never replaces a job it did not create', async () => {
    const register = jest.fn();
    const foreign = { ...managed, Meta: { team: 'payments' } };
    await expect(createOp({ find: jest.fn().mockResolvedValue(found(foreign)), register }).run(ctx, dto)).rejects.toBeInstanceOf(JobNotManagedException);
    expect(register).not.toHaveBeenCalled();
  });

  it('says that the namespace does not exist instead of passing on Nomad\'s 500', async () => {
    const register = jest.fn().mockRejectedValue(new NomadApiError(500, '1 error occurred:\n\t* job "web" is in nonexistent namespace "nope"\n\n', 'PUT /v1/jobs'));
    const err = await createOp({ find: jest.fn().mockResolvedValue(undefined), register }).run(ctx, { ...dto, namespace: 'nope' } as CreateJobDto).catch((e) => e);
    expect(err).toBeInstanceOf(NamespaceNotFoundException);
    expect(err.getResponse()).toMatchObject({ message: "namespace 'nope' does not exist in Nomad", next_step: expect.stringMatching(/DEFAULT_NAMESPACE/) });
  });

  it('passes other Nomad failures on unchanged', async () => {
    const failure = new NomadApiError(500, 'rpc error: leadership lost', 'PUT /v1/jobs');
    const register = jest.fn().mockRejectedValue(failure);
    await expect(createOp({ find: jest.fn().mockResolvedValue(undefined), register }).run(ctx, dto)).rejects.toBe(failure);
  });
});

describe('get_job_logs', () => {
  it('keeps an answer under the per-stream size bound, dropping the oldest lines and saying so', async () => {
    const long = Array.from({ length: 5000 }, (_, i) => `${String(i).padStart(5, '0')} ${'x'.repeat(200)}`);
    const jobs = { allocations: jest.fn().mockResolvedValue({ body: [{ ID: 'a1', CreateIndex: 1, TaskStates: { web: { StartedAt: '2026-11-28T00:00:00Z' } } }] }) };
    const allocations = { get: jest.fn().mockResolvedValue({ body: { ID: 'a1', Name: 'web.g[0]', ClientStatus: 'running', TaskGroup: 'g', Job: { ID: 'web', TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web', Driver: 'docker' }] }] } } }) };
    const clientFs = { tailLog: jest.fn().mockResolvedValue({ lines: long, bytesRead: 1_100_000, truncated: true }) };
    const op = new GetJobLogsOp(accessWith(jobs as unknown as Partial<NomadJobsApi>), allocations as unknown as NomadAllocationsApi, clientFs as unknown as NomadClientFsApi);
    const out = await op.run(ctx, { job_id: 'web', lines: 5000, type: 'stdout' } as never);
    const bytes = out.stdout!.lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_LOG_BYTES_PER_STREAM);
    expect(out.stdout!.lines[out.stdout!.lines.length - 1]).toBe(long[4999]);
    expect(out.stdout!.truncated).toBe(true);
    expect(out.stdout!.note).toMatch(/^\d+ older lines left out to keep the answer under 256 KiB$/);
    expect(out.message).toMatch(/^Last \d+ stdout lines of task 'web'/);
  });
});

describe('keepNewestWithin (get_job_logs with lines left out)', () => {
  const result = (stdout: string[], stderr: string[] = []) =>
    ({ job_id: 'web', namespace: 'dev', message: '', stdout: { lines: stdout, truncated: false }, stderr: { lines: stderr, truncated: false } }) as never;

  it('keeps the newest lines within the budget, and says how many went', () => {
    const r = result(Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(90)}`));
    expect(keepNewestWithin(r, ['stdout', 'stderr'], 1000)).toMatch(/^ \d+ older lines left out to keep this answer under 4 KB/);
    const kept = (r as { stdout: { lines: string[]; truncated: boolean } }).stdout;
    expect(kept.lines.at(-1)).toMatch(/^line 49 /);
    expect(kept.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(kept.lines))).toBeLessThanOrEqual(1000 + 2);
  });

  it('never drops the newest line: one longer than the budget is cut short, and the answer says so', () => {
    const r = result(['short 1', 'short 2', `boom ${'y'.repeat(3000)}`]);
    expect(keepNewestWithin(r, ['stdout'], 2800)).toBe(' 2 older lines left out and the newest cut short to keep this answer under 4 KB: ask with lines (up to 5000) for more.');
    const lines = (r as { stdout: { lines: string[] } }).stdout.lines;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^boom y+ …\(cut to fit 4 KB\)$/);
    expect(Buffer.byteLength(JSON.stringify(lines[0]))).toBeLessThanOrEqual(2800);
  });

  it('leaves a log that fits as it is', () => {
    const r = result(['a', 'b'], ['c']);
    expect(keepNewestWithin(r, ['stdout', 'stderr'], 2800)).toBe('');
    expect((r as { stdout: { truncated: boolean } }).stdout.truncated).toBe(false);
  });
});
