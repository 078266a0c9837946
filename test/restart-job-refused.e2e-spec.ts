import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call, waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const NS = 'development';
const MGMT = 'restart-refused-management-token-0001';
const READER = 'restart-refused-reader-token-00000002';
const RESTART = /^(PUT|POST) \/v1\/client\/allocation\/([0-9a-f-]{36})\/restart/;

/** The running allocations of example-job, oldest first (the order restart_job goes through them). */
async function runningAllocs(s: Stack, token?: string): Promise<string[]> {
  const r = await call(s.sim!.url, 'GET', `/v1/job/example-job/allocations?namespace=${NS}`, { headers: token ? { 'X-Nomad-Token': token } : {} });
  return (r.json as any[]).filter((a) => a.ClientStatus === 'running').sort((a, b) => a.CreateIndex - b.CreateIndex).map((a) => a.ID);
}

async function settled(s: Stack, token?: string): Promise<string[]> {
  await waitFor('example-job deployed', async () => (await call(s.sim!.url, 'GET', `/v1/job/example-job/deployment?namespace=${NS}`, { headers: token ? { 'X-Nomad-Token': token } : {} })).json?.Status === 'successful', 20000);
  return runningAllocs(s, token);
}

/**
 * restart_job when Nomad refuses restarts: none restarted is a failed call (its status mapped from Nomad's
 * refusal, with the next step), never a 200; some restarted is a 200 that says plainly which were refused.
 */
describe('restart_job when Nomad refuses restarts', () => {
  it("every restart refused for want of permission: 502 naming the capability the service's token lacks, over REST and MCP", async () => {
    const s = await startStack({ sim: { acl: true, bootstrapToken: MGMT }, env: { NOMAD_TOKEN: READER } });
    try {
      const policy = await call(s.sim!.url, 'PUT', '/v1/acl/policy/dev-read', { body: { Name: 'dev-read', Rules: `namespace "${NS}" {\n  policy = "read"\n}\n` }, headers: { 'X-Nomad-Token': MGMT } });
      expect(policy.status).toBe(200);
      s.sim!.acl.addToken({ Name: 'dev-read', Type: 'client', Policies: ['dev-read'] }, 1, READER);
      const allocs = await settled(s, MGMT);
      expect(allocs).toHaveLength(2);

      const from = s.nomadTraffic.length;
      const r = await s.api('POST', '/api/claude/jobs/example-job/restart', { namespace: NS });
      expect(r.status).toBe(502);
      expect(r.json).toMatchObject({
        nomad_status: 403, nomad_capability: 'alloc-lifecycle',
        message: expect.stringMatching(/^Nomad refused .*restart.*: the service's Nomad token \(NOMAD_TOKEN\) lacks the capability 'alloc-lifecycle' that restart_job needs in namespace 'development'/),
        next_step: expect.stringContaining(`Add 'alloc-lifecycle' to that token's ACL policy`),
      });
      // it tried each one, and Nomad refused each
      expect(s.nomadTraffic.slice(from).filter((l) => RESTART.test(l))).toHaveLength(2);

      const published = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'restart', namespace: NS });
      expect({ status: published.status, message: published.json.message }).toEqual({ status: 502, message: r.json.message });

      const client = new Client({ name: 'restart-refused', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
      try {
        const m = (await client.callTool({ name: 'restart_job', arguments: { job_id: 'example-job', namespace: NS } })) as any;
        expect(m.isError).toBe(true);
        expect(m.content[0].text).toMatch(/lacks the capability 'alloc-lifecycle'.*Add 'alloc-lifecycle' to that token's ACL policy/);
      } finally {
        await client.close();
      }
    } finally {
      await s.close();
    }
  });

  describe('Nomad refusing with an error of its own', () => {
    let s: Stack;
    let allocs: string[];
    beforeAll(async () => {
      s = await startStack({ faults: true });
      allocs = await settled(s);
      expect(allocs).toHaveLength(2);
    });
    afterAll(() => s.close());
    const restartsSince = (from: number) => s.nomadTraffic.slice(from).map((l) => RESTART.exec(l)?.[2]).filter(Boolean);

    it('every restart refused: 502 listing each refusal, with what to do next; no success is claimed', async () => {
      await s.faults!.set('refuse', { only: (_m, url) => /\/v1\/client\/allocation\/[^/]+\/restart/.test(url), refuseText: 'rpc error: node sim-client-1 is not reachable' });
      const r = await s.api('POST', '/api/claude/jobs/example-job/restart', { namespace: NS });
      expect(r.status).toBe(502);
      expect(r.json.message).toBe(`No allocation of job 'example-job' was restarted: Nomad refused all 2 restarts (${allocs.map((a) => `${a.slice(0, 8)}: rpc error: node sim-client-1 is not reachable`).join('; ')}).`);
      expect(r.json.failed.map((f: any) => f.alloc_id)).toEqual(allocs);
      expect(r.json.next_step).toMatch(/^Nothing was restarted\. .*get_job_status/);
      expect(s.faults!.faulted.filter((l) => l.includes('/restart'))).toHaveLength(2);
    });

    it('allocations that stopped running meanwhile: 409 saying so, and to look again', async () => {
      await s.faults!.set('refuse', { only: (_m, url) => /\/v1\/client\/allocation\/[^/]+\/restart/.test(url), refuseText: 'Task not running' });
      const r = await s.api('POST', '/api/claude/jobs/example-job/restart', { namespace: NS });
      expect(r.status).toBe(409);
      expect(r.json.message).toMatch(/^No allocation of job 'example-job' was restarted: Nomad refused all 2 restarts \(.*Task not running\)\.$/);
      expect(r.json.next_step).toBe("Its allocations stopped running meanwhile: call get_job_status for job 'example-job' in namespace 'development' to see them now.");
    });

    it('some restarts refused: 200 whose sentence says only some restarted and which Nomad refused', async () => {
      const [refused, ok] = allocs;
      await s.faults!.set('refuse', { only: (_m, url) => url.startsWith(`/v1/client/allocation/${refused}/restart`), refuseText: 'rpc error: refused' });
      const from = s.nomadTraffic.length;
      const r = await s.api('POST', '/api/claude/jobs/example-job/restart', { namespace: NS });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ affected_allocations: [ok], failed: [{ alloc_id: refused, error: 'rpc error: refused' }] });
      expect(r.json.message).toBe(`Restarted only 1 of 2 running allocations of job 'example-job' (${ok.slice(0, 8)}); Nomad refused 1 restart: ${refused.slice(0, 8)}: rpc error: refused.`);
      // the simulator got (and did) the one restart that passed
      expect(restartsSince(from)).toEqual([ok]);
      await s.faults!.set('pass');
    });

    it('all restarts accepted: 200 naming each, as before', async () => {
      const r = await s.api('POST', '/api/claude/jobs/example-job/restart', { namespace: NS });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ affected_allocations: allocs, failed: [] });
      expect(r.json.message).toBe(`Restarted 2 running allocations of job 'example-job' one after another (${allocs.map((a) => a.slice(0, 8)).join(', ')}).`);
    });
  });
});
