import { call, Reply, uniqueId, waitFor } from '../../../test/support/http';
import { openTarget, REAL_NOMAD, serviceJob, Target } from './target';

/**
 * ACL behaviour (BEHAVIOUR.md §3). Runs on a simulator started with ACLs on, or against NOMAD_ADDR when
 * CONFORMANCE_ACL=1 and NOMAD_TOKEN is a management token.
 */
const enabled = !REAL_NOMAD || process.env.CONFORMANCE_ACL === '1';

(enabled ? describe : describe.skip)('Nomad API conformance: ACL tokens and policies', () => {
  let t: Target;
  const mgmt = process.env.NOMAD_TOKEN || 'conformance-management-secret';
  const as = (token: string | undefined, method: string, path: string, body?: unknown, bearer = false): Promise<Reply> =>
    call(t.url, method, path, { body, headers: token ? (bearer ? { Authorization: `Bearer ${token}` } : { 'X-Nomad-Token': token }) : {} });
  let readToken: string;
  const ns = uniqueId('conf-acl');
  const jobId = uniqueId('conf-acl-job');

  beforeAll(async () => {
    t = await openTarget({ acl: true, bootstrapToken: mgmt });
    expect((await as(mgmt, 'PUT', `/v1/namespace/${ns}`, { Name: ns })).status).toBe(200);
    const policy = await as(mgmt, 'PUT', `/v1/acl/policy/${ns}-read`, { Name: `${ns}-read`, Rules: `namespace "default" {\n  policy = "read"\n}\n` });
    expect(policy.status).toBe(200);
    const token = await as(mgmt, 'PUT', '/v1/acl/token', { Name: 'reader', Type: 'client', Policies: [`${ns}-read`] });
    expect(token.status).toBe(200);
    readToken = token.json.SecretID;
    expect((await as(mgmt, 'PUT', '/v1/jobs', { Job: serviceJob(jobId) })).status).toBe(200);
  });
  afterAll(async () => {
    await as(mgmt, 'DELETE', `/v1/job/${jobId}?purge=true`);
    await as(mgmt, 'DELETE', `/v1/namespace/${ns}`);
    await t.close();
  });

  it('denies anonymous and unknown tokens with 403 and exactly "Permission denied"', async () => {
    for (const r of [await as(undefined, 'GET', '/v1/jobs'), await as('not-a-real-token', 'GET', '/v1/jobs')]) {
      expect(r.status).toBe(403);
      expect(r.text).toBe('Permission denied');
    }
  });

  it('answers a wrong verb on an ACL endpoint with 405, not 403, without a token', async () => {
    const r = await as(undefined, 'PATCH', `/v1/acl/policy/${ns}-read`);
    expect([r.status, r.text]).toEqual([405, 'Invalid method']);
  });

  it('refuses an unknown token only where Nomad checks it: not for the leader, peers, regions, unknown paths or wrong verbs', async () => {
    for (const path of ['/v1/status/leader', '/v1/status/peers', '/v1/regions']) {
      expect([path, (await as('not-a-real-token', 'GET', path)).status]).toEqual([path, 200]);
    }
    expect((await as('not-a-real-token', 'GET', '/v1/no-such-endpoint')).status).toBe(404);
    expect((await as('not-a-real-token', 'DELETE', '/v1/jobs')).status).toBe(405);
    expect((await as('not-a-real-token', 'GET', '/v1/namespaces')).status).toBe(403);
  });

  it('needs no token for the leader', async () => {
    expect((await as(undefined, 'GET', '/v1/status/leader')).status).toBe(200);
  });

  it('accepts the token as X-Nomad-Token and as Authorization: Bearer', async () => {
    expect((await as(mgmt, 'GET', '/v1/jobs')).status).toBe(200);
    expect((await as(mgmt, 'GET', '/v1/jobs', undefined, true)).status).toBe(200);
  });

  it('scopes a read policy to its namespace: lists and reads there, no writes, no logs, nothing elsewhere', async () => {
    const list = await as(readToken, 'GET', '/v1/jobs');
    expect(list.status).toBe(200);
    expect(list.json.map((j: any) => j.ID)).toContain(jobId);
    expect((await as(readToken, 'GET', `/v1/job/${jobId}`)).status).toBe(200);
    const write = await as(readToken, 'PUT', '/v1/jobs', { Job: serviceJob(uniqueId('conf-acl-denied')) });
    expect([write.status, write.text]).toEqual([403, 'Permission denied']);
    expect((await as(readToken, 'DELETE', `/v1/job/${jobId}`)).status).toBe(403);
    expect((await as(readToken, 'GET', `/v1/jobs?namespace=${ns}`)).status).toBe(403);
    const alloc = await waitFor('running alloc', async () => (await as(mgmt, 'GET', `/v1/job/${jobId}/allocations`)).json.find((a: any) => a.ClientStatus === 'running'), 60000);
    const logs = await as(readToken, 'GET', `/v1/client/fs/logs/${alloc.ID}?task=nginx&type=stdout&plain=true`);
    expect([logs.status, logs.text]).toEqual([403, 'Permission denied']);
    expect((await as(mgmt, 'GET', `/v1/client/fs/logs/${alloc.ID}?task=nginx&type=stdout&plain=true`)).status).toBe(200);
  });

  it('silently leaves out namespaces the token cannot list with namespace=*', async () => {
    expect((await as(mgmt, 'PUT', '/v1/jobs', { Job: { ...serviceJob(`${jobId}-other`), Namespace: ns } })).status).toBe(200);
    const all = await as(readToken, 'GET', '/v1/jobs?namespace=*');
    expect(all.status).toBe(200);
    expect(all.json.every((j: any) => j.Namespace === 'default')).toBe(true);
    const mgmtAll = await as(mgmt, 'GET', '/v1/jobs?namespace=*');
    expect(mgmtAll.json.some((j: any) => j.Namespace === ns)).toBe(true);
    await as(mgmt, 'DELETE', `/v1/job/${encodeURIComponent(`${jobId}-other`)}?namespace=${ns}&purge=true`);
  });

  it('keeps the job a policy is attached to (JobACL, `nomad acl policy apply -job`) and refuses a group without its job', async () => {
    const name = `${ns}-wi`;
    const rules = '# comments are allowed\nnamespace "default" {\n  capabilities = ["list-jobs"] # list only\n}\n';
    const put = await as(mgmt, 'PUT', `/v1/acl/policy/${name}`, { Name: name, Rules: rules, JobACL: { Namespace: 'default', JobID: jobId } });
    expect(put.status).toBe(200);
    const got = await as(mgmt, 'GET', `/v1/acl/policy/${name}`);
    expect(got.json).toMatchObject({ Name: name, Rules: rules, JobACL: { Namespace: 'default', JobID: jobId, Group: '', Task: '' } });
    expect((await as(mgmt, 'GET', `/v1/acl/policy/${ns}-read`)).json.JobACL).toBeNull();
    const bad = await as(mgmt, 'PUT', `/v1/acl/policy/${name}-bad`, { Name: `${name}-bad`, Rules: rules, JobACL: { Namespace: 'default', Group: 'web' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('job ID must be set to set group');
    await as(mgmt, 'DELETE', `/v1/acl/policy/${name}`);
  });

  it('reports the token itself', async () => {
    const self = await as(readToken, 'GET', '/v1/acl/token/self');
    expect(self.status).toBe(200);
    expect(self.json).toMatchObject({ Type: 'client', Policies: [`${ns}-read`] });
  });
});
