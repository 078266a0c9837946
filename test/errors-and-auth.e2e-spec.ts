import { closedPortUrl, startBlackHole, startStack, Stack } from './support/stack';

describe('Nomad failures become clear HTTP errors', () => {
  it('Nomad down -> 503 saying where it looked, and /health 503', async () => {
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: await closedPortUrl() } });
    try {
      const r = await s.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(r.json.message).toMatch(/^Nomad is unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      expect(r.text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
      const health = await s.api('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.json.details.nomad).toMatchObject({ status: 'down', message: expect.stringMatching(/unreachable/) });
      expect(health.json.message).toMatch(/^Service is up, but nomad is down: Nomad at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\): connection refused; is Nomad running there, and is NOMAD_ADDR right\?$/);
    } finally {
      await s.close();
    }
  });

  it('NOMAD_ADDR pointing at something that is not Nomad -> 502 that says so', async () => {
    const { createServer } = await import('node:http');
    const notNomad = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>Welcome to nginx!</html>'));
    await new Promise<void>((r) => notNomad.listen(0, '127.0.0.1', r));
    const addr = `http://127.0.0.1:${(notNomad.address() as { port: number }).port}`;
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: addr } });
    try {
      const r = await s.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(502);
      expect(r.json.message).toBe(`${addr} answered GET /v1/jobs with text/html that is not JSON; is NOMAD_ADDR pointing at a Nomad agent?`);
    } finally {
      await s.close();
      notNomad.close();
    }
  });

  it('Nomad slow -> 504 after NOMAD_TIMEOUT_MS', async () => {
    const hole = await startBlackHole();
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: hole.url, NOMAD_TIMEOUT_MS: '300' } });
    try {
      const started = Date.now();
      const r = await s.api('POST', '/api/claude/jobs', { job_id: 'web', action: 'status' });
      expect(r.status).toBe(504);
      expect(r.json).toMatchObject({ statusCode: 504, error: 'Gateway Timeout' });
      expect(r.json.message).toMatch(/did not answer within 300 ms \(GET \/v1\/job\/web\)/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await s.close();
      await hole.close();
    }
  });

  it("Nomad 403 -> 502 saying the service's token lacks the capability the operation needs; the token never shows", async () => {
    const token = 'nomad-secret-token-do-not-show';
    const s = await startStack({ sim: { acl: true, bootstrapToken: 'management-secret' }, env: { NOMAD_TOKEN: token } });
    try {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
      expect(r.status).toBe(502);
      expect(r.json.nomad_status).toBe(403);
      expect(r.json.message).toBe("Nomad refused GET /v1/jobs (Permission denied): the service's Nomad token (NOMAD_TOKEN) lacks the capability 'list-jobs' that list_jobs needs in namespace 'development'.");
      expect(r.json).toMatchObject({ nomad_capability: 'list-jobs', next_step: expect.stringMatching(/^Add 'list-jobs' to that token's ACL policy for namespace "development"/) });
      expect(r.text).not.toContain(token);
    } finally {
      await s.close();
    }
  });

  it("reports Nomad's own error for a region it cannot reach (502 with Nomad's text)", async () => {
    const s = await startStack({ env: { NOMAD_REGION: 'mars' } });
    try {
      const r = await s.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(502);
      expect(r.json.message).toBe('Nomad rejected GET /v1/jobs with 500: No path to region');
    } finally {
      await s.close();
    }
  });

  it('sends NOMAD_TOKEN as X-Nomad-Token and NOMAD_REGION as ?region', async () => {
    const s = await startStack({ sim: { acl: true, bootstrapToken: 'management-secret' }, env: { NOMAD_TOKEN: 'management-secret', NOMAD_REGION: 'global' } });
    try {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
      expect(r.status).toBe(200);
      expect(r.json.count).toBe(3);
      expect(s.nomadTraffic).toContain('GET /v1/jobs?region=global&namespace=development&per_page=10');
    } finally {
      await s.close();
    }
  });
});

describe('API keys', () => {
  let s: Stack;
  const key = 'k-test-0123456789';
  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: `old-key-retired, ${key}` } });
  });
  afterAll(() => s.close());

  it('refuses requests without a key or with a wrong one (401), without echoing the key', async () => {
    const none = await s.api('GET', '/api/claude/list-jobs');
    expect(none.status).toBe(401);
    expect(none.json.message).toMatch(/API key required: send it as X-API-Key/);
    const wrong = await s.api('GET', '/api/claude/list-jobs', undefined, { 'X-API-Key': 'guess-1234' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.message).toMatch(/^API key not accepted: send one of the keys in API_KEYS or API_KEYS_FILE as X-API-Key/);
    expect(wrong.text).not.toContain('guess-1234');
    const mcp = await s.api('POST', '/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { Accept: 'application/json, text/event-stream' });
    expect(mcp.status).toBe(401);
    expect((await s.api('GET', '/api/claude/tools')).status).toBe(401);
  });

  it('accepts each configured key, as X-API-Key or Authorization: Bearer', async () => {
    expect((await s.api('GET', '/api/claude/list-jobs', undefined, { 'X-API-Key': key })).status).toBe(200);
    expect((await s.api('GET', '/api/claude/list-jobs', undefined, { Authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await s.api('GET', '/api/claude/list-jobs', undefined, { 'X-API-Key': 'old-key-retired' })).status).toBe(200);
  });

  it('keeps /health public', async () => {
    expect((await s.api('GET', '/health')).status).toBe(200);
  });
});

describe('without API keys', () => {
  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const s = await startStack();
    try {
      const { request } = await import('node:http');
      const asHost = (host: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${s.url}/api/claude/list-jobs`, { headers: { Host: host } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      const evil = await asHost('attacker.example:8000');
      expect(evil.status).toBe(403);
      expect(JSON.parse(evil.body).message).toMatch(/^Requests for host 'attacker.example:8000' are refused/);
      expect((await asHost('localhost:8000')).status).toBe(200);
      expect((await asHost('[::1]:8000')).status).toBe(200);
      expect((await s.api('GET', '/api/claude/list-jobs')).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('listens on loopback only, whatever HOST says, and says so', async () => {
    const { createApp, listen } = await import('../apps/nomad-mcp/src/bootstrap');
    const app = await createApp({ env: { PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent', NOMAD_ADDR: 'http://127.0.0.1:1' } });
    try {
      const where = await listen(app);
      expect(where.host).toBe('127.0.0.1');
      expect(where.protected).toBe(false);
      expect(where.notes[0]).toMatch(/No API key configured .* listening on 127\.0\.0\.1 only instead of 0\.0\.0\.0/);
    } finally {
      await app.close();
    }
  });

  it('listens on all interfaces when keys are configured', async () => {
    const { createApp, listen } = await import('../apps/nomad-mcp/src/bootstrap');
    const app = await createApp({ env: { PORT: '0', API_KEYS: 'x-key-123456', LOG_LEVEL: 'silent', NOMAD_ADDR: 'http://127.0.0.1:1' } });
    try {
      const where = await listen(app);
      expect(where).toMatchObject({ host: '0.0.0.0', protected: true, notes: [] });
    } finally {
      await app.close();
    }
  });
});
