import { NomadApiError } from '../nomad.errors';
import { startTestHttpServer, TestHttpServer } from '../testing/test-http-server';
import { withNomadToken } from './nomad-token-scope';
import { NomadTransport } from './nomad.transport';

const CALLER = { secret: 'caller-token-secret-1', label: "the Nomad token of identity 'ci-bot' (nomad_token_env CI)" };

describe('NomadTransport with a caller token (withNomadToken)', () => {
  let server: TestHttpServer;
  let transport: NomadTransport;
  afterEach(async () => {
    transport?.onModuleDestroy();
    await server?.close();
  });

  it('sends the scoped token on every kind of call, and the configured one (or none) outside a scope', async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url!.startsWith('/v1/client/fs/logs')) res.writeHead(200, { 'Content-Type': 'text/plain' }).end('line\n');
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    transport = new NomadTransport({ address: server.url, timeoutMs: 2000, token: 'service-token' });
    await withNomadToken(CALLER, async () => {
      await transport.json('GET', '/v1/jobs');
      await transport.json('PUT', '/v1/jobs', { body: { Job: {} } });
      await transport.text('GET', '/v1/client/fs/logs/a1');
      const s = await transport.stream('GET', '/v1/client/fs/logs/a1');
      for await (const _ of s.stream); // read to the end
    });
    await transport.json('GET', '/v1/jobs');
    await withNomadToken(undefined, () => transport.json('GET', '/v1/jobs'));
    expect(server.requests.map((r) => [r.line, r.headers['x-nomad-token']])).toEqual([
      ['GET /v1/jobs', CALLER.secret],
      ['PUT /v1/jobs', CALLER.secret],
      ['GET /v1/client/fs/logs/a1', CALLER.secret],
      ['GET /v1/client/fs/logs/a1', CALLER.secret],
      ['GET /v1/jobs', 'service-token'],
      ['GET /v1/jobs', 'service-token'],
    ]);
    expect(server.requests[1].headers['content-type']).toBe('application/json');

    const open = new NomadTransport({ address: server.url, timeoutMs: 2000 });
    try {
      await withNomadToken(CALLER, () => open.json('GET', '/v1/jobs'));
      await open.json('GET', '/v1/jobs');
    } finally {
      open.onModuleDestroy();
    }
    expect(server.requests.slice(-2).map((r) => r.headers['x-nomad-token'])).toEqual([CALLER.secret, undefined]);
  });

  it('keeps concurrent callers apart: each request carries the token of its own scope', async () => {
    server = await startTestHttpServer((req, res) => {
      // answer in the reverse order of arrival, so the scopes interleave across awaits
      setTimeout(() => res.writeHead(200).end('[]'), req.headers['x-nomad-token'] === 'a-token' ? 120 : 10);
    });
    transport = new NomadTransport({ address: server.url, timeoutMs: 2000, token: 'service-token' });
    const as = (secret: string) => withNomadToken({ secret, label: secret }, async () => {
      await transport.json('GET', '/v1/jobs', { query: { prefix: secret } });
      await transport.json('GET', '/v1/jobs', { query: { prefix: secret } });
    });
    await Promise.all([as('a-token'), as('b-token'), transport.json('GET', '/v1/jobs', { query: { prefix: 'none' } })]);
    for (const r of server.requests) {
      const prefix = /prefix=([a-z-]+)/.exec(r.line)![1];
      expect([prefix, r.headers['x-nomad-token']]).toEqual([prefix, prefix === 'none' ? 'service-token' : prefix]);
    }
    expect(server.requests).toHaveLength(5);
  });

  it("says on a refusal whose token it was (a label, never the token); the service's own leaves it unset", async () => {
    server = await startTestHttpServer((_req, res) => res.writeHead(403).end('Permission denied'));
    transport = new NomadTransport({ address: server.url, timeoutMs: 2000, token: 'service-token' });
    const mine = await withNomadToken(CALLER, () => transport.json('DELETE', '/v1/job/web')).catch((e) => e);
    expect(mine).toBeInstanceOf(NomadApiError);
    expect(mine).toMatchObject({ status: 403, nomadMessage: 'Permission denied', operation: 'DELETE /v1/job/web', tokenLabel: CALLER.label });
    expect(`${mine.message} ${JSON.stringify(mine)}`).not.toContain(CALLER.secret);
    const service = await transport.json('DELETE', '/v1/job/web').catch((e) => e);
    expect(service.tokenLabel).toBeUndefined();
  });
});
