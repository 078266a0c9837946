import { uniqueId, waitFor } from '../../../test/support/http';
import { conformanceApi, openTarget, serviceJob, Target } from './target';

/**
 * Nomad HTTP API conformance: parameterized jobs and dispatch, periodic jobs and periodic/force (children
 * named as Nomad names them, the parent never running), and job sources kept with a registration
 * (`Submission`, GET /v1/job/:id/submission).
 */
describe('Nomad API conformance: dispatch, periodic force and job submissions', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register, expectPlainError } = conformanceApi(() => t, created);
  const enc = encodeURIComponent;

  /** A batch job whose task exits by itself. */
  const batchJob = (id: string, extra: Record<string, unknown>) => ({
    ...serviceJob(id, { Type: 'batch', ...extra }, { Config: { image: 'busybox:1.36', command: 'true' } }),
  });
  const parameterized = (id: string, config: Record<string, unknown> = {}) =>
    batchJob(id, { ParameterizedJob: { Payload: 'optional', MetaRequired: ['customer'], MetaOptional: ['priority'], ...config }, Meta: { team: 'billing' } });

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${enc(id)}?purge=true`);
    await t.close();
  });

  it('registers a parameterized job without an evaluation: it never runs itself', async () => {
    const id = uniqueId('conf-param');
    const r = await register(parameterized(id));
    expect(r.json).toMatchObject({ EvalID: '', EvalCreateIndex: 0 });
    const job = (await api('GET', `/v1/job/${id}`)).json;
    expect(job).toMatchObject({ Status: 'running', Dispatched: false, ParentID: '' });
    expect((await api('GET', `/v1/job/${id}/allocations`)).json).toEqual([]);
  });

  it('dispatches a child named <parent>/dispatch-<unix>-<8 hex> with meta and payload; it runs as a batch job', async () => {
    const id = uniqueId('conf-param');
    await register(parameterized(id));
    const before = Math.floor(Date.now() / 1000);
    const r = await api('PUT', `/v1/job/${id}/dispatch`, { Meta: { customer: 'acme' }, Payload: Buffer.from('hello').toString('base64') });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['DispatchedJobID', 'EvalCreateIndex', 'EvalID', 'Index', 'JobCreateIndex']);
    const m = new RegExp(`^${id}/dispatch-(\\d+)-[0-9a-f]{8}$`).exec(r.json.DispatchedJobID);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(before);
    expect(Number(m![1])).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(r.json.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.json.EvalCreateIndex).toBe(r.json.JobCreateIndex);
    expect(r.headers.get('x-nomad-index')).toBe(String(r.json.Index));
    const childId = r.json.DispatchedJobID as string;
    created.push(childId);
    const child = (await api('GET', `/v1/job/${enc(childId)}`)).json;
    expect(child).toMatchObject({ ID: childId, Name: childId, ParentID: id, Dispatched: true, Type: 'batch', Meta: { team: 'billing', customer: 'acme' } });
    // stored snappy-encoded, as Nomad stores it: length 5, one literal of 5 bytes
    expect(Buffer.from(child.Payload, 'base64')).toEqual(Buffer.concat([Buffer.from([5, 4 << 2]), Buffer.from('hello')]));
    const ev = (await api('GET', `/v1/evaluation/${r.json.EvalID}`)).json;
    expect(ev).toMatchObject({ JobID: childId, TriggeredBy: 'job-register', Type: 'batch' });
    await waitFor('the dispatched child to complete', async () => {
      const allocs = (await api<any[]>('GET', `/v1/job/${enc(childId)}/allocations`)).json;
      return allocs.length === 1 && allocs[0].ClientStatus === 'complete' ? allocs : undefined;
    }, 60000);
    expect((await api('GET', `/v1/job/${id}/allocations`)).json).toEqual([]);
    const summary = await waitFor('the parent to count a dead child', async () => {
      const s = (await api('GET', `/v1/job/${id}/summary`)).json;
      return s.Children.Dead === 1 ? s : undefined;
    });
    expect(summary.Children).toEqual({ Pending: 0, Running: 0, Dead: 1 });
  });

  it('answers the existing child for a repeated idempotency token, without a new evaluation', async () => {
    const id = uniqueId('conf-param');
    await register(parameterized(id));
    const first = await api('PUT', `/v1/job/${id}/dispatch?idempotency_token=once`, { Meta: { customer: 'a' } });
    expect(first.status).toBe(200);
    created.push(first.json.DispatchedJobID);
    const again = await api('PUT', `/v1/job/${id}/dispatch?idempotency_token=once`, { Meta: { customer: 'a' } });
    expect(again.json).toMatchObject({ DispatchedJobID: first.json.DispatchedJobID, EvalID: '', EvalCreateIndex: 0, JobCreateIndex: first.json.JobCreateIndex });
    expect((await api('GET', `/v1/job/${enc(first.json.DispatchedJobID)}`)).json.DispatchIdempotencyToken).toBe('once');
  });

  it('refuses dispatches Nomad refuses, with its texts', async () => {
    const id = uniqueId('conf-param');
    await register(parameterized(id));
    const dispatch = (body: unknown) => api('PUT', `/v1/job/${id}/dispatch`, body);
    expectPlainError(await dispatch({ Meta: {} }), 500, 'Dispatch did not provide required meta keys: [customer]');
    expectPlainError(await dispatch({ Meta: { customer: 'a', color: 'red', zone: 'b' } }), 500, 'Dispatch request included unpermitted metadata keys: [color zone]');
    expectPlainError(await dispatch({ Meta: { customer: 'a' }, Payload: Buffer.alloc(16 * 1024 + 1).toString('base64') }), 500, 'Payload exceeds maximum size; 16385 > 16384');
    expectPlainError(await dispatch({ Meta: { customer: 'a' }, Payload: 'not base64!' }), 400, 'illegal base64 data at input byte 3');
    expectPlainError(await dispatch({ JobID: 'other', Meta: { customer: 'a' } }), 400, 'Job ID does not match');
    expectPlainError(await dispatch({ Meta: { customer: 1 } }), 400, 'json: cannot unmarshal number into Go struct field JobDispatchRequest.Meta of type string');
    expectPlainError(await api('PUT', '/v1/job/nope-missing/dispatch', {}), 500, 'parameterized job not found');
    const required = uniqueId('conf-param');
    await register(parameterized(required, { Payload: 'required', MetaRequired: null }));
    expectPlainError(await api('PUT', `/v1/job/${required}/dispatch`, {}), 500, 'Payload is not provided but required by parameterized job');
    await api('DELETE', `/v1/job/${id}`);
    expectPlainError(await dispatch({ Meta: { customer: 'a' } }), 500, `Specified job "${id}" is stopped`);
  });

  it('forces a periodic job: a child <parent>/periodic-<unix> runs now, found through the evaluation', async () => {
    const id = uniqueId('conf-cron');
    const r = await register(batchJob(id, { Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron', ProhibitOverlap: true } }));
    expect(r.json).toMatchObject({ EvalID: '', EvalCreateIndex: 0 });
    const before = Math.floor(Date.now() / 1000);
    const f = await api('PUT', `/v1/job/${id}/periodic/force`);
    expect(f.status).toBe(200);
    expect(Object.keys(f.json).sort()).toEqual(['EvalCreateIndex', 'EvalID', 'Index']);
    expect(f.headers.get('x-nomad-index')).toBe(String(f.json.Index));
    const ev = (await api('GET', `/v1/evaluation/${f.json.EvalID}`)).json;
    expect(ev.TriggeredBy).toBe('periodic-job');
    const m = new RegExp(`^${id}/periodic-(\\d+)$`).exec(ev.JobID);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(before);
    created.push(ev.JobID);
    const child = (await api('GET', `/v1/job/${enc(ev.JobID)}`)).json;
    expect(child).toMatchObject({ ParentID: id, Periodic: null, Type: 'batch', Name: ev.JobID });
    await waitFor('the periodic child to run', async () => {
      const allocs = (await api<any[]>('GET', `/v1/job/${enc(ev.JobID)}/allocations`)).json;
      return allocs.length ? allocs : undefined;
    }, 60000);
    expect((await api('GET', `/v1/job/${id}/allocations`)).json).toEqual([]);
  });

  it('refuses periodic/force of a missing, non-periodic or stopped job', async () => {
    expectPlainError(await api('PUT', '/v1/job/nope-missing/periodic/force'), 500, 'job not found');
    const id = uniqueId('conf-cron');
    await register(batchJob(id, { Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron' } }));
    await api('DELETE', `/v1/job/${id}`);
    expectPlainError(await api('PUT', `/v1/job/${id}/periodic/force`), 500, `force launch for job "${id}" failed: can't force run non-tracked job "${id}" (default)`);
  });

  it('keeps the HCL a version was registered from and serves it per version', async () => {
    const id = uniqueId('conf-src');
    const hcl = `job "${id}" {\n  group "web" {\n    task "nginx" {\n      driver = "docker"\n      config {\n        image = "nginx:1.27"\n      }\n    }\n  }\n}\n`;
    const parsed = await api('PUT', '/v1/jobs/parse', { JobHCL: hcl, Canonicalize: true });
    expect(parsed.status).toBe(200);
    created.push(id);
    const reg = await api('PUT', '/v1/jobs', { Job: parsed.json, Submission: { Source: hcl, Format: 'hcl2', VariableFlags: { env: 'prod' }, Variables: '' } });
    expect(reg.status).toBe(200);
    const sub = await api('GET', `/v1/job/${id}/submission?version=0`);
    expect(sub.status).toBe(200);
    expect(sub.json).toEqual({ Source: hcl, Format: 'hcl2', VariableFlags: { env: 'prod' }, Variables: '', Namespace: 'default', JobID: id, Version: 0, JobModifyIndex: reg.json.JobModifyIndex });
    expect(sub.headers.get('x-nomad-index')).toBe(String(reg.json.JobModifyIndex));
    expectPlainError(await api('GET', `/v1/job/${id}/submission?version=1`), 404, 'job source not found');
    expectPlainError(await api('GET', `/v1/job/${id}/submission`), 400, 'Unable to parse job submission version parameter');
    // a version registered without a source has none
    await api('PUT', '/v1/jobs', { Job: { ...parsed.json, Meta: { v: '2' } } });
    expectPlainError(await api('GET', `/v1/job/${id}/submission?version=1`), 404, 'job source not found');
    await api('DELETE', `/v1/job/${id}?purge=true`);
    expectPlainError(await api('GET', `/v1/job/${id}/submission?version=0`), 404, 'job source not found');
  });
});
