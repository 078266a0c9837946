import { NomadApiError, NomadJob, NomadService } from '@nomad-mcp/nomad';
import { plainToInstance } from 'class-transformer';
import { AppConfig } from '../config/env.schema';
import { CreateJobDto } from './dto/create-job.dto';
import { JobChangedConcurrentlyException, JobNotManagedException } from './jobs.errors';
import { JobsService, MAX_LOG_BYTES_PER_STREAM } from './jobs.service';

/** JobsService with a scripted NomadService: the Nomad answers that are hard to provoke on a live cluster. */
function serviceWith(nomad: Partial<NomadService>) {
  return new JobsService(nomad as NomadService, { defaultNamespace: 'development' } as AppConfig);
}

const dto = plainToInstance(CreateJobDto, { job_id: 'web', docker_image: 'nginx:1.27' });
const managed: NomadJob = { ID: 'web', Version: 4, JobModifyIndex: 41, Meta: { 'created-by': 'nomad-mcp' }, TaskGroups: [] };

describe('JobsService.create', () => {
  it('registers only if the job is unchanged since it was read', async () => {
    const registerJob = jest.fn().mockResolvedValue({ EvalID: 'e1', EvalCreateIndex: 42, JobModifyIndex: 42 });
    const findJob = jest.fn().mockResolvedValueOnce(managed).mockResolvedValueOnce({ ...managed, Version: 5 });
    const out = await serviceWith({ findJob, registerJob }).create(dto);
    expect(registerJob).toHaveBeenCalledWith('development', expect.objectContaining({ ID: 'web' }), { enforceJobModifyIndex: 41 });
    expect(out).toMatchObject({ created: false, version: 5, message: expect.stringMatching(/^Updated job 'web' .* to version 5/) });
  });

  it('turns a lost race (EnforceIndex conflict) into a 409 that says to retry', async () => {
    const registerJob = jest.fn().mockRejectedValue(
      new NomadApiError(500, 'Enforcing job modify index 41: job exists with conflicting job modify index: 43', 'PUT /v1/jobs'),
    );
    const err = await serviceWith({ findJob: jest.fn().mockResolvedValue(managed), registerJob }).create(dto).catch((e) => e);
    expect(err).toBeInstanceOf(JobChangedConcurrentlyException);
    expect(err.getStatus()).toBe(409);
  });

  it('never replaces a job it did not create', async () => {
    const registerJob = jest.fn();
    const foreign = { ...managed, Meta: { team: 'payments' } };
    await expect(serviceWith({ findJob: jest.fn().mockResolvedValue(foreign), registerJob }).create(dto)).rejects.toBeInstanceOf(JobNotManagedException);
    expect(registerJob).not.toHaveBeenCalled();
  });

  it('passes other Nomad failures on unchanged', async () => {
    const failure = new NomadApiError(500, 'rpc error: leadership lost', 'PUT /v1/jobs');
    const registerJob = jest.fn().mockRejectedValue(failure);
    await expect(serviceWith({ findJob: jest.fn().mockResolvedValue(undefined), registerJob }).create(dto)).rejects.toBe(failure);
  });
});

describe('JobsService.logs', () => {
  it('keeps an answer under the per-stream size bound, dropping the oldest lines and saying so', async () => {
    const long = Array.from({ length: 5000 }, (_, i) => `${String(i).padStart(5, '0')} ${'x'.repeat(200)}`);
    const nomad = {
      getJobAllocations: jest.fn().mockResolvedValue([{ ID: 'a1', CreateIndex: 1, TaskStates: { web: { StartedAt: '2026-11-28T00:00:00Z' } } }]),
      getAllocation: jest.fn().mockResolvedValue({ ID: 'a1', Name: 'web.g[0]', ClientStatus: 'running', TaskGroup: 'g', Job: { ID: 'web', TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web', Driver: 'docker' }] }] } }),
      tailLog: jest.fn().mockResolvedValue({ lines: long, bytesRead: 1_100_000, truncated: true }),
    };
    const out = await serviceWith(nomad as unknown as Partial<NomadService>).logs({ job_id: 'web', lines: 5000, type: 'stdout' } as never);
    const bytes = out.stdout!.lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_LOG_BYTES_PER_STREAM);
    expect(out.stdout!.lines[out.stdout!.lines.length - 1]).toBe(long[4999]);
    expect(out.stdout!.truncated).toBe(true);
    expect(out.stdout!.note).toMatch(/^\d+ older lines left out to keep the answer under 256 KiB$/);
    expect(out.message).toMatch(/^Last \d+ stdout lines of task 'web'/);
  });
});
