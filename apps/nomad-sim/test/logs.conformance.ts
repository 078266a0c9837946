import { call, Reply, uniqueId, waitFor } from '../../../test/support/http';
import { openTarget, REAL_NOMAD, serviceJob, Target } from './target';

interface Frame {
  Offset?: number;
  Data?: string;
  File?: string;
  FileEvent?: string;
}

/** Splits Nomad's framed log stream: JSON objects concatenated with no separator. */
export function parseFrames(text: string): Frame[] {
  const frames: Frame[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) frames.push(JSON.parse(text.slice(start, i + 1)));
  }
  return frames;
}

describe('Nomad API conformance: /v1/client/fs/logs', () => {
  let t: Target;
  let allocId: string;
  const jobId = uniqueId('conf-logs');
  const api = (method: string, path: string, body?: unknown): Promise<Reply> => call(t.url, method, path, { body, headers: t.headers });
  const logs = (query: string) => api('GET', `/v1/client/fs/logs/${allocId}?${query}`);

  beforeAll(async () => {
    t = await openTarget();
    expect((await api('PUT', '/v1/jobs', { Job: serviceJob(jobId) })).status).toBe(200);
    const alloc = await waitFor('running alloc', async () => {
      const r = await api('GET', `/v1/job/${jobId}/allocations`);
      return r.json.find((a: any) => a.ClientStatus === 'running');
    }, 60000);
    allocId = alloc.ID;
    // let the task write a few lines
    await waitFor('some stdout', async () => (await logs('task=nginx&type=stdout&plain=true')).text.split('\n').length > 3, 30000, 200);
  });
  afterAll(async () => {
    await api('DELETE', `/v1/job/${jobId}?purge=true`);
    await t.close();
  });

  it('validates its parameters with Nomad texts', async () => {
    const noTask = await logs('type=stdout');
    expect([noTask.status, noTask.text]).toEqual([400, 'must provide task name']);
    const badType = await logs('task=nginx&type=both');
    expect([badType.status, badType.text]).toEqual([400, 'must provide log type (stdout/stderr)']);
    const badOrigin = await logs('task=nginx&type=stdout&origin=middle');
    expect([badOrigin.status, badOrigin.text]).toEqual([400, 'origin must be start or end']);
    const unknownTask = await logs('task=nope&type=stdout');
    expect([unknownTask.status, unknownTask.text]).toEqual([400, 'unknown task name "nope"']);
    const unknownAlloc = await api('GET', '/v1/client/fs/logs/00000000-0000-0000-0000-000000000000?task=nginx&type=stdout');
    expect(unknownAlloc.status).toBe(404);
  });

  it('returns raw text with plain=true, and the same bytes as base64 frames without it', async () => {
    const plain = await logs('task=nginx&type=stdout&plain=true');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain/);
    if (t.isSimulator) expect(plain.text).toMatch(/Configuration complete; ready for start up/);
    const framed = await logs('task=nginx&type=stdout');
    expect(framed.headers.get('content-type')).toBe('application/json');
    const frames = parseFrames(framed.text).filter((f) => f.Data);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames[0].File).toBe('alloc/logs/nginx.stdout.0');
    const joined = Buffer.concat(frames.map((f) => Buffer.from(f.Data!, 'base64'))).toString();
    expect(joined.startsWith(plain.text.slice(0, 200))).toBe(true);
    expect(frames[frames.length - 1].Offset).toBe(Buffer.byteLength(joined));
    expect(Object.keys(frames[0])).toEqual(['Offset', 'Data', 'File']);
  });

  it('counts offsets in bytes from the start or, with origin=end, from the end', async () => {
    const whole = Buffer.from((await logs('task=nginx&type=stdout&plain=true')).text);
    const fromStart = Buffer.from((await logs('task=nginx&type=stdout&plain=true&origin=start&offset=10')).text);
    expect(fromStart.subarray(0, 50).toString()).toBe(whole.subarray(10, 60).toString());
    const tail = await logs('task=nginx&type=stdout&plain=true&origin=end&offset=40');
    expect(Buffer.byteLength(tail.text)).toBe(40);
    const framedTail = parseFrames((await logs('task=nginx&type=stdout&origin=end&offset=40')).text).filter((f) => f.Data);
    expect(framedTail[0].Offset).toBeGreaterThanOrEqual(whole.length);
  });

  it('keeps streaming new frames and {} heartbeats with follow=true', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/v1/client/fs/logs/${allocId}?task=nginx&type=stdout&follow=true&origin=end&offset=0`, { headers: t.headers, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const until = Date.now() + 2600;
    while (Date.now() < until) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), until - Date.now()))]);
      if (!chunk || chunk.done) break;
      text += Buffer.from(chunk.value).toString();
    }
    controller.abort();
    const frames = parseFrames(text);
    expect(frames.filter((f) => Object.keys(f).length === 0).length).toBeGreaterThanOrEqual(1);
    const data = frames.filter((f) => f.Data);
    expect(data.length).toBeGreaterThanOrEqual(1);
    expect(Buffer.from(data[0].Data!, 'base64').toString()).toMatch(/\n$/);
  });

  it('says the task has not started when it never did', async () => {
    const id = uniqueId('conf-nolog');
    await api('PUT', '/v1/jobs', { Job: serviceJob(id, {}, { Config: { image: 'example.invalid/does-not-exist:missing' } }) });
    const failed = await waitFor('failed alloc', async () => {
      const r = await api('GET', `/v1/job/${id}/allocations`);
      return r.json.find((a: any) => a.ClientStatus === 'failed');
    }, 120000, 100);
    const r = await api('GET', `/v1/client/fs/logs/${failed.ID}?task=nginx&type=stdout`);
    expect(r.status).toBe(404);
    expect(r.text).toBe('task "nginx" not started yet. No logs available');
    await api('DELETE', `/v1/job/${id}?purge=true`);
  });

  (REAL_NOMAD ? it.skip : it)('simulator: serves a 500 MB log by offset without building it', async () => {
    const id = uniqueId('conf-biglog');
    await api('PUT', '/v1/jobs', { Job: serviceJob(id, {}, { Env: { NOMAD_SIM_LOG_BYTES: '500MB' } }) });
    const alloc = await waitFor('running', async () => (await api('GET', `/v1/job/${id}/allocations`)).json.find((a: any) => a.ClientStatus === 'running'), 30000);
    const frames = parseFrames((await api('GET', `/v1/client/fs/logs/${alloc.ID}?task=nginx&type=stdout&origin=end&offset=300`)).text);
    expect(frames[0].Offset).toBeGreaterThan(500 * 1024 * 1024 - 4096);
    const lines = Buffer.from(frames[0].Data!, 'base64').toString().split('\n');
    expect(lines[lines.length - 2]).toMatch(/^10\.0\.\d+\.\d+ - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "/);
    await api('DELETE', `/v1/job/${id}?purge=true`);
  });
});
