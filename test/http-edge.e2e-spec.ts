import { request } from 'node:http';
import { call, waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

/** A request with headers fetch would not let us set (Host) and a raw body, over a real socket. */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any; text: string }>((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const toolCall = (name: string, args: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } });
const writesTo = (s: Stack, job: string) => s.nomadTraffic.filter((l) => !l.startsWith('GET') && l.includes(job));

describe('cross-site requests and non-JSON bodies (no keys: the default of npm start)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
    await waitFor('example-job running', async () => (await s.nomad('GET', '/v1/job/example-job?namespace=development')).json?.Status === 'running');
  });
  afterAll(() => s.close());

  it("refuses the issue's form-encoded stop from a foreign page: 403, and the job keeps running", async () => {
    // curl -X POST http://127.0.0.1:PORT/api/claude/jobs -H 'Origin: http://evil.example' --data 'job_id=example-job&action=stop'
    const r = await call(s.url, 'POST', '/api/claude/jobs', {
      rawBody: 'job_id=example-job&action=stop&namespace=development',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(r.json.message).toMatch(/Origin 'http:\/\/evil\.example' is not this service's own origin.*MCP_ALLOWED_ORIGINS/);
    expect(writesTo(s, 'example-job')).toEqual([]);
    expect((await s.nomad('GET', '/v1/job/example-job?namespace=development')).json.Stop).toBe(false);
  });

  it('refuses a query string on a write (400 naming the parameter): its ?namespace= would not be read', async () => {
    // two jobs of one name: the change must never land on the other namespace's
    expect((await s.nomad('GET', '/v1/job/hello-world?namespace=default')).status).toBe(200);
    const before = s.nomadTraffic.length;
    const stop = await call(s.url, 'POST', '/api/claude/jobs/hello-world/stop?namespace=default', { body: {} });
    expect(stop.status).toBe(400);
    expect(stop.json).toEqual({
      statusCode: 400, error: 'Bad Request',
      message: 'Invalid request: namespace: sent in the query string: this route reads its input from the JSON body only. Send it as fields of the JSON body; nothing was done.',
      errors: [{ field: 'namespace', reasons: ['sent in the query string: this route reads its input from the JSON body only'] }],
    });
    const action = await call(s.url, 'POST', '/api/claude/jobs?namespace=default&dry=1', { body: { job_id: 'hello-world', action: 'stop' } });
    expect(action.status).toBe(400);
    expect(action.json.errors.map((e: any) => e.field)).toEqual(['namespace', 'dry']);
    expect(s.nomadTraffic.slice(before)).toEqual([]);
    expect((await s.nomad('GET', '/v1/job/hello-world?namespace=default')).json.Stop).toBe(false);
    // reads keep their query parameters, and a write with an empty query string is a write
    expect((await call(s.url, 'GET', '/api/claude/list-jobs?namespace=default')).status).toBe(200);
    expect((await call(s.url, 'POST', '/api/claude/jobs?', { body: { job_id: 'hello-world', action: 'status', namespace: 'default' } })).status).toBe(200);
  });

  it('MCP: a tools/call whose params are not a call gets -32602 saying what to send, arguments that are not an object a tool error; a body that is not JSON a JSON-RPC error', async () => {
    const post = (body: string) => call(s.url, 'POST', '/mcp', { rawBody: body, headers: MCP_HEADERS });
    const noParams = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call' }));
    expect(noParams.json).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'Invalid params: tools/call takes params {"name": <tool>, "arguments": {…}}; tools/list names the tools.' } });
    const badName = await post(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 5 } }));
    expect(badName.json.error).toEqual({ code: -32602, message: 'Invalid params: params.name must be the name of a tool (a string); tools/list names them.' });
    const listArgs = await post(toolCall('get_job_status', [1]));
    expect(listArgs.json.result).toEqual({ isError: true, content: [{ type: 'text', text: "Invalid request: arguments must be a JSON object of the tool's fields (got an array). Fix those arguments and call the tool again." }] });
    const notJson = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/^The body is not valid JSON/) } });
    // and a good call still runs, as does one with null arguments (taken as none)
    expect((await post(toolCall('get_job_status', { job_id: 'example-job', namespace: 'development' }))).json.result.structuredContent.job_id).toBe('example-job');
    const nullArgs = await post(toolCall('list_jobs', null));
    expect(nullArgs.json.result.isError).toBeFalsy();
    expect(nullArgs.json.result.structuredContent.namespace).toBe('development');
  });

  it('a path no route takes (a job ID with / sent unencoded) says to percent-encode IDs', async () => {
    const r = await call(s.url, 'GET', '/api/claude/jobs/batch-param/dispatch-1700000000-abcd1234/allocations?namespace=development');
    expect(r.status).toBe(404);
    expect(r.json.next_step).toBe("No route has this path: percent-encode IDs in it (a job ID's / as %2F, as encodeURIComponent does); /api/docs lists the routes.");
  });

  it('a path a route takes with another method is a 405 naming the methods (Allow), not "no route"', async () => {
    const get = await call(s.url, 'GET', '/api/claude/create-job');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(get.json).toMatchObject({ statusCode: 405, error: 'Method Not Allowed', message: '/api/claude/create-job takes POST, not GET.', next_step: expect.stringMatching(/^Send it again as POST with a JSON body/) });
    const del = await call(s.url, 'DELETE', '/api/claude/jobs/example-job');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET');
    // a path no route has at all is still the 404 that says to percent-encode IDs
    expect((await call(s.url, 'GET', '/api/claude/no-such-route')).status).toBe(404);
  });

  it('takes JSON only: form-encoded and text/plain bodies get 415 and are never read', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'job_id=example-job&action=stop&namespace=development'],
      ['text/plain', '{"job_id":"example-job","action":"stop","namespace":"development"}'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="job_id"\r\n\r\nexample-job\r\n--x--\r\n'],
    ]) {
      const r = await call(s.url, 'POST', '/api/claude/jobs', { rawBody: body, headers: { 'Content-Type': type } });
      expect(r.status).toBe(415);
      expect(r.json).toEqual({ statusCode: 415, error: 'Unsupported Media Type', message: expect.stringMatching(/takes JSON only.*Content-Type: application\/json/) });
    }
    const noType = await raw(s.url, 'POST', '/api/claude/jobs', {}, '{"job_id":"example-job","action":"stop"}');
    expect(noType.status).toBe(415);
    const mcp = await call(s.url, 'POST', '/mcp', { rawBody: toolCall('stop_job', { job_id: 'example-job' }), headers: { 'Content-Type': 'text/plain', Accept: MCP_HEADERS.Accept } });
    expect(mcp.status).toBe(415);
    expect(mcp.json).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/JSON only/) } });
    expect(writesTo(s, 'example-job')).toEqual([]);
    // the JSON the API does take still works, with a charset too
    const ok = await call(s.url, 'POST', '/api/claude/jobs', { rawBody: '{"job_id":"example-job","action":"status"}', headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(ok.status).toBe(200);
  });

  it('refuses a foreign Origin on every route, /mcp (JSON-RPC error) and /health included', async () => {
    const evil = { Origin: 'http://evil.example' };
    for (const path of ['/api/claude/list-jobs', '/api/claude/tools', '/health']) {
      const r = await call(s.url, 'GET', path, { headers: evil });
      expect([path, r.status]).toEqual([path, 403]);
    }
    const mcp = await call(s.url, 'POST', '/mcp', { rawBody: toolCall('stop_job', { job_id: 'example-job' }), headers: { ...MCP_HEADERS, ...evil } });
    expect(mcp.status).toBe(403);
    expect(mcp.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringMatching(/not this service's own origin/) } });
    // a page on another port of the same machine is another origin, and "null" (sandboxed frames, file://) too
    const port = new URL(s.url).port;
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, `http://localhost:${port}`, `https://127.0.0.1:${port}`, 'null']) {
      expect((await call(s.url, 'GET', '/api/claude/list-jobs', { headers: { Origin: origin } })).status).toBe(403);
    }
    expect(writesTo(s, 'example-job')).toEqual([]);
  });

  it("accepts the service's own origin (Swagger UI) and requests without Origin (curl, SDKs)", async () => {
    const own = await call(s.url, 'POST', '/api/claude/jobs', { body: { job_id: 'example-job', action: 'status' }, headers: { Origin: s.url } });
    expect(own.status).toBe(200);
    expect((await call(s.url, 'GET', '/api/claude/list-jobs')).status).toBe(200);
    const port = new URL(s.url).port;
    const viaLocalhost = await raw(s.url, 'GET', '/api/claude/list-jobs', { Host: `localhost:${port}`, Origin: `http://localhost:${port}` });
    expect(viaLocalhost.status).toBe(200);
  });

  it('refuses a DNS-rebinding page even on /health: its Origin matches the Host, but the host is not one the service accepts', async () => {
    const r = await raw(s.url, 'GET', '/health', { Host: 'evil.example:8000', Origin: 'http://evil.example:8000' });
    expect(r.status).toBe(403);
    expect(r.json.message).toMatch(/evil\.example/);
  });

  it('refuses requests the browser marks Sec-Fetch-Site: cross-site, even without Origin', async () => {
    const r = await call(s.url, 'GET', '/api/claude/list-jobs', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(r.status).toBe(403);
    expect(r.json.message).toMatch(/cross-site/);
    expect((await call(s.url, 'GET', '/api/claude/list-jobs', { headers: { 'Sec-Fetch-Site': 'same-origin', Origin: s.url } })).status).toBe(200);
    // following a link from another site to the docs is a navigation, not a page calling the API
    // (node:http: fetch sets Sec-Fetch-Mode itself)
    const link = await raw(s.url, 'GET', '/api/docs', { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' });
    expect(link.status).toBe(200);
    const img = await raw(s.url, 'GET', '/api/docs', { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' });
    expect(img.status).toBe(403);
  });
});

describe('MCP_ALLOWED_ORIGINS', () => {
  it('lets the listed web apps in, and no one else', async () => {
    const s = await startStack({ env: { MCP_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173' } });
    try {
      for (const origin of ['https://app.example.com', 'http://localhost:5173', 'HTTPS://APP.EXAMPLE.COM:443']) {
        const r = await call(s.url, 'POST', '/mcp', { rawBody: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), headers: { ...MCP_HEADERS, Origin: origin, 'Sec-Fetch-Site': 'cross-site' } });
        expect([origin, r.status]).toEqual([origin, 200]);
      }
      expect((await call(s.url, 'GET', '/api/claude/list-jobs', { headers: { Origin: 'https://app.example.com.evil.example' } })).status).toBe(403);
      // their browsers get the CORS answers they need: a preflight, then the allowed origin on the response
      const preflight = await call(s.url, 'OPTIONS', '/mcp', {
        headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-api-key' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-API-Key/);
      const list = await call(s.url, 'GET', '/api/claude/list-jobs', { headers: { Origin: 'https://app.example.com' } });
      expect(list.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    } finally {
      await s.close();
    }
  });
});

describe('rate limit: per client across all routes, /health exempt', () => {
  const keyA = 'rate-key-aaaaaaaa';
  const keyB = 'rate-key-bbbbbbbb';
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: `${keyA},${keyB}`, RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => s.close());

  it('counts the calls of one key over every route, MCP tool calls included, then 429 with Retry-After', async () => {
    const a = { 'X-API-Key': keyA };
    const statuses = [
      (await s.api('GET', '/api/claude/list-jobs', undefined, a)).status,
      (await s.api('GET', '/api/claude/tools', undefined, a)).status,
      (await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'status' }, a)).status,
      (await call(s.url, 'POST', '/mcp', { rawBody: toolCall('list_jobs', {}), headers: { ...MCP_HEADERS, ...a } })).status,
      (await call(s.url, 'POST', '/mcp', { rawBody: toolCall('list_jobs', {}), headers: { ...MCP_HEADERS, ...a } })).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await s.api('GET', '/api/claude/job-logs/example-job', undefined, a);
    expect(limited.status).toBe(429);
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(limited.json).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Rate limit of 5 requests per minute exceeded; retry in ${retry} seconds.`,
    });
    expect(limited.text).not.toMatch(/ThrottlerException/);
    const mcp = await call(s.url, 'POST', '/mcp', { rawBody: toolCall('list_jobs', {}), headers: { ...MCP_HEADERS, ...a } });
    expect(mcp.status).toBe(429);
  });

  it('another key has its own budget, and /health is never limited', async () => {
    expect((await s.api('GET', '/api/claude/list-jobs', undefined, { Authorization: `Bearer ${keyB}` })).status).toBe(200);
    for (let i = 0; i < 12; i++) expect((await s.api('GET', '/health')).status).toBe(200);
  });

  it('counts requests without a valid key by remote address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await s.api('GET', '/api/claude/list-jobs', undefined, { 'X-API-Key': `guess-${i}` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});

describe('401 answers', () => {
  it('carry WWW-Authenticate and say how to send the key', async () => {
    const s = await startStack({ env: { API_KEYS: 'k-www-auth-123456' } });
    try {
      const none = await s.api('GET', '/api/claude/list-jobs');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="nomad-mcp"');
      expect(none.json.message).toMatch(/X-API-Key/);
      const wrong = await s.api('GET', '/api/claude/list-jobs', undefined, { 'X-API-Key': 'not-the-key' });
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="nomad-mcp", error="invalid_token"');
      expect(wrong.json.message).toMatch(/^API key not accepted.*X-API-Key/);
      const mcp = await call(s.url, 'POST', '/mcp', { rawBody: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), headers: MCP_HEADERS });
      expect(mcp.status).toBe(401);
      expect(mcp.headers.get('www-authenticate')).toBe('Bearer realm="nomad-mcp"');
      // the raw tool-argument check answers only after the key was checked
      const badArgs = await call(s.url, 'POST', '/mcp', { rawBody: '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"stop_job","arguments":{"job_id":"x","__proto__":1}}}', headers: MCP_HEADERS });
      expect(badArgs.status).toBe(401);
    } finally {
      await s.close();
    }
  });
});

describe('input that once gave 500 or was silently dropped: 400 naming the field, over REST and MCP', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());
  const post = (path: string, json: string) => call(s.url, 'POST', path, { rawBody: json, headers: { 'Content-Type': 'application/json' } });
  const mcpCall = async (name: string, argsJson: string) => {
    const r = await call(s.url, 'POST', '/mcp', { rawBody: `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"${name}","arguments":${argsJson}}}`, headers: MCP_HEADERS });
    expect(r.status).toBe(200);
    return r.json.result as { isError?: boolean; content: Array<{ text: string }> };
  };

  it('a lone surrogate in a string field or key', async () => {
    const r = await post('/api/claude/jobs', '{"job_id":"\\ud800","action":"status"}');
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual([{ field: 'job_id', reasons: [expect.stringMatching(/lone surrogate|not valid Unicode/)] }]);
    const list = await call(s.url, 'GET', '/api/claude/list-jobs?namespace=%ED%A0%80');
    expect(list.status).toBe(400);
    const logs = await call(s.url, 'GET', '/api/claude/job-logs/%ED%A0%80');
    expect(logs.status).toBe(400);
    const env = await post('/api/claude/create-job', '{"job_id":"sur","docker_image":"nginx:1","env_vars":{"A":"x\\udc00y"}}');
    expect(env.status).toBe(400);
    expect(env.json.errors[0].field).toBe('env_vars.A');
    const tool = await mcpCall('get_job_status', '{"job_id":"\\ud800"}');
    expect(tool.isError).toBe(true);
    expect(tool.content[0].text).toMatch(/^Invalid request: job_id: /);
    expect(s.nomadTraffic.filter((l) => l.includes('sur') || l.includes('%ED'))).toEqual([]);
  });

  it('JSON nested 3,000 deep', async () => {
    const deep = '['.repeat(3000) + ']'.repeat(3000);
    const r = await post('/api/claude/jobs', `{"job_id":"example-job","action":"status","extra":${deep}}`);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/extra.*nested deeper than/);
    const env = await post('/api/claude/create-job', `{"job_id":"deep","docker_image":"nginx:1","env_vars":{"A":${deep}}}`);
    expect(env.status).toBe(400);
    const mcp = await call(s.url, 'POST', '/mcp', { rawBody: toolCall('get_job_status', { job_id: 'example-job', extra: 0 }).replace('0}', `${deep}}`), headers: MCP_HEADERS });
    expect(mcp.status).toBe(400);
    expect(mcp.json).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/^Invalid request: params: nested deeper than 64 levels/) } });
    // below the body's bound, DTO input is bounded more tightly, naming the field, over REST and MCP alike
    const forty = '['.repeat(40) + ']'.repeat(40);
    const rest = await post('/api/claude/create-job', `{"job_id":"deep","docker_image":"nginx:1","env_vars":{"A":${forty}}}`);
    expect(rest.status).toBe(400);
    expect(rest.json.message).toMatch(/^Invalid request: env_vars\.A(\[0\])+: nested deeper than 32 levels$/);
    const tool = await mcpCall('get_job_status', `{"job_id":"example-job","extra":${forty}}`);
    expect(tool.isError).toBe(true);
    expect(tool.content[0].text).toMatch(/^Invalid request: extra(\[0\])+: nested deeper than 32 levels/);
    expect(s.nomadTraffic.filter((l) => l.includes('deep'))).toEqual([]);
  });

  const SUFFIXES = ['allocations', 'summary', 'versions', 'deployment', 'deployments', 'evaluate', 'evaluations', 'scale', 'periodic/force', 'submission', 'plan', 'dispatch', 'dispatch/payload', 'revert', 'stable', 'services', 'actions', 'action', 'tag'];

  it.each(SUFFIXES)('a job ID ending in the Nomad sub-resource /%s', async (suffix) => {
    const before = s.nomadTraffic.length;
    const r = await post('/api/claude/jobs', JSON.stringify({ job_id: `x/${suffix}`, action: 'stop' }));
    expect(r.status).toBe(400);
    expect(r.json.errors[0].field).toBe('job_id');
    expect(r.json.message).toContain(`'/${suffix}'`);
    expect(r.json.message).toMatch(/Nomad/);
    expect(s.nomadTraffic.slice(before)).toEqual([]);
  });

  it.each(['../nodes', 'a/../../agent/self', 'a/./b', 'a//b', '/lead', 'trail/', '..'])('a job ID with an empty, "." or ".." part: %s', async (id) => {
    const before = s.nomadTraffic.length;
    const r = await post('/api/claude/jobs', JSON.stringify({ job_id: id, action: 'stop' }));
    expect(r.status).toBe(400);
    expect(r.json.errors[0].field).toBe('job_id');
    expect(r.json.message).toMatch(/job_id must not (have an empty, '\.' or '\.\.' part between slashes|be empty, '\.' or '\.\.')/);
    expect(s.nomadTraffic.slice(before)).toEqual([]);
  });

  it('job IDs merely containing such words are fine', async () => {
    const r = await post('/api/claude/jobs', JSON.stringify({ job_id: 'summary-service/plans', action: 'status' }));
    expect(r.status).toBe(404);
  });

  it.each(['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'])(
    'an unknown key named like the object built-in %s',
    async (key) => {
      const before = s.nomadTraffic.length;
      const r = await post('/api/claude/jobs', `{"job_id":"example-job","action":"stop","namespace":"development","${key}":"x"}`);
      expect(r.status).toBe(400);
      expect(r.json.errors).toEqual([{ field: key, reasons: [`property ${key} should not exist`] }]);
      expect(s.nomadTraffic.slice(before)).toEqual([]);
      const env = await post('/api/claude/create-job', `{"job_id":"bi","docker_image":"nginx:1","env_vars":{"${key}":"x"}}`);
      expect(env.status).toBe(400);
      expect(env.json.errors[0].field).toBe(`env_vars.${key}`);
      const tool = await mcpCall('stop_job', `{"job_id":"example-job","${key}":"x"}`);
      expect(tool.isError).toBe(true);
      expect(tool.content[0].text).toContain(`property ${key} should not exist`);
      expect(s.nomadTraffic.slice(before)).toEqual([]);
    },
  );

  it('a route with a path parameter: a query or body naming it, or an unknown or bad field, is a 400 naming that field', async () => {
    const before = s.nomadTraffic.length;
    const get = (path: string) => call(s.url, 'GET', path);
    // the query may not override the path's job: the 400 names the query's own field
    const named = await get('/api/claude/jobs/example-job?namespace=development&job_id=other-job');
    expect(named.status).toBe(400);
    expect(named.json.errors).toEqual([{ field: 'job_id', reasons: ['property job_id should not exist'] }]);
    const stop = await post('/api/claude/jobs/example-job/stop', '{"job_id":"other-job","namespace":"development"}');
    expect(stop.status).toBe(400);
    expect(stop.json.errors).toEqual([{ field: 'job_id', reasons: ['property job_id should not exist'] }]);
    const array = await post('/api/claude/jobs/example-job/stop', '[{"namespace":"development"}]');
    expect(array.status).toBe(400);
    // fields of the query itself, checked once with the path's job joined in
    const unknown = await get('/api/claude/jobs/example-job?namespace=development&verbose=1');
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors).toEqual([{ field: 'verbose', reasons: ['property verbose should not exist'] }]);
    const proto = await post('/api/claude/jobs/example-job/stop', '{"namespace":"development","__proto__":"x"}');
    expect(proto.status).toBe(400);
    expect(proto.json.errors).toEqual([{ field: '__proto__', reasons: ['property __proto__ should not exist'] }]);
    const badJob = await get('/api/claude/jobs/bad%20job?namespace=development');
    expect(badJob.status).toBe(400);
    expect(badJob.json.errors.map((e: { field: string }) => e.field)).toEqual(['job_id']);
    expect(writesTo(s, 'example-job')).toEqual([]);
    expect(s.nomadTraffic.slice(before).filter((l) => l.includes('other-job'))).toEqual([]);
    // and a good one still answers
    expect((await get('/api/claude/jobs/example-job?namespace=development')).status).toBe(200);
  });

  it('a path Fastify cannot route (bad percent-encoding, an absurdly long segment): a short 4xx that echoes nothing; a long ID is the 400 naming it', async () => {
    const before = s.nomadTraffic.length;
    const bad = await call(s.url, 'GET', '/api/claude/jobs/%zz/versions');
    expect(bad.json).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^The URL's path is not valid percent-encoding.*encodeURIComponent/) });
    const huge = await call(s.url, 'GET', `/api/claude/jobs/${'x'.repeat(5000)}/versions`);
    expect({ status: huge.status, error: huge.json.error }).toEqual({ status: 414, error: 'URI Too Long' });
    expect(huge.json.message).toMatch(/^A segment of the URL's path is over 2048 characters/);
    expect(huge.text.length).toBeLessThan(300);
    const mcp = await call(s.url, 'POST', '/mcp/%zz', { body: {} });
    expect(mcp.json).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringMatching(/^The URL's path is not valid/) }, id: null });
    const long = await call(s.url, 'GET', `/api/claude/jobs/${'x'.repeat(300)}?namespace=development`);
    expect(long.status).toBe(400);
    expect(long.json.errors.map((e: { field: string }) => e.field)).toEqual(['job_id']);
    expect(s.nomadTraffic.slice(before)).toEqual([]);
  });

  it('"ports": [[]] and other items that are not objects', async () => {
    for (const ports of ['[[]]', '[1]', '["http"]', '[null]', '[{"Label":"http"},[{"Label":"x"}]]']) {
      const r = await post('/api/claude/create-job', `{"job_id":"ports-x","docker_image":"nginx:1","ports":${ports}}`);
      expect([ports, r.status]).toEqual([ports, 400]);
      expect(r.json.errors.map((e: any) => e.field)).toContain(ports.startsWith('[{') ? 'ports[1]' : 'ports[0]');
    }
    const tool = await mcpCall('create_job', '{"job_id":"ports-x","docker_image":"nginx:1","ports":[[]]}');
    expect(tool.isError).toBe(true);
    expect(tool.content[0].text).toMatch(/ports\[0\]/);
    expect(s.nomadTraffic.filter((l) => l.includes('ports-x'))).toEqual([]);
  });
});

