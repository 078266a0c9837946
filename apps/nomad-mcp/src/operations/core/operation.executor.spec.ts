import { BadRequestException } from '@nestjs/common';
import { IsString } from 'class-validator';
import { NomadTimeoutError, NomadUnavailableError } from '@nomad-mcp/nomad';
import { AppConfig } from '../../config/env.schema';
import { OperationDefinition, OperationHandler } from './operation';
import { OperationEvent, OperationEvents } from './operation-events';
import { OperationExecutor, OperationFailure } from './operation.executor';
import { OperationRegistry } from './operation.registry';

class EchoDto {
  @IsString()
  job_id: string;
}

const def: OperationDefinition = {
  name: 'echo', title: 'Echo', description: 'Echo a job ID.', input: EchoDto, output: Object as never,
  annotations: { readOnly: false, destructive: true, idempotent: false },
  permission: (i: EchoDto) => (i.job_id === 'prod' ? 'destroy' : 'operate'), order: 1, rest: { method: 'POST', path: 'echo' },
};

function executorWith(handler: OperationHandler) {
  const registry = { find: (n: string) => (n === 'echo' ? { def, handler } : undefined), names: () => ['echo'] } as unknown as OperationRegistry;
  const events = new OperationEvents();
  const seen: OperationEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  return { exec: new OperationExecutor(registry, events, { defaultNamespace: 'development' } as AppConfig), seen };
}

// confirmed changes have their own spec (confirmation.gate.spec.ts): this caller's changes run at once
const operator = { name: 'ci-bot', kind: 'api-key' as const, permissions: ['operate'], confirm: 'off' as const };

describe('OperationExecutor', () => {
  it('runs a valid call and emits one ok event with the job and evaluation', async () => {
    const { exec, seen } = executorWith({ run: async (_c, i: EchoDto) => ({ message: `did ${i.job_id}`, job_id: i.job_id, namespace: 'dev', eval_id: 'ev-1' }) });
    const done = await exec.execute('echo', { job_id: 'web' }, { principal: operator, transport: 'mcp' });
    expect(done.text).toBe('did web\n\njob_id: web\nnamespace: dev\neval_id: ev-1');
    expect(seen).toEqual([expect.objectContaining({ operation: 'echo', principal: 'ci-bot', transport: 'mcp', outcome: 'ok', job: 'web', namespace: 'dev', eval_id: 'ev-1', status: 200 })]);
  });

  it('refuses (403, "denied", nothing run) when the input needs a permission the caller lacks', async () => {
    const run = jest.fn();
    const { exec, seen } = executorWith({ run });
    const err = await exec.execute('echo', { job_id: 'prod' }, { principal: operator, transport: 'rest' }).catch((e) => e);
    expect(err).toBeInstanceOf(OperationFailure);
    expect(err.body).toMatchObject({ statusCode: 403, message: "'ci-bot' may not call echo: it needs the scope 'destroy'.", next_step: expect.stringMatching(/^Do not retry/) });
    expect(run).not.toHaveBeenCalled();
    expect(seen[0]).toMatchObject({ outcome: 'denied', status: 403 });
  });

  it('answers invalid input with a 400 naming the field and a next step ("invalid")', async () => {
    const { exec, seen } = executorWith({ run: jest.fn() });
    const err = await exec.execute('echo', { job_id: 7 }, { principal: operator, transport: 'mcp' }).catch((e) => e);
    expect(err.body).toMatchObject({ statusCode: 400, message: 'Invalid request: job_id: job_id must be a string', next_step: 'Fix those arguments and call the tool again.' });
    expect(seen[0]).toMatchObject({ outcome: 'invalid', status: 400, error: 'Invalid request: job_id: job_id must be a string' });
  });

  it('runs a route\'s own input check (prepare) as its validation step: a refusal there is "invalid", and what it returns is validated too', async () => {
    const run = jest.fn(async (_c, i: EchoDto) => ({ message: `did ${i.job_id}` }));
    const { exec, seen } = executorWith({ run });
    const refuse = async () => {
      throw new BadRequestException('Invalid request: body: not this one');
    };
    const refused = await exec.execute('echo', { job_id: 'web' }, { principal: operator, transport: 'rest' }, { prepare: refuse }).catch((e) => e);
    expect(refused.body).toMatchObject({ statusCode: 400, message: 'Invalid request: body: not this one' });
    const badResult = await exec.execute('echo', { job_id: 'web' }, { principal: operator, transport: 'rest' }, { prepare: async () => ({ job_id: 7 }) }).catch((e) => e);
    expect(badResult.body).toMatchObject({ statusCode: 400, message: 'Invalid request: job_id: job_id must be a string' });
    expect(seen.map((e) => e.outcome)).toEqual(['invalid', 'invalid']);
    expect(run).not.toHaveBeenCalled();
    await exec.execute('echo', { raw: true }, { principal: operator, transport: 'rest' }, { prepare: async () => ({ job_id: 'web' }) });
    expect(run).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ job_id: 'web' }));
  });

  it('maps Nomad failures to their status with what to do next ("error")', async () => {
    const { exec, seen } = executorWith({ run: async () => { throw new NomadUnavailableError('http://nomad:4646', 'ECONNREFUSED', 'GET /v1/jobs'); } });
    const err = await exec.execute('echo', { job_id: 'web' }, { principal: operator, transport: 'rest' }).catch((e) => e);
    expect(err.body).toMatchObject({ statusCode: 503, next_step: expect.stringMatching(/^Nomad is not answering/) });
    expect(seen[0]).toMatchObject({ outcome: 'error', status: 503, job: 'web' });
  });

  it('a change whose answer was lost says to look before calling again, not to retry', async () => {
    const { exec } = executorWith({ run: async () => { throw new NomadTimeoutError('http://nomad:4646', 1000, 'DELETE /v1/job/web'); } });
    const err = await exec.execute('echo', { job_id: 'web' }, { principal: operator, transport: 'rest' }).catch((e) => e);
    expect(err.body).toMatchObject({
      statusCode: 504,
      next_step: "The change may have reached Nomad before its answer was lost: call get_job_status for job 'web' in namespace 'development' to see whether it took effect before calling echo again.",
    });
  });

  it('a read-only operation whose read timed out, or a write never sent (refused), says to retry later', async () => {
    const refused = executorWith({ run: async () => { throw new NomadUnavailableError('http://nomad:4646', 'ECONNREFUSED', 'DELETE /v1/job/web'); } });
    const err = await refused.exec.execute('echo', { job_id: 'web' }, { principal: operator, transport: 'rest' }).catch((e) => e);
    expect(err.body.next_step).toMatch(/^Nomad is not answering; retry later/);
    const readOnly = { ...def, annotations: { readOnly: true, destructive: false, idempotent: true } };
    const registry = { find: () => ({ def: readOnly, handler: { run: async () => { throw new NomadTimeoutError('http://nomad:4646', 1000, 'POST /v1/search'); } } }), names: () => ['echo'] } as unknown as OperationRegistry;
    const exec = new OperationExecutor(registry, new OperationEvents(), { defaultNamespace: 'development' } as AppConfig);
    const timedOut = await exec.execute('echo', { job_id: 'web' }, { principal: operator, transport: 'mcp' }).catch((e) => e);
    expect(timedOut.body).toMatchObject({ statusCode: 504, next_step: expect.stringMatching(/^Nomad is not answering; retry later/) });
  });
});
