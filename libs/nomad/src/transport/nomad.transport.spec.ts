import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NomadApiError, NomadTimeoutError, NomadTruncatedResponseError, NomadUnavailableError } from '../nomad.errors';
import { NomadClientOptions } from '../nomad.options';
import { startTestHttpServer, TestHttpServer, trickle } from '../testing/test-http-server';
import { NomadTransport } from './nomad.transport';
import { parseNomadAddress, redactUrl } from './nomad-address';

describe('NomadTransport', () => {
  let server: TestHttpServer | undefined;
  let transport: NomadTransport | undefined;
  const transportFor = (address: string, opts: Partial<NomadClientOptions> = {}) =>
    (transport = new NomadTransport({ address, timeoutMs: 2000, ...opts }));
  afterEach(async () => {
    transport?.onModuleDestroy();
    await server?.close();
    server = transport = undefined;
  });

  it("returns Nomad's index headers with the body, matching their names case-insensitively", async () => {
    server = await startTestHttpServer((_req, res) => {
      // Go's canonical spelling, as Nomad sends them
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Nomad-Index': '4711', 'X-Nomad-Knownleader': 'true', 'X-Nomad-Lastcontact': '12' });
      res.end('[{"ID":"web"}]');
    });
    const res = await transportFor(server.url, { region: 'eu', token: 'secret-token' }).json('GET', '/v1/jobs', { query: { namespace: 'default' } });
    expect(res).toEqual({ body: [{ ID: 'web' }], index: 4711, knownLeader: true, lastContactMs: 12 });
    expect(server.requests[0].line).toBe('GET /v1/jobs?region=eu&namespace=default');
    expect(server.requests[0].headers['x-nomad-token']).toBe('secret-token');
    // a path with its own query or outside /v1/ did not come from nomadPath: refused before any traffic
    for (const raw of ['/v1/jobs?prefix=x', '/v1/job/a#b', '/ui/']) await expect(transport!.json('GET', raw)).rejects.toThrow(/not a path built by nomadPath/);
    expect(server.requests).toHaveLength(1);
  });

  it('runs a blocking query: sends index and wait, and waits longer than the normal timeout for it', async () => {
    server = await startTestHttpServer((req, res) => {
      const blocking = /[?&]index=/.test(req.url!);
      setTimeout(() => res.writeHead(200, { 'X-Nomad-Index': '8' }).end('[]'), blocking ? 700 : 0);
    });
    const t = transportFor(server.url, { timeoutMs: 300 });
    const res = await t.json('GET', '/v1/jobs', { index: 7, waitMs: 600 });
    expect(res).toMatchObject({ body: [], index: 8 });
    expect(server.requests[0].line).toBe('GET /v1/jobs?index=7&wait=600ms');
    // the same delay without index/wait is bound by the normal timeout
    const slow = await startTestHttpServer((_req, res) => void setTimeout(() => res.end('[]'), 700));
    const err = await transportFor(slow.url, { timeoutMs: 300 }).json('GET', '/v1/jobs').catch((e) => e);
    await slow.close();
    expect(err).toBeInstanceOf(NomadTimeoutError);
  });

  it('bounds a blocking query by wait + wait/16 + the timeout, not forever', async () => {
    server = await startTestHttpServer(() => undefined);
    const started = Date.now();
    const err = await transportFor(server.url, { timeoutMs: 200 }).json('GET', '/v1/jobs', { index: 3, waitMs: 320 }).catch((e) => e);
    expect(err).toBeInstanceOf(NomadTimeoutError);
    expect(err.timeoutMs).toBe(320 + 20 + 200);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('streams an answer as it arrives, and closing the stream closes the connection', async () => {
    server = await startTestHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      trickle(res, 'line\n', 20);
    });
    // the timeout bounds the start of a stream, not how long it lasts
    const s = await transportFor(server.url, { timeoutMs: 100 }).stream('GET', '/v1/client/fs/logs/a', { query: { follow: true } });
    expect(s.contentType).toBe('text/plain');
    let text = '';
    for await (const chunk of s.stream) {
      text += chunk;
      if (text.length >= 'line\n'.length * 10) break;
    }
    expect(text.startsWith('line\nline\n')).toBe(true);
    s.close();
    await server.socketsClosed();
  });

  it("fails a stream with Nomad's error before the first byte, and marks a reset part-way as cut off", async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url!.includes('missing')) return void res.writeHead(404).end('task "web" not started yet. No logs available');
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      setTimeout(() => res.socket?.resetAndDestroy(), 50);
    });
    const t = transportFor(server.url);
    const missing = await t.stream('GET', '/v1/client/fs/logs/missing').catch((e) => e);
    expect(missing).toBeInstanceOf(NomadApiError);
    expect(missing.nomadMessage).toBe('task "web" not started yet. No logs available');
    const s = await t.stream('GET', '/v1/client/fs/logs/a');
    let text = '';
    const err = await (async () => {
      for await (const chunk of s.stream) text += chunk;
    })().catch((e) => e);
    expect(text).toBe('partial');
    expect(err).toBeInstanceOf(NomadTruncatedResponseError);
    expect(err.bytesRead).toBe(7);
  });

  it("stops a call when the caller's signal aborts, with the signal's reason", async () => {
    server = await startTestHttpServer((_req, res) => {
      res.writeHead(200);
      trickle(res, ' ', 50);
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 150);
    const err = await transportFor(server.url).json('GET', '/v1/jobs', { signal: controller.signal }).catch((e) => e);
    expect(err).toEqual(new Error('caller gave up'));
    await server.socketsClosed();
  });

  it('tells calls$ how each call ended: the status, or timeout/unreachable/truncated when there was none', async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url!.startsWith('/v1/job/missing')) return void res.writeHead(404).end('job not found');
      if (req.url!.startsWith('/v1/job/slow')) return void setTimeout(() => res.end('{}'), 400);
      if (req.url!.startsWith('/v1/job/cut')) return void (res.writeHead(200).write('{"ID"'), setTimeout(() => res.socket?.resetAndDestroy(), 20));
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('[]');
    });
    const t = transportFor(server.url, { timeoutMs: 200 });
    const seen: Array<{ method: string; path: string; status: unknown; durationMs: number; blocking: boolean }> = [];
    const subscription = t.calls$.subscribe((c) => seen.push(c));
    await t.json('GET', '/v1/jobs', { index: 1, waitMs: 10 });
    await t.json('GET', '/v1/job/missing').catch(() => undefined);
    await t.json('GET', '/v1/job/slow').catch(() => undefined);
    await t.json('GET', '/v1/job/cut').catch(() => undefined);
    const s = await t.stream('GET', '/v1/client/fs/logs/a1');
    s.close();
    subscription.unsubscribe();
    await t.json('GET', '/v1/jobs');
    expect(seen.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path: '/v1/jobs', status: 200 },
      { method: 'GET', path: '/v1/job/missing', status: 404 },
      { method: 'GET', path: '/v1/job/slow', status: 'timeout' },
      { method: 'GET', path: '/v1/job/cut', status: 'truncated' },
      { method: 'GET', path: '/v1/client/fs/logs/a1', status: 200 },
    ]);
    expect(seen[2].durationMs).toBeGreaterThanOrEqual(150);
    expect(seen.map((c) => c.blocking)).toEqual([true, false, false, false, false]);
    const down = await transportFor('http://127.0.0.1:1', { timeoutMs: 500 });
    const downSeen: unknown[] = [];
    down.calls$.subscribe((c) => downSeen.push(c.status));
    await down.json('GET', '/v1/jobs').catch(() => undefined);
    down.onModuleDestroy();
    expect(downSeen).toEqual(['unreachable']);
  });
});

describe('NomadTransport over a Unix socket (NOMAD_ADDR=unix:///…/api.sock, the Task API)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nomad-task-api-'));
  const socket = join(dir, 'api.sock');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends every request to the socket, with the token, and names the socket when it is not there', async () => {
    const seen: Array<{ line: string; host?: string; token?: string }> = [];
    const server = createServer((req, res) => {
      seen.push({ line: `${req.method} ${req.url}`, host: req.headers.host, token: req.headers['x-nomad-token'] as string });
      res.setHeader('X-Nomad-Index', '7');
      res.end(JSON.stringify([{ ID: 'web' }]));
    });
    await new Promise<void>((r) => server.listen(socket, r));
    const transport = new NomadTransport({ address: `unix://${socket}`, timeoutMs: 2000, token: 'wi-jwt' });
    try {
      const res = await transport.json('GET', '/v1/jobs', { query: { namespace: 'default' } });
      expect(res).toEqual({ index: 7, body: [{ ID: 'web' }] });
      expect(seen).toEqual([{ line: 'GET /v1/jobs?namespace=default', host: 'localhost', token: 'wi-jwt' }]);
      expect(transport.displayAddress).toBe(`unix://${socket}`);
    } finally {
      transport.onModuleDestroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
    const gone = new NomadTransport({ address: `unix://${socket}`, timeoutMs: 2000 });
    try {
      const err = await gone.json('GET', '/v1/jobs').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NomadUnavailableError);
      expect(err).toMatchObject({ address: `unix://${socket}`, cause: 'ENOENT' });
    } finally {
      gone.onModuleDestroy();
    }
  });

  it('reads unix:// addresses with an absolute path only; http(s) addresses keep their host', () => {
    expect(parseNomadAddress('unix:///secrets/api.sock')).toEqual({ baseUrl: 'http://localhost', socketPath: '/secrets/api.sock', display: 'unix:///secrets/api.sock' });
    expect(parseNomadAddress('unix://relative.sock').socketPath).toBeUndefined();
    expect(parseNomadAddress('http://127.0.0.1:4646/').socketPath).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('hides the password (and a lone user name, often a token) and nothing else', () => {
    expect(redactUrl('http://user:pw@nomad:4646')).toBe('http://***@nomad:4646');
    expect(redactUrl('https://tok3n@nomad.example/prefix')).toBe('https://***@nomad.example/prefix');
    expect(redactUrl('http://127.0.0.1:4646')).toBe('http://127.0.0.1:4646');
    expect(redactUrl('http://nomad:4646/a@b')).toBe('http://nomad:4646/a@b');
  });
});
