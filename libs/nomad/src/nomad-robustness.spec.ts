import { Test, TestingModule } from '@nestjs/testing';
import {
  NomadApiError,
  NomadBadResponseError,
  NomadResponseTooLargeError,
  NomadTimeoutError,
  NomadTruncatedResponseError,
  NomadUnavailableError,
} from './nomad.errors';
import { NomadModule } from './nomad.module';
import { NomadClientOptions } from './nomad.options';
import { NomadJobsApi } from './resources/nomad-jobs.api';
import { NomadStatusApi } from './resources/nomad-status.api';
import { pour, startTestHttpServer, TestHttpServer, trickle } from './testing/test-http-server';
import { NomadTransport } from './transport/nomad.transport';

/** The client as the service uses it, over real sockets to a Nomad that misbehaves on purpose. */
async function clientFor(address: string, opts: Partial<NomadClientOptions> = {}) {
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [NomadModule.forRoot({ address, timeoutMs: 2000, ...opts })],
  }).compile();
  const jobs = moduleRef.get(NomadJobsApi);
  const status = moduleRef.get(NomadStatusApi);
  return {
    address: moduleRef.get(NomadTransport).displayAddress,
    listJobs: async (ns: string) => (await jobs.list(ns)).body,
    getJob: async (ns: string, id: string) => (await jobs.get(ns, id)).body,
    leader: () => status.leader(),
    close: () => moduleRef.close(),
  };
}
type Client = Awaited<ReturnType<typeof clientFor>>;

const MB = 1024 * 1024;

describe('Nomad client against a misbehaving Nomad', () => {
  let server: TestHttpServer | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
    server = client = undefined;
  });

  it('bounds the whole call by the timeout: a Nomad trickling a byte every 500 ms does not hold it', async () => {
    server = await startTestHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      trickle(res, ' ', 500);
    });
    client = await clientFor(server.url, { timeoutMs: 1500 });
    const started = Date.now();
    const err = await client.listJobs('default').catch((e) => e);
    expect(err).toBeInstanceOf(NomadTimeoutError);
    expect(err.message).toMatch(/did not answer within 1500 ms/);
    expect(Date.now() - started).toBeLessThan(2500);
    await server.socketsClosed();
  });

  it('reads at most 64 KiB of a 20 MB error and quotes at most 500 characters of it, saying it was cut', async () => {
    let poured = { sent: 0 };
    server = await startTestHttpServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      poured = pour(res, 'rpc error: ', 20 * MB);
    });
    client = await clientFor(server.url);
    const err = await client.listJobs('default').catch((e) => e);
    expect(err).toBeInstanceOf(NomadApiError);
    expect(err.status).toBe(500);
    expect(err.nomadMessage).toMatch(/^rpc error: x+… \[cut: Nomad's message is longer than 500 characters\]$/);
    expect(err.nomadMessage.length).toBeLessThan(600);
    expect(err.message.length).toBeLessThan(700);
    await server.socketsClosed(); // the client hung up instead of draining 20 MB (kernel buffers take a few)
    expect(poured.sent).toBeLessThan(16 * MB);
  });

  it('fails an answer larger than maxResponseBytes with its own error, not a fake "Nomad rejected"', async () => {
    const big = JSON.stringify(Array.from({ length: 40_000 }, (_, i) => ({ ID: `job-${i}`, Name: 'x'.repeat(100) })));
    expect(big.length).toBeGreaterThan(4 * MB);
    server = await startTestHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked: no length announced
      res.end(big);
    });
    client = await clientFor(server.url, { maxResponseBytes: MB });
    const err = await client.listJobs('default').catch((e) => e);
    expect(err).toBeInstanceOf(NomadResponseTooLargeError);
    expect(err).not.toBeInstanceOf(NomadApiError);
    expect(err.message).toBe(
      "Nomad's answer to GET /v1/jobs is larger than 1 MiB, the most this service reads from Nomad; " +
        'ask for less: name a namespace, an ID prefix or a filter, or fewer log lines',
    );
  });

  it('reports a body cut off mid-way (reset, shorter than announced) as cut off, never as unreachable', async () => {
    server = await startTestHttpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
      res.write('[{"ID":"web"');
      // the first request ends the connection cleanly but early, the second resets it
      setTimeout(() => (req.url?.startsWith('/v1/jobs') ? res.socket?.end() : res.socket?.resetAndDestroy()), 50);
    });
    client = await clientFor(server.url);
    for (const call of [() => client!.listJobs('default'), () => client!.getJob('default', 'web')]) {
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(NomadTruncatedResponseError);
      expect(err).not.toBeInstanceOf(NomadUnavailableError);
      expect(err.message).toMatch(/^Nomad's answer to GET \/v1\/(jobs|job\/web) was cut off after 12 bytes \(ECONNRESET\)/);
    }
  });

  it('turns JSON of the wrong shape into NomadBadResponseError naming what was expected', async () => {
    const answers: Record<string, unknown> = {
      '/v1/jobs': { Jobs: [] },
      '/v1/job/web': 'web',
      '/v1/status/leader': { Leader: 'x' },
    };
    server = await startTestHttpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answers[req.url!.split('?')[0]]));
    });
    client = await clientFor(server.url);
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => client!.listJobs('default'), 'GET /v1/jobs with an unexpected body (expected a list of jobs, each with an ID)'],
      [() => client!.getJob('default', 'web'), 'GET /v1/job/web with an unexpected body (expected a job with an ID)'],
      [() => client!.leader(), "GET /v1/status/leader with an unexpected body (expected a string (the leader's address))"],
    ];
    for (const [call, text] of cases) {
      const err = (await call().catch((e: Error) => e)) as Error;
      expect(err).toBeInstanceOf(NomadBadResponseError);
      expect(err.message).toBe(`Nomad at ${server.url} answered ${text}; check that NOMAD_ADDR points at a Nomad agent (or a proxy that passes its answers through unchanged)`);
    }
    answers['/v1/jobs'] = [{ ID: 'ok' }, 7];
    await expect(client.listJobs('default')).rejects.toBeInstanceOf(NomadBadResponseError);
  });

  it("sends NOMAD_ADDR's credentials as basic auth, and never shows the password", async () => {
    const addressWith = (url: string) => url.replace('http://', 'http://ops:pa%20ss-SECRET@');
    const seen: string[] = [];
    server = await startTestHttpServer((req, res) => {
      seen.push(String(req.headers.authorization));
      if (req.url!.startsWith('/v1/jobs')) return void res.writeHead(500).end('boom');
      if (req.url!.startsWith('/v1/job/')) return void res.writeHead(200).end('{"not":"a job"}');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('"127.0.0.1:4647"');
    });
    client = await clientFor(addressWith(server.url), { timeoutMs: 500 });
    expect(await client.leader()).toBe('127.0.0.1:4647');
    expect(seen[0]).toBe(`Basic ${Buffer.from('ops:pa ss-SECRET').toString('base64')}`);
    expect(client.address).toBe(`http://***@127.0.0.1:${server.port}`);
    const messages = [
      (await client.listJobs('default').catch((e) => e)).message,
      (await client.getJob('default', 'web').catch((e) => e)).message,
    ];
    await server.close();
    server = undefined;
    messages.push((await client.leader().catch((e) => e)).message);
    expect(messages[2]).toMatch(/^Nomad at http:\/\/\*\*\*@127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)$/);
    for (const m of messages) expect(m).not.toMatch(/SECRET|pa%20ss/);
    const blackHole = await startTestHttpServer(() => undefined);
    await client.close();
    client = await clientFor(addressWith(blackHole.url), { timeoutMs: 200 });
    const slow = await client.leader().catch((e) => e);
    expect(slow).toBeInstanceOf(NomadTimeoutError);
    expect(slow.message).not.toMatch(/SECRET/);
    await blackHole.close();
  });
});
