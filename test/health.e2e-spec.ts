import Database from 'better-sqlite3';
import { createServer, Server } from 'node:http';
import { startSimulator } from '../apps/nomad-sim/src';
import { closedPortUrl, startBlackHole, startStack, Stack } from './support/stack';

/** A server that answers every request 200 with this JSON body: something at NOMAD_ADDR that is not Nomad. */
async function jsonServer(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function health(opts: Parameters<typeof startStack>[0]) {
  const s: Stack = await startStack(opts);
  try {
    const r = await s.api('GET', '/health');
    return { status: r.status, text: r.text, nomad: (r.json.details ?? r.json.info).nomad, message: r.json.message as string | undefined, sim: s.sim };
  } finally {
    await s.close();
  }
}

describe('/health says why Nomad cannot be used', () => {
  it('token refused (403): names NOMAD_TOKEN, never shows it', async () => {
    const h = await health({ sim: { acl: true, bootstrapToken: 'mgmt-SECRET-1' }, env: { NOMAD_TOKEN: 'wrong-SECRET-2' } });
    expect(h.status).toBe(503);
    expect(h.nomad).toMatchObject({ status: 'down', reason: 'token-refused' });
    expect(h.nomad.message).toMatch(/refused the token \(403 Permission denied\): NOMAD_TOKEN is unknown, expired or malformed; set a valid NOMAD_TOKEN\.$/);
    expect(h.message).toMatch(/^Service is up, but nomad is down: Nomad at http:\/\/127\.0\.0\.1:\d+ refused the token/);
    expect(h.text).not.toMatch(/SECRET/);
  });

  it('a host name that does not resolve (ENOTFOUND)', async () => {
    const h = await health({ sim: false, env: { NOMAD_ADDR: 'http://nomad.invalid:4646' } });
    expect(h.status).toBe(503);
    expect(h.nomad).toMatchObject({ status: 'down', reason: 'dns', address: 'http://nomad.invalid:4646' });
    expect(h.nomad.message).toMatch(/^Nomad at http:\/\/nomad\.invalid:4646 is unreachable \((ENOTFOUND|EAI_AGAIN)\): the host name 'nomad\.invalid' (does not resolve|could not be resolved)/);
  });

  it('connection refused', async () => {
    const h = await health({ sim: false, env: { NOMAD_ADDR: await closedPortUrl() } });
    expect(h.status).toBe(503);
    expect(h.nomad).toMatchObject({ status: 'down', reason: 'connection-refused', message: expect.stringMatching(/\(ECONNREFUSED\): connection refused; is Nomad running there/) });
  });

  it('a Nomad that does not answer: timeout, bounded by NOMAD_TIMEOUT_MS', async () => {
    const hole = await startBlackHole();
    try {
      const started = Date.now();
      const h = await health({ sim: false, env: { NOMAD_ADDR: hole.url, NOMAD_TIMEOUT_MS: '300' } });
      expect(Date.now() - started).toBeLessThan(2500);
      expect(h.status).toBe(503);
      expect(h.nomad).toMatchObject({ status: 'down', reason: 'timeout', message: expect.stringMatching(/did not answer within 300 ms \(timeout\)/) });
    } finally {
      await hole.close();
    }
  });

  it.each([
    ['an object', { status: 'ok' }, 'not-nomad', /answered GET \/v1\/status\/leader with JSON that is not what Nomad sends \(expected a string \(the leader's address\)\); is NOMAD_ADDR pointing at a Nomad agent\?$/],
    ['a number', 42, 'not-nomad', /with JSON that is not what Nomad sends/],
    ['a string that is not host:port', 'hello', 'not-nomad', /with a string that is not "host:port"/],
    ['an empty string (no leader)', '', 'no-leader', /has no cluster leader/],
  ])('is not "up" for any JSON: %s', async (_what, body, reason, message) => {
    const fake = await jsonServer(body);
    try {
      const h = await health({ sim: false, env: { NOMAD_ADDR: fake.url } });
      expect(h.status).toBe(503);
      expect(h.nomad).toMatchObject({ status: 'down', reason, message: expect.stringMatching(message) });
    } finally {
      await fake.close();
    }
  });

  it('up, with a password in NOMAD_ADDR that never shows (nor when down)', async () => {
    const sim = await startSimulator({ port: 0 });
    try {
      const h = await health({ sim: false, env: { NOMAD_ADDR: sim.url.replace('http://', 'http://admin:pw-SECRET-3@') } });
      expect(h.status).toBe(200);
      expect(h.nomad).toMatchObject({ status: 'up', address: sim.url.replace('http://', 'http://***@'), leader: expect.stringMatching(/:4647$/) });
      expect(h.text).not.toContain('SECRET');
    } finally {
      await sim.close();
    }
    const closed = await closedPortUrl();
    const down = await health({ sim: false, env: { NOMAD_ADDR: closed.replace('http://', 'http://admin:pw-SECRET-4@') } });
    expect(down.status).toBe(503);
    expect(down.nomad.address).toBe(closed.replace('http://', 'http://***@'));
    expect(down.text).not.toContain('SECRET');
  });
});

describe('/health/live and /health/ready', () => {
  it('with Nomad and the audit trail up: live 200 without asking Nomad, ready 200 with both up; /health as before', async () => {
    const s = await startStack({ env: { API_KEYS: 'health-split-key-1' } });
    try {
      const before = s.nomadTraffic.length;
      const live = await s.api('GET', '/health/live');
      expect(live.status).toBe(200);
      expect(live.json).toEqual({ status: 'ok', info: { process: { status: 'up', uptime_seconds: expect.any(Number) } } });
      expect(s.nomadTraffic.length).toBe(before);
      const ready = await s.api('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.json).toMatchObject({ status: 'ok', details: { nomad: { status: 'up' }, audit: { status: 'up' } } });
      expect(s.nomadTraffic.slice(before)).toContain('GET /v1/status/leader');
      // public, like /health: no key needed
      expect((await s.api('GET', '/health')).json.details).toEqual({ nomad: expect.objectContaining({ status: 'up' }) });
      // the readiness check keeps nothing in the trail
      const audit = new Database(s.auditPath, { readonly: true });
      try {
        expect(audit.prepare('select count(*) as n from audit_records').get()).toEqual({ n: 0 });
      } finally {
        audit.close();
      }
    } finally {
      await s.close();
    }
  });

  it('Nomad down: ready 503 saying why, live still 200', async () => {
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: await closedPortUrl() } });
    try {
      expect((await s.api('GET', '/health/live')).status).toBe(200);
      const ready = await s.api('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json.details).toMatchObject({ nomad: { status: 'down', reason: 'connection-refused' }, audit: { status: 'up' } });
      expect(ready.json.message).toMatch(/^Service is up, but nomad is down: Nomad at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
    } finally {
      await s.close();
    }
  });

  it('audit trail not writable: ready 503 naming it, live and /health still 200', async () => {
    const s = await startStack();
    try {
      const db = new Database(s.auditPath);
      db.exec('DROP TABLE audit_records');
      db.close();
      const ready = await s.api('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json.details).toMatchObject({ nomad: { status: 'up' }, audit: { status: 'down', message: expect.stringMatching(/^The audit trail cannot be written \(.*audit_records.*\); changes are refused until it can\./) } });
      expect(ready.json.message).toMatch(/^Service is up, but audit is down: The audit trail cannot be written/);
      expect((await s.api('GET', '/health/live')).status).toBe(200);
      expect((await s.api('GET', '/health')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('the password in NOMAD_ADDR never shows in API or MCP errors', () => {
  it('Nomad down (503) and not Nomad (502): the address is shown as http://***@host', async () => {
    const closed = await closedPortUrl();
    const down = await startStack({ sim: false, env: { NOMAD_ADDR: closed.replace('http://', 'http://admin:pw-SECRET-5@') } });
    try {
      const r = await down.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(503);
      expect(r.json.message).toMatch(/^Nomad is unreachable at http:\/\/\*\*\*@127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      const mcp = await down.api('POST', '/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_jobs', arguments: {} } }, { Accept: 'application/json, text/event-stream' });
      expect(mcp.text).toMatch(/Nomad is unreachable at http:\/\/\*\*\*@127/);
      expect(r.text + mcp.text).not.toContain('SECRET');
    } finally {
      await down.close();
    }
    const html = createServer((_q, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>'));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    const notNomad = await startStack({ sim: false, env: { NOMAD_ADDR: `http://admin:pw-SECRET-6@127.0.0.1:${(html.address() as { port: number }).port}` } });
    try {
      const r = await notNomad.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(502);
      expect(r.json.message).toMatch(/^http:\/\/\*\*\*@127\.0\.0\.1:\d+ answered GET \/v1\/jobs with text\/html that is not JSON/);
      expect(r.text).not.toContain('SECRET');
    } finally {
      await notNomad.close();
      await new Promise((r) => html.close(r));
    }
  });
});
