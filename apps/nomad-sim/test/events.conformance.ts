import { call, uniqueId, waitFor } from '../../../test/support/http';
import { conformanceApi, openTarget, REAL_NOMAD, serviceJob, Target } from './target';

/**
 * The event stream, GET /v1/event/stream (nomad/event_endpoint.go, nomad/stream, nomad/state/events.go):
 * newline-delimited JSON that starts with a `{}` heartbeat, batches `{"Index","Events":[…]}` whose events carry
 * Topic, Type (the kind of write: an evaluation a registration creates is `JobRegistered`), Key, Namespace,
 * FilterKeys, Index and the object as Payload; topics with key filters, the namespace parameter, resuming from
 * an index out of the broker's buffer, and the ACL checks.
 */

/** An open stream: every parsed line so far, in order. */
interface EventStream {
  status: number;
  headers: Headers;
  lines: any[];
  /** the events of every batch so far */
  events(): any[];
  until<T>(what: string, pick: (events: any[]) => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): void;
}

async function openStream(t: Target, query: string, headers: Record<string, string> = t.headers): Promise<EventStream> {
  const abort = new AbortController();
  const res = await fetch(`${t.url}/v1/event/stream${query}`, { headers, signal: abort.signal });
  const lines: any[] = [];
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let rest = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          rest += decoder.decode(value, { stream: true });
          let nl: number;
          while ((nl = rest.indexOf('\n')) >= 0) {
            const line = rest.slice(0, nl);
            rest = rest.slice(nl + 1);
            if (line.trim()) lines.push(JSON.parse(line));
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  const events = () => lines.flatMap((l) => l.Events ?? []);
  return {
    status: res.status, headers: res.headers, lines, events,
    until: (what, pick, timeoutMs = 60000) => waitFor(what, async () => pick(events()), timeoutMs, 20),
    close: () => abort.abort(),
  };
}

describe('Nomad API conformance: the event stream', () => {
  let t: Target;
  const created: string[] = [];
  const streams: EventStream[] = [];
  const { api, register } = conformanceApi(() => t, created);
  const open = async (query: string, headers?: Record<string, string>) => {
    const s = await openStream(t, query, headers);
    streams.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  it('streams NDJSON: a {} heartbeat first, then the job registration as a Job event of type JobRegistered', async () => {
    const id = uniqueId('conf-ev');
    const s = await open(`?topic=Job:${id}`);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe('application/json');
    expect(s.headers.get('cache-control')).toBe('no-cache');
    await waitFor('the first heartbeat', async () => s.lines.length > 0);
    expect(s.lines[0]).toEqual({});
    const reg = await register(serviceJob(id));
    const ev = await s.until('JobRegistered', (evs) => evs.find((e) => e.Type === 'JobRegistered'));
    expect(Object.keys(ev)).toEqual(['Topic', 'Type', 'Key', 'Namespace', 'FilterKeys', 'Index', 'Payload']);
    expect(ev).toMatchObject({ Topic: 'Job', Key: id, Namespace: 'default', FilterKeys: null, Index: reg.json.JobModifyIndex });
    expect(ev.Payload.Job).toMatchObject({ ID: id, Namespace: 'default', Type: 'service', Version: 0 });
    const batch = s.lines.find((l) => l.Events?.includes(ev));
    expect(batch.Index).toBe(ev.Index);
    // the key filter lets nothing of another job through
    expect(s.events().every((e) => e.Topic === 'Job' && e.Key === id)).toBe(true);
  });

  it('follows a job through its evaluation, allocations and deployment, each with the type of the write that made it', async () => {
    const id = uniqueId('conf-ev-life');
    // FilterKeys carry the job ID for evaluations, allocations and deployments
    const s = await open(`?topic=Evaluation:${id}&topic=Allocation:${id}&topic=Deployment:${id}`);
    const reg = await register(serviceJob(id));
    const created = await s.until('the evaluation', (evs) => evs.find((e) => e.Topic === 'Evaluation'));
    expect(created).toMatchObject({ Type: 'JobRegistered', Key: reg.json.EvalID, Namespace: 'default', Index: reg.json.EvalCreateIndex });
    expect(created.FilterKeys[0]).toBe(id);
    expect(created.Payload.Evaluation).toMatchObject({ ID: reg.json.EvalID, JobID: id, TriggeredBy: 'job-register' });
    const done = await s.until('the evaluation complete', (evs) => evs.find((e) => e.Topic === 'Evaluation' && e.Payload.Evaluation.Status === 'complete'));
    expect(done.Type).toBe('EvaluationUpdated');
    const placed = await s.until('the placement', (evs) => evs.find((e) => e.Topic === 'Allocation' && e.Type === 'PlanResult'));
    expect(placed.Payload.Allocation).toMatchObject({ JobID: id, DesiredStatus: 'run', Job: null });
    expect(placed.FilterKeys).toEqual([id, placed.Payload.Allocation.DeploymentID]);
    const running = await s.until('the allocation running', (evs) => evs.find((e) => e.Topic === 'Allocation' && e.Payload.Allocation.ClientStatus === 'running'));
    expect(running).toMatchObject({ Type: 'AllocationUpdated', Key: placed.Key });
    const healthy = await s.until('the allocation healthy', (evs) => evs.find((e) => e.Topic === 'Allocation' && e.Payload.Allocation.DeploymentStatus?.Healthy === true));
    expect(healthy.Type).toBe('DeploymentAllocHealth');
    const dep = await s.until('the deployment successful', (evs) => evs.find((e) => e.Topic === 'Deployment' && e.Payload.Deployment.Status === 'successful'));
    expect(dep).toMatchObject({ Type: 'DeploymentStatusUpdate', Namespace: 'default', FilterKeys: [id] });
    // indexes only grow along the stream
    const indexes = s.lines.filter((l) => l.Index).map((l) => l.Index);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
  });

  it('resumes from an index: a new stream with index=N starts at the batch of index N', async () => {
    const id = uniqueId('conf-ev-resume');
    const first = await open(`?topic=Job:${id}`);
    await register(serviceJob(id));
    const ev = await first.until('JobRegistered', (evs) => evs.find((e) => e.Type === 'JobRegistered'));
    await api('PUT', '/v1/jobs', { Job: serviceJob(id, { Meta: { changed: 'yes' } }) });
    const second = await first.until('the second registration', (evs) => evs.find((e) => e.Type === 'JobRegistered' && e.Payload.Job.Version === 1));
    first.close();
    const resumed = await open(`?topic=Job:${id}&index=${ev.Index}`);
    await resumed.until('both registrations again', (evs) => evs.find((e) => e.Index === second.Index));
    const batches = resumed.lines.filter((l) => l.Index);
    expect(batches[0].Index).toBe(ev.Index);
    expect(resumed.events()[0]).toMatchObject({ Type: 'JobRegistered', Key: id, Payload: { Job: { Version: 0 } } });
    // and from just after the first: only what came later
    const later = await open(`?topic=Job:${id}&index=${ev.Index + 1}`);
    await later.until('the second registration', (evs) => evs.find((e) => e.Index === second.Index));
    expect(later.events().some((e) => e.Index === ev.Index)).toBe(false);
  });

  it('without index replays what the broker holds: the stream opened after a registration still sees it', async () => {
    const id = uniqueId('conf-ev-replay');
    const reg = await register(serviceJob(id));
    const s = await open(`?topic=Job:${id}`);
    const ev = await s.until('the registration', (evs) => evs.find((e) => e.Type === 'JobRegistered'));
    expect(ev.Index).toBe(reg.json.JobModifyIndex);
  });

  it('keeps to the namespace asked for (default when none); namespace=* sees every namespace', async () => {
    const ns = uniqueId('conf-ev-ns');
    expect((await api('PUT', `/v1/namespace/${ns}`, { Name: ns })).status).toBe(200);
    const id = uniqueId('conf-ev-nsjob');
    const inDefault = await open(`?topic=Job:${id}`);
    const inNs = await open(`?topic=Job:${id}&namespace=${ns}`);
    const everywhere = await open(`?topic=Job:${id}&namespace=*`);
    const r = await api('PUT', `/v1/jobs?namespace=${ns}`, { Job: serviceJob(id, { Namespace: ns }) });
    expect(r.status).toBe(200);
    await inNs.until('the job in its namespace', (evs) => evs.find((e) => e.Type === 'JobRegistered'));
    const all = await everywhere.until('the job with namespace=*', (evs) => evs.find((e) => e.Type === 'JobRegistered'));
    expect(all.Namespace).toBe(ns);
    expect(inDefault.events()).toEqual([]);
    await api('DELETE', `/v1/job/${id}?purge=true&namespace=${ns}`);
    const purged = await everywhere.until('JobDeregistered', (evs) => evs.find((e) => e.Type === 'JobDeregistered'));
    expect(purged).toMatchObject({ Topic: 'Job', Key: id, Namespace: ns });
    await waitFor('the namespace deleted', async () => (await api('DELETE', `/v1/namespace/${ns}`)).status === 200, 30000, 200);
  });

  it('sends Node events for eligibility changes (NodeDrain), without a namespace', async () => {
    const nodes = (await api<any[]>('GET', '/v1/nodes')).json;
    const node = nodes[0];
    const s = await open(`?topic=Node:${node.ID}`);
    try {
      expect((await api('POST', `/v1/node/${node.ID}/eligibility`, { NodeID: node.ID, Eligibility: 'ineligible' })).status).toBe(200);
      const ev = await s.until('NodeDrain', (evs) => evs.find((e) => e.Type === 'NodeDrain'));
      expect(ev).toMatchObject({ Topic: 'Node', Key: node.ID, Namespace: '', FilterKeys: null });
      expect(ev.Payload.Node).toMatchObject({ ID: node.ID, SchedulingEligibility: 'ineligible', SecretID: '' });
    } finally {
      await api('POST', `/v1/node/${node.ID}/eligibility`, { NodeID: node.ID, Eligibility: 'eligible' });
    }
  });

  it('refuses a malformed topic or index with 400 and another method with 405', async () => {
    const badTopic = await call(t.url, 'GET', '/v1/event/stream?topic=Job:a:b', { headers: t.headers });
    expect([badTopic.status, badTopic.text]).toEqual([400, 'Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: Job:a:b']);
    const badIndex = await call(t.url, 'GET', '/v1/event/stream?index=abc', { headers: t.headers });
    expect([badIndex.status, badIndex.text]).toEqual([400, 'Unable to parse index: strconv.Atoi: parsing "abc": invalid syntax']);
    expect((await call(t.url, 'PUT', '/v1/event/stream', { headers: t.headers })).status).toBe(405);
  });
});

const aclEnabled = !REAL_NOMAD || process.env.CONFORMANCE_ACL === '1';

(aclEnabled ? describe : describe.skip)('Nomad API conformance: the event stream under ACLs', () => {
  let t: Target;
  const mgmt = process.env.NOMAD_TOKEN || 'conformance-management-secret';
  const policy = uniqueId('conf-ev-read');
  let reader: string;

  beforeAll(async () => {
    t = await openTarget({ acl: true, bootstrapToken: mgmt });
    const h = { 'X-Nomad-Token': mgmt };
    expect((await call(t.url, 'PUT', `/v1/acl/policy/${policy}`, { body: { Name: policy, Rules: 'namespace "default" {\n  policy = "read"\n}\n' }, headers: h })).status).toBe(200);
    reader = (await call(t.url, 'PUT', '/v1/acl/token', { body: { Name: 'events', Type: 'client', Policies: [policy] }, headers: h })).json.SecretID;
  });
  afterAll(async () => {
    await call(t.url, 'DELETE', `/v1/acl/policy/${policy}`, { headers: { 'X-Nomad-Token': mgmt } });
    await t.close();
  });

  /** A refusal comes before the stream starts: a plain 403. */
  const refused = async (token: string | undefined, query: string) => {
    const s = await openStream(t, query, token ? { 'X-Nomad-Token': token } : {});
    s.close();
    return s.status;
  };

  it('needs read-job in the namespace for the job topics, node:read for Node, a management token for all topics', async () => {
    expect(await refused(undefined, '?topic=Job')).toBe(403);
    expect(await refused(reader, '?topic=Node')).toBe(403);
    expect(await refused(reader, '')).toBe(403);
    expect(await refused(reader, '?topic=*')).toBe(403);
    expect(await refused(reader, '?topic=Job&namespace=other')).toBe(403);
    expect(await refused(reader, '?topic=Job&topic=Evaluation&topic=Allocation&topic=Deployment')).toBe(200);
    expect(await refused(mgmt, '')).toBe(200);
  });

  it('answers a refusal as Nomad: 403 with exactly "Permission denied"', async () => {
    const r = await call(t.url, 'GET', '/v1/event/stream?topic=Node', { headers: { 'X-Nomad-Token': reader } });
    expect([r.status, r.text]).toEqual([403, 'Permission denied']);
  });
});
