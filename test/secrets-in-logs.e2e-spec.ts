import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { BUILT_MAIN, ServiceProcess, startServiceProcess } from './support/built-service';
import { call } from './support/http';
import { FAST } from './support/stack';

/** The built service at debug level: whatever it logs must not contain a key, a token or an env value. */
describe('secrets never reach the logs', () => {
  const apiKey = 'api-key-SECRET-1111';
  const wrongKey = 'wrong-key-SECRET-2222';
  const nomadToken = 'nomad-token-SECRET-3333';
  const envValue = 'env-value-SECRET-4444';
  let sim: RunningSimulator;
  let svc: ServiceProcess;
  let url = '';

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: true, timings: FAST, acl: true, bootstrapToken: nomadToken });
    svc = await startServiceProcess({ NOMAD_ADDR: sim.url, NOMAD_TOKEN: nomadToken, API_KEYS: apiKey, LOG_LEVEL: 'debug' }, { entry: BUILT_MAIN });
    url = svc.url;
  });
  afterAll(async () => {
    await svc?.stop();
    await sim?.close();
  });

  it('logs requests, errors and Nomad failures without any secret', async () => {
    const key = { 'X-API-Key': apiKey };
    expect((await call(url, 'GET', '/api/claude/list-jobs', { headers: key })).status).toBe(200);
    expect((await call(url, 'GET', '/api/claude/list-jobs', { headers: { Authorization: `Bearer ${apiKey}` } })).status).toBe(200);
    expect((await call(url, 'GET', '/api/claude/list-jobs', { headers: { 'X-API-Key': wrongKey } })).status).toBe(401);
    // a key in the query string is not read (401), and its value is not logged either
    expect((await call(url, 'GET', `/api/claude/list-jobs?api_key=${apiKey}&namespace=development`)).status).toBe(401);
    const created = await call(url, 'POST', '/api/claude/create-job', { headers: key, body: { job_id: 'secretive', docker_image: 'nginx:1.27', env_vars: { DB_PASSWORD: envValue } } });
    expect(created.status).toBe(201);
    const rejected = await call(url, 'POST', '/api/claude/create-job', { headers: key, body: { job_id: 'bad id', docker_image: 'nginx:1.27', env_vars: { DB_PASSWORD: envValue } } });
    expect(rejected.status).toBe(400);
    expect(rejected.text).not.toContain(envValue);
    const nomadRefused = await call(url, 'POST', '/api/claude/create-job', { headers: key, body: { job_id: 'x', docker_image: 'nginx:1.27', namespace: 'nowhere', env_vars: { DB_PASSWORD: envValue } } });
    expect(nomadRefused.status).toBe(404); // Nomad refused the register: nonexistent namespace
    expect(nomadRefused.text).not.toContain(envValue);
    await new Promise((r) => setTimeout(r, 300));
    // the requests were logged (so the check below looks at real log lines), the refused key among them
    const logs = svc.logs();
    const entries = logs.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
    const completed = (status: number) => entries.filter((e) => e.req?.method === 'GET' && e.req?.url === '/api/claude/list-jobs' && e.res?.statusCode === status);
    expect(completed(200)).toHaveLength(2);
    expect(completed(401)).toHaveLength(1);
    expect(entries.filter((e) => e.req?.url === '/api/claude/list-jobs?api_key=(hidden)&namespace=development' && e.res?.statusCode === 401)).toHaveLength(1);
    for (const secret of [apiKey, wrongKey, nomadToken, envValue]) expect(logs).not.toContain(secret);
    expect((await sim.state.getJob('development', 'secretive'))?.TaskGroups[0].Tasks[0].Env).toEqual({ DB_PASSWORD: envValue });
  });
});
