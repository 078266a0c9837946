import { IncomingMessage, ServerResponse } from 'node:http';
import { startTestHttpServer, TestHttpServer, trickle } from '../libs/nomad/src/testing/test-http-server';
import { startStack, Stack } from './support/stack';

/**
 * The service in front of a Nomad that misbehaves on purpose (issue 7, "Security and robustness"): each
 * misbehaviour must become a small, clear 5xx that says what to do, never a 500, a hang or a leaked secret.
 */
describe('the service in front of a misbehaving Nomad', () => {
  let nomad: TestHttpServer | undefined;
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    await nomad?.close();
    nomad = stack = undefined;
  });

  /** A fake Nomad: `leader` answers /v1/status/leader, `jobs` every /v1/jobs call. */
  const start = async (routes: { leader?: Handler; jobs?: Handler }, env: Record<string, string> = {}, addr = (u: string) => u) => {
    nomad = await startTestHttpServer((req, res) => {
      const route = req.url!.startsWith('/v1/status/leader') ? routes.leader : req.url!.startsWith('/v1/jobs') ? routes.jobs : undefined;
      if (route) return route(req, res);
      res.writeHead(404).end('not found');
    });
    stack = await startStack({ sim: false, env: { NOMAD_ADDR: addr(nomad.url), ...env } });
    return stack;
  };
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  const json = (body: unknown): Handler => (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

  it('a 20 MB Nomad error becomes a 502 of a few hundred bytes, and /health stays small', async () => {
    const huge: Handler = (_req, res) => void res.writeHead(500, { 'Content-Type': 'text/plain' }).end('rpc error: ' + 'x'.repeat(20 * 1024 * 1024));
    const s = await start({ leader: huge, jobs: huge });
    const r = await s.api('GET', '/api/claude/list-jobs');
    expect(r.status).toBe(502);
    expect(r.text.length).toBeLessThan(1500);
    expect(r.json.message).toMatch(/^Nomad rejected GET \/v1\/jobs with 500: rpc error: x+… \[cut: Nomad's message is longer than 500 characters\]$/);
    const health = await s.api('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.text.length).toBeLessThan(4000);
  });

  it('a Nomad trickling its answer is cut at NOMAD_TIMEOUT_MS: 504', async () => {
    const slow: Handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      trickle(res, ' ', 200);
    };
    const s = await start({ jobs: slow }, { NOMAD_TIMEOUT_MS: '800' });
    const started = Date.now();
    const r = await s.api('GET', '/api/claude/list-jobs');
    expect(r.status).toBe(504);
    expect(r.json.message).toMatch(/did not answer within 800 ms \(GET \/v1\/jobs\)/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('JSON of the wrong shape is a 502 naming what was expected, and /health is down, not up', async () => {
    const s = await start({ leader: json({ Leader: 'x' }), jobs: json({ Jobs: [] }) });
    const r = await s.api('GET', '/api/claude/list-jobs');
    expect(r.status).toBe(502);
    expect(r.json.message).toBe(
      `Nomad at ${nomad!.url} answered GET /v1/jobs with an unexpected body (expected a list of jobs, each with an ID); ` +
        'check that NOMAD_ADDR points at a Nomad agent (or a proxy that passes its answers through unchanged)',
    );
    const health = await s.api('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.json.details.nomad.message).toMatch(/with JSON that is not what Nomad sends \(expected a string \(the leader's address\)\)/);
  });

  it('an answer cut off mid-body is a 502 that says so, not "Nomad is unreachable" (503)', async () => {
    const cut: Handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 5000 });
      res.write('[{"ID":"web"');
      setTimeout(() => res.socket?.resetAndDestroy(), 30);
    };
    const s = await start({ jobs: cut });
    const r = await s.api('GET', '/api/claude/list-jobs');
    expect(r.status).toBe(502);
    expect(r.json.message).toMatch(/^Nomad's answer to GET \/v1\/jobs was cut off after 12 bytes \(ECONNRESET\); .* Retry;/);
  });

  it("never shows the password of NOMAD_ADDR, in errors or in the public /health, yet sends it to Nomad", async () => {
    const secret = 'pw-DO-NOT-SHOW';
    const s = await start({ leader: (_q, res) => void res.writeHead(500).end('no leader'), jobs: json('not a list') }, {}, (u) => u.replace('http://', `http://ops:${secret}@`));
    const [r, health] = [await s.api('GET', '/api/claude/list-jobs'), await s.api('GET', '/health')];
    expect(r.status).toBe(502);
    expect(health.status).toBe(503);
    expect(health.json.details.nomad.address).toBe(`http://***@127.0.0.1:${nomad!.port}`);
    for (const text of [r.text, health.text]) expect(text).not.toContain(secret);
    expect(nomad!.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`ops:${secret}`).toString('base64')}`);
  });
});
