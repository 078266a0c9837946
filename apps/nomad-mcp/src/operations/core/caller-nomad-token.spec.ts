import { IsString } from 'class-validator';
import { attachNomadToken, Principal } from '@nomad-mcp/auth';
import { NomadTransport } from '@nomad-mcp/nomad';
import { startTestHttpServer, TestHttpServer } from '../../../../../libs/nomad/src/testing/test-http-server';
import { AppConfig } from '../../config/env.schema';
import { OperationDefinition, OperationHandler } from './operation';
import { OperationEvents } from './operation-events';
import { OperationExecutor, OperationFailure } from './operation.executor';
import { OperationRegistry } from './operation.registry';

class StopDto {
  @IsString()
  job_id: string;
}

const stopDef: OperationDefinition = {
  name: 'stop_it', title: 'Stop', description: 'Stop a job.', input: StopDto, output: Object as never,
  annotations: { readOnly: false, destructive: true, idempotent: true }, permission: 'operate', nomadCapability: 'submit-job',
  order: 1, rest: { method: 'POST', path: 'stop-it' },
};
const listDef: OperationDefinition = { ...stopDef, name: 'list_them', permission: 'read', nomadCapability: 'list-jobs', annotations: { readOnly: true, destructive: false, idempotent: true } };
const bareDef: OperationDefinition = { ...stopDef, name: 'bare', nomadCapability: undefined };

const TOKEN = 'identity-token-secret-9';
const label = "the Nomad token of identity 'ci-bot' (nomad_token_env CI)";

/** The executor over a handler that reads then deletes a job through a real transport to a local "Nomad". */
function executorFor(transport: NomadTransport) {
  const handler: OperationHandler = {
    run: async (ctx, i: StopDto) => {
      const namespace = ctx.namespace();
      await transport.json('GET', `/v1/job/${i.job_id}`, { query: { namespace } });
      await transport.json('DELETE', `/v1/job/${i.job_id}`, { query: { namespace } });
      return { message: 'stopped', job_id: i.job_id };
    },
  };
  const defs = [stopDef, listDef, bareDef];
  const registry = { find: (n: string) => defs.find((d) => d.name === n) && { def: defs.find((d) => d.name === n)!, handler }, names: () => defs.map((d) => d.name) } as unknown as OperationRegistry;
  return new OperationExecutor(registry, new OperationEvents(), { defaultNamespace: 'development' } as AppConfig);
}

describe('calls run with the caller’s Nomad token; a Nomad 403 names the capability', () => {
  let server: TestHttpServer;
  let transport: NomadTransport;
  let deny = false;
  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (deny && req.method === 'DELETE') res.writeHead(403).end('Permission denied');
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"EvalID":""}');
    });
    transport = new NomadTransport({ address: server.url, timeoutMs: 2000, token: 'service-token' });
  });
  afterAll(async () => {
    transport.onModuleDestroy();
    await server.close();
  });
  // confirm: off — confirmations have their own spec; here the change goes to Nomad in one call
  const withToken = (): Principal => attachNomadToken({ name: 'ci-bot', kind: 'api-key', permissions: ['*'], confirm: 'off' }, { secret: TOKEN, label });
  const plain: Principal = { name: 'key-12345678', kind: 'api-key' };

  it("sends the identity's token on every Nomad call of the operation, and NOMAD_TOKEN for a caller without one", async () => {
    deny = false;
    const exec = executorFor(transport);
    const before = server.requests.length;
    await exec.execute('stop_it', { job_id: 'web' }, { principal: withToken(), transport: 'rest' });
    await exec.execute('stop_it', { job_id: 'api' }, { principal: plain, transport: 'mcp' });
    expect(server.requests.slice(before).map((r) => `${r.line} ${r.headers['x-nomad-token']}`)).toEqual([
      `GET /v1/job/web?namespace=development ${TOKEN}`,
      `DELETE /v1/job/web?namespace=development ${TOKEN}`,
      'GET /v1/job/api?namespace=development service-token',
      'DELETE /v1/job/api?namespace=development service-token',
    ]);
  });

  it("answers Nomad's 403 with whose token lacked which capability in which namespace, and how to grant it", async () => {
    deny = true;
    const exec = executorFor(transport);
    const own = await exec.execute('stop_it', { job_id: 'web' }, { principal: withToken(), transport: 'rest' }).catch((e) => e);
    expect(own).toBeInstanceOf(OperationFailure);
    expect(own.body).toEqual({
      statusCode: 403, error: 'Forbidden', nomad_status: 403, nomad_capability: 'submit-job',
      message: `Nomad refused DELETE /v1/job/web (Permission denied): ${label} lacks the capability 'submit-job' that stop_it needs in namespace 'development' (with 'read-job', to read the job first).`,
      next_step: 'Add \'submit-job\' to that token\'s ACL policy for namespace "development" (namespace "development" { capabilities = ["read-job", "submit-job"] }), or ask an operator to; do not retry until then.',
    });
    expect(JSON.stringify(own.body)).not.toContain(TOKEN);
    // the service's own token: the service is misconfigured, so 502 as before, with the same guidance
    const service = await exec.execute('stop_it', { job_id: 'web' }, { principal: plain, transport: 'rest' }).catch((e) => e);
    expect(service.body).toMatchObject({ statusCode: 502, message: expect.stringContaining("the service's Nomad token (NOMAD_TOKEN) lacks the capability 'submit-job'") });
    const list = await exec.execute('list_them', { job_id: 'web' }, { principal: withToken(), transport: 'rest' }).catch((e) => e);
    expect(list.body.message).toMatch(/lacks the capability 'list-jobs' that list_them needs in namespace 'development'\.$/);
    expect(list.body.next_step).toContain('capabilities = ["list-jobs"]');
    const bare = await exec.execute('bare', { job_id: 'web' }, { principal: withToken(), transport: 'rest' }).catch((e) => e);
    expect(bare.body).toMatchObject({ statusCode: 403, message: expect.stringMatching(/lacks a capability bare needs in namespace 'development'\.$/), next_step: expect.stringMatching(/^Check the ACL policy of that token/) });
  });
});
