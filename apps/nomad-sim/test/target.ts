import { call, Reply, waitFor } from '../../../test/support/http';
import { startSimulator, SimulatorOptions } from '../src';

/**
 * Where the conformance suite points: NOMAD_ADDR (a real Nomad dev agent, with NOMAD_TOKEN when ACLs are
 * on) when run as `npm run test:conformance`, or else a fresh simulator on port 0 with short timings.
 * `npm test` never follows NOMAD_ADDR: Nomad users export it, and the suite creates and purges jobs.
 */
export const REAL_NOMAD = process.env.CONFORMANCE_USE_NOMAD_ADDR === '1' ? process.env.NOMAD_ADDR : undefined;
export interface Target {
  url: string;
  token?: string;
  isSimulator: boolean;
  /**
   * Real milliseconds per millisecond of a duration a job spec gives (min_healthy_time, reschedule delays): 1 on
   * a real Nomad; the simulator's durationScale (SimTimings), so a test can say how soon is too soon on both.
   */
  durationScale: number;
  /** headers every request carries (the token) */
  headers: Record<string, string>;
  close(): Promise<void>;
}

export const FAST_TIMINGS = { startDelayMs: 60, healthyDelayMs: 80, batchRunMs: 150, restartDelayMs: 40, killDelayMs: 30, healthyDeadlineMs: 2000 };

export async function openTarget(simOptions: SimulatorOptions = {}): Promise<Target> {
  if (REAL_NOMAD) {
    const token = process.env.NOMAD_TOKEN || undefined;
    return {
      url: REAL_NOMAD.replace(/\/+$/, ''),
      token,
      isSimulator: false,
      durationScale: 1,
      headers: token ? { 'X-Nomad-Token': token } : {},
      close: async () => undefined,
    };
  }
  const sim = await startSimulator({ port: 0, timings: FAST_TIMINGS, ...simOptions });
  const token = simOptions.bootstrapToken;
  const timings = sim.state.timings;
  const durationScale = timings.durationScale ?? timings.healthyDelayMs / 10_000;
  return { url: sim.url, token, isSimulator: true, durationScale, headers: token ? { 'X-Nomad-Token': token } : {}, close: () => sim.close() };
}

/** A docker service job in the JSON form the Go client sends. */
export function serviceJob(id: string, overrides: Record<string, unknown> = {}, task: Record<string, unknown> = {}) {
  return {
    ID: id,
    Name: id,
    Type: 'service',
    Datacenters: ['dc1'],
    TaskGroups: [
      {
        Name: 'web',
        Count: 1,
        Networks: [{ DynamicPorts: [{ Label: 'http', Value: 0, To: 80 }] }],
        Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.27', ports: ['http'] }, Resources: { CPU: 100, MemoryMB: 64 }, ...task }],
      },
    ],
    ...overrides,
  };
}

/** The request helpers every conformance file uses; `created` collects job IDs to purge afterwards. */
export function conformanceApi(target: () => Target, created: string[]) {
  const api = <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> =>
    call<T>(target().url, method, path, { body, headers: { ...target().headers, ...headers } });
  const register = async (job: Record<string, unknown>, method = 'PUT') => {
    created.push(job.ID as string);
    const r = await api(method, '/v1/jobs', { Job: job });
    expect(r.status).toBe(200);
    return r;
  };
  const expectPlainError = (r: Reply, status: number, body: string | RegExp) => {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    if (typeof body === 'string') expect(r.text).toBe(body);
    else expect(r.text).toMatch(body);
  };
  const runningAllocs = (id: string, n = 1) =>
    waitFor(`${n} running alloc(s) of ${id}`, async () => {
      const r = await api<any[]>('GET', `/v1/job/${encodeURIComponent(id)}/allocations`);
      const running = r.json.filter((a) => a.ClientStatus === 'running');
      return running.length >= n ? running : undefined;
    }, 60000);
  return { api, register, expectPlainError, runningAllocs };
}
