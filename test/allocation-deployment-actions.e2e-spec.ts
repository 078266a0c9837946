import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const KEYS = { admin: 'actions-admin-key-0001', dev: 'actions-dev-operator-02', bot: 'actions-ci-bot-key-003', reader: 'actions-reader-key-0004' };
type Who = keyof typeof KEYS;
const NS = 'development';

/** A docker service job of one group `web` and one task `nginx`; `canary` rolls its updates out with canaries and auto_revert. */
function job(id: string, version: string, opts: { count?: number; canary?: number } = {}) {
  const update = opts.canary ? { MaxParallel: 1, Canary: opts.canary, AutoRevert: true, HealthCheck: 'task_states' } : undefined;
  return {
    Job: {
      ID: id, Type: 'service', Datacenters: ['dc1'],
      TaskGroups: [{
        Name: 'web', Count: opts.count ?? 1, ...(update ? { Update: update } : {}),
        Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: { VERSION: version }, Resources: { CPU: 50, MemoryMB: 32 } }],
      }],
    },
  };
}

/**
 * The allocation actions (restart, stop, signal) and deployment actions (promote, fail, pause, resume) over
 * REST and MCP against the simulator: what each asks Nomad and answers, refusals outside the caller's scope and
 * namespaces, the 404 with its next step, bad input refused before Nomad hears of it, the confirmation plan of
 * the destructive ones, Nomad's refusals as 409s, and a canary rollout promoted by an agent in three tool calls.
 */
describe('allocation and deployment actions', () => {
  let s: Stack;
  let dir: string;
  const clients: Partial<Record<Who, Client>> = {};
  const rest = (path: string, body: unknown = {}, who: Who = 'admin') => s.api('POST', `/api/claude${path}`, body, { 'X-API-Key': KEYS[who] });
  const tool = async (name: string, args: Record<string, unknown>, who: Who = 'admin') => {
    if (!clients[who]) {
      const c = new Client({ name: `actions-${who}`, version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEYS[who] } } }));
      clients[who] = c;
    }
    const r = (await clients[who]!.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: any };
    return { isError: !!r.isError, text: r.content[0].text, data: r.structuredContent };
  };
  /** Requests since `from` that change something in Nomad. */
  const writesSince = (from: number) => s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET'));
  const allocs = async (id: string, ns = NS): Promise<any[]> => (await s.nomad('GET', `/v1/job/${id}/allocations?namespace=${ns}`)).json;
  const alloc = async (id: string) => (await s.nomad('GET', `/v1/allocation/${id}`)).json;
  const runningAlloc = (id: string, ns = NS) => waitFor(`a running allocation of ${id}`, async () => (await allocs(id, ns)).find((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run'), 20000);
  const latestDeployment = async (id: string) => (await s.nomad('GET', `/v1/job/${id}/deployment?namespace=${NS}`)).json;
  /** A job rolled out at version 0, then updated to version 1 whose canary waits, healthy, for promotion: its deployment. */
  const stageCanary = async (id: string, count = 2) => {
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, job(id, '0', { count, canary: 1 }))).status).toBe(200);
    await waitFor(`${id} v0 deployed`, async () => (await latestDeployment(id))?.Status === 'successful', 20000);
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, job(id, '1', { count, canary: 1 }))).status).toBe(200);
    return waitFor(`${id} canary healthy`, async () => {
      const d = await latestDeployment(id);
      const canary = d?.JobVersion === 1 ? d.TaskGroups.web.PlacedCanaries?.[0] : undefined;
      return canary && (await alloc(canary)).DeploymentStatus?.Healthy === true ? d : undefined;
    }, 20000);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'actions-'));
    const file = join(dir, 'identities.json');
    writeFileSync(file, JSON.stringify({ identities: [
      { name: 'admin', key: KEYS.admin, scopes: ['*'], confirm: 'off' },
      { name: 'dev-operator', key: KEYS.dev, scopes: ['read', 'operate'], namespaces: [NS], confirm: 'off' },
      { name: 'ci-bot', key: KEYS.bot, scopes: ['read', 'operate'] },
      { name: 'reader', key: KEYS.reader, scopes: ['read'] },
    ] }));
    s = await startStack({ env: { API_KEYS_FILE: file } });
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, job('actions-web', '0', { count: 3 }))).status).toBe(200);
    await waitFor('actions-web running', async () => (await allocs('actions-web')).filter((a) => a.ClientStatus === 'running').length === 3, 20000);
  });
  afterAll(async () => {
    for (const c of Object.values(clients)) await c?.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('allocations', () => {
    it('restart_allocation restarts one task in place (REST, by prefix) or every running one (MCP)', async () => {
      const a = await runningAlloc('actions-web');
      const from = s.nomadTraffic.length;
      const r = await rest(`/allocations/${a.ID.slice(0, 8)}/restart`, { task: 'nginx' });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ alloc_id: a.ID, namespace: NS, job_id: 'actions-web', action: 'restart', tasks: ['nginx'], signal: null, eval_id: null });
      expect(r.json.message).toBe(`Restarted task 'nginx' of allocation ${a.ID.slice(0, 8)} (${a.Name} of job 'actions-web', on ${a.NodeName}) in place. Follow with get_allocation to see it running again.`);
      expect(writesSince(from)).toEqual([`PUT /v1/client/allocation/${a.ID}/restart`]);
      expect(s.nomadBodies.slice(from).find((b) => b.line.endsWith('/restart'))?.body).toEqual({ TaskName: 'nginx' });
      await waitFor('restarted once', async () => (await alloc(a.ID)).TaskStates.nginx.Restarts === 1);
      const m = await tool('restart_allocation', { alloc_id: a.ID });
      expect(m).toMatchObject({ isError: false, data: { tasks: ['nginx'], action: 'restart' } });
      expect(m.text).toMatch(/^Restarted task 'nginx' of allocation \w{8} /);
      await waitFor('restarted twice', async () => (await alloc(a.ID)).TaskStates.nginx.Restarts === 2);
    });

    it('signal_allocation sends a signal Nomad records as a Signaling event; a bad signal is a 400 that lists the good ones', async () => {
      const a = await runningAlloc('actions-web');
      const from = s.nomadTraffic.length;
      const r = await rest(`/allocations/${a.ID}/signal`, { signal: 'SIGHUP' });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ action: 'signal', signal: 'SIGHUP', tasks: ['nginx'] });
      expect(r.json.message).toMatch(/^Sent SIGHUP to task 'nginx' of allocation \w{8} .*; it is up to the program what it does\. Follow with get_allocation/);
      expect(s.nomadBodies.slice(from).find((b) => b.line.endsWith('/signal'))?.body).toEqual({ Signal: 'SIGHUP', Task: '' });
      await waitFor('Signaling event', async () => (await alloc(a.ID)).TaskStates.nginx.Events.some((e: any) => e.Type === 'Signaling' && e.TaskSignal === 'SIGHUP'));
      const bad = await rest(`/allocations/${a.ID}/signal`, { signal: 'SIGFOO' });
      expect(bad.status).toBe(400);
      expect(bad.json.message).toMatch(/signal must be one of: SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGINT, SIGTERM, SIGQUIT, SIGKILL/);
      const m = await tool('signal_allocation', { alloc_id: a.ID, signal: 'SIGUSR1', task: 'nginx' });
      expect(m).toMatchObject({ isError: false, data: { signal: 'SIGUSR1', tasks: ['nginx'] } });
    });

    it('stop_allocation stops it and Nomad places a replacement; a second stop changes nothing', async () => {
      const a = await runningAlloc('actions-web');
      const from = s.nomadTraffic.length;
      const r = await rest(`/allocations/${a.ID}/stop`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ action: 'stop', alloc_id: a.ID, eval_id: expect.stringMatching(/^[0-9a-f-]{36}$/), tasks: [] });
      expect(r.json.message).toMatch(/^Stopped allocation \w{8} .*; evaluation \w{8} places a replacement\. Follow with list_allocations for job 'actions-web'/);
      expect(writesSince(from)).toEqual([`PUT /v1/allocation/${a.ID}/stop`]);
      const next = await waitFor('replacement placed', async () => (await alloc(a.ID)).NextAllocation, 20000);
      await waitFor('replacement running', async () => (await alloc(next)).ClientStatus === 'running', 20000);
      const again = await tool('stop_allocation', { alloc_id: a.ID });
      expect(again).toMatchObject({ isError: false, data: { eval_id: null } });
      expect(again.text).toMatch(new RegExp(`is already stopped; nothing changed\\. Its replacement is allocation ${next.slice(0, 8)}\\.`));
      const notRunning = await rest(`/allocations/${a.ID}/restart`);
      expect(notRunning.status).toBe(409);
      expect(notRunning.json.next_step).toBe(`Its replacement is allocation ${next}: act on that one (get_allocation shows it).`);
    });
  });

  describe('refusals', () => {
    it("keeps an identity within its scope and namespaces: another namespace's allocation is not found, and nothing is changed", async () => {
      const other = await runningAlloc('hello-world', 'default');
      const from = s.nomadTraffic.length;
      const r = await rest(`/allocations/${other.ID}/restart`, {}, 'dev');
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ message: `allocation '${other.ID}' not found`, next_step: expect.stringMatching(/^Call list_allocations/) });
      const m = await tool('signal_allocation', { alloc_id: other.ID, signal: 'SIGHUP' }, 'dev');
      expect(m).toMatchObject({ isError: true, text: expect.stringMatching(/not found.*Call list_allocations/) });
      const d = (await s.nomad('GET', '/v1/job/hello-world/deployment?namespace=default')).json;
      expect((await rest(`/deployments/${d.ID}/pause`, {}, 'dev')).status).toBe(404);
      const scope = await rest(`/allocations/${other.ID}/stop`, {}, 'reader');
      expect(scope.status).toBe(403);
      expect(scope.json.message).toBe("'reader' may not call stop_allocation: it needs the scope 'operate'.");
      expect(writesSince(from)).toEqual([]);
      expect((await alloc(other.ID)).DesiredStatus).toBe('run');
    });

    it('answers 404 with the next step for an unknown ID, over REST and MCP', async () => {
      const r = await rest('/allocations/0123abcd/stop');
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ message: "allocation '0123abcd' not found", next_step: expect.stringMatching(/list_allocations/) });
      const m = await tool('promote_deployment', { deployment_id: '0123abcd-0000' });
      expect(m).toMatchObject({ isError: true, text: expect.stringMatching(/^deployment '0123abcd-0000' not found.*Call list_deployments/s) });
    });

    it('refuses bad input with a 400 naming the field, and nothing reaches Nomad', async () => {
      const a = await runningAlloc('actions-web');
      const from = s.nomadTraffic.length;
      const cases: Array<[string, unknown, RegExp]> = [
        ['/allocations/not-an-id/restart', {}, /alloc_id must be an allocation ID or a prefix of at least 8 hex characters/],
        [`/allocations/${a.ID}/restart`, { task: 'two words' }, /task must be a task name/],
        [`/allocations/${a.ID}/signal`, {}, /signal must be one of/],
        [`/allocations/${a.ID}/stop`, { force: true }, /property force should not exist/],
        ['/deployments/0123abcd/promote', { groups: [] }, /groups must contain at least 1 elements/],
        ['/deployments/0123abcd/promote', { groups: ['a b'] }, /each group must be a task group name/],
        ['/deployments/zz/fail', {}, /deployment_id must be a deployment ID/],
      ];
      for (const [path, body, message] of cases) {
        const r = await rest(path, body);
        expect({ path, status: r.status, message: r.json.message }).toEqual({ path, status: 400, message: expect.stringMatching(message) });
      }
      expect((await tool('signal_allocation', { alloc_id: a.ID, signal: 'sighup' })).text).toMatch(/^Invalid request.*signal must be one of/s);
      expect(s.nomadTraffic.slice(from)).toEqual([]);
      // a task the allocation does not have: known once it is read, and refused before any change
      const unknown = await rest(`/allocations/${a.ID}/restart`, { task: 'php' });
      expect(unknown.status).toBe(400);
      expect(unknown.json).toMatchObject({ message: expect.stringMatching(/^task 'php' is not a task of allocation \w{8} .*; its tasks are: nginx$/), errors: [{ field: 'task', reasons: expect.any(Array) }] });
      expect(writesSince(from)).toEqual([]);
    });
  });

  describe('deployments', () => {
    it('pause_deployment and resume_deployment: the rollout waits, then goes on; asking for the state it is in changes nothing', async () => {
      const d = await stageCanary('actions-pause');
      const label = `deployment ${d.ID.slice(0, 8)} of job 'actions-pause' version 1`;
      const from = s.nomadTraffic.length;
      const p = await rest(`/deployments/${d.ID.slice(0, 8)}/pause`);
      expect(p.status).toBe(200);
      expect(p.json).toMatchObject({ deployment_id: d.ID, namespace: NS, job_id: 'actions-pause', job_version: 1, action: 'pause', status: 'paused', eval_id: null, promoted_groups: [], reverted_to_version: null });
      expect(p.json.message).toBe(`Paused ${label}: Nomad places and replaces nothing more for it until resume_deployment. Follow with get_deployment.`);
      expect(writesSince(from)).toEqual([`PUT /v1/deployment/pause/${d.ID}`]);
      expect(s.nomadBodies.slice(from).find((b) => b.line.includes('/pause/'))?.body).toEqual({ DeploymentID: d.ID, Pause: true });
      expect((await latestDeployment('actions-pause')).Status).toBe('paused');
      const again = await tool('pause_deployment', { deployment_id: d.ID });
      expect(again).toMatchObject({ isError: false, text: expect.stringMatching(/is already paused; nothing changed/) });
      expect(writesSince(from)).toHaveLength(1);
      const resumed = await tool('resume_deployment', { deployment_id: d.ID });
      expect(resumed.data).toMatchObject({ action: 'resume', status: 'running', eval_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(resumed.text).toMatch(new RegExp(`^Resumed ${label}: Nomad carries the rollout on \\(evaluation \\w{8}\\)\\.`));
      expect((await latestDeployment('actions-pause')).Status).toBe('running');
    });

    it("answers Nomad's refusals (a finished rollout) with a 409 and what to do; an unknown group is a 400", async () => {
      const done = await waitFor('example-job deployed', async () => {
        const d = (await s.nomad('GET', `/v1/job/example-job/deployment?namespace=${NS}`)).json;
        return d?.Status === 'successful' ? d : undefined;
      }, 20000);
      const from = s.nomadTraffic.length;
      const promote = await rest(`/deployments/${done.ID}/promote`);
      expect(promote.status).toBe(409);
      expect(promote.json.message).toBe(`deployment ${done.ID.slice(0, 8)} of job 'example-job' version 0 has finished (successful: Deployment completed successfully); it can no longer be promoted (Nomad: can't promote terminal deployment).`);
      expect(promote.json.next_step).toMatch(/^Call get_job_status for job 'example-job' to see its latest deployment/);
      const pause = await tool('pause_deployment', { deployment_id: done.ID });
      expect(pause).toMatchObject({ isError: true, text: expect.stringMatching(/has finished \(successful.*it can no longer be paused \(Nomad: can't pause terminal deployment\)/) });
      // Nomad was asked, and refused
      expect(writesSince(from)).toEqual([`PUT /v1/deployment/promote/${done.ID}`, `PUT /v1/deployment/pause/${done.ID}`]);
      const group = await rest(`/deployments/${done.ID}/promote`, { groups: ['api'] });
      expect(group.status).toBe(400);
      expect(group.json).toMatchObject({ message: `groups: 'api' is not a group of deployment ${done.ID.slice(0, 8)} of job 'example-job' version 0; its groups are: web`, errors: [{ field: 'groups' }] });
      expect(writesSince(from)).toHaveLength(2);
    });

    it('fail_deployment marks the rollout failed, and with auto_revert Nomad rolls the job back to its last stable version', async () => {
      const d = await stageCanary('actions-fail', 1);
      const canary = d.TaskGroups.web.PlacedCanaries[0];
      const r = await rest(`/deployments/${d.ID}/fail`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ action: 'fail', status: 'failed', reverted_to_version: 0, eval_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(r.json.message).toMatch(new RegExp(`^Marked deployment ${d.ID.slice(0, 8)} of job 'actions-fail' version 1 failed; Nomad rolls the job back to version 0, its last stable version, as a new version \\(evaluation \\w{8}\\)\\. Follow with get_job_status for job 'actions-fail'\\.$`));
      const j = (await s.nomad('GET', `/v1/job/actions-fail?namespace=${NS}`)).json;
      expect(j.Version).toBe(2);
      expect(j.TaskGroups[0].Tasks[0].Env).toEqual({ VERSION: '0' });
      await waitFor('canary stopped', async () => (await alloc(canary)).DesiredStatus === 'stop');
      const from = s.nomadTraffic.length;
      const again = await tool('fail_deployment', { deployment_id: d.ID });
      expect(again).toMatchObject({ isError: false, data: { eval_id: null, reverted_to_version: null }, text: expect.stringMatching(/has already failed \(Deployment marked as failed - rolling back to job version 0\); nothing changed/) });
      expect(writesSince(from)).toEqual([]);
    });

    it('destructive actions of an identity answer their plan first and apply on the confirmed repeat; the others run at once', async () => {
      const a = await runningAlloc('actions-web');
      const label = `allocation ${a.ID.slice(0, 8)} (${a.Name} of job 'actions-web', on ${a.NodeName})`;
      const jobIndex = (await s.nomad('GET', `/v1/job/actions-web?namespace=${NS}`)).json.JobModifyIndex;
      let from = s.nomadTraffic.length;
      const planned = await rest(`/allocations/${a.ID}/restart`, {}, 'bot');
      expect(planned.status).toBe(428);
      expect(planned.json.confirmation.plan).toEqual({
        summary: `restart task 'nginx' of ${label} in place: it is killed and started again on the same node, serving nothing for a moment.`,
        destructive: true, modify_index: jobIndex, details: { alloc_id: a.ID, job_id: 'actions-web', namespace: NS, tasks: ['nginx'] },
      });
      expect(writesSince(from)).toEqual([]);
      const applied = await rest(`/allocations/${a.ID}/restart`, { confirm_token: planned.json.confirmation.confirm_token }, 'bot');
      expect(applied.status).toBe(200);
      expect(writesSince(from)).toEqual([`PUT /v1/client/allocation/${a.ID}/restart`]);

      from = s.nomadTraffic.length;
      expect((await rest(`/allocations/${a.ID}/signal`, { signal: 'SIGHUP' }, 'bot')).status).toBe(200);
      const term = await tool('signal_allocation', { alloc_id: a.ID, signal: 'SIGTERM' }, 'bot');
      expect(term).toMatchObject({ isError: true, text: expect.stringMatching(/signal_allocation needs the user's confirmation\. Plan: send SIGTERM to task 'nginx' of allocation \w{8} .*: its process ends and Nomad restarts it per the restart policy/) });
      const stop = await rest(`/allocations/${a.ID}/stop`, {}, 'bot');
      expect(stop.status).toBe(428);
      expect(stop.json.confirmation.plan.summary).toBe(`stop ${label}, now running: its tasks are killed and Nomad places a replacement, so it serves nothing until the replacement runs.`);
      expect(writesSince(from)).toEqual([`PUT /v1/client/allocation/${a.ID}/signal`]);

      const d = await stageCanary('actions-confirm', 1);
      from = s.nomadTraffic.length;
      expect((await rest(`/deployments/${d.ID}/pause`, {}, 'bot')).status).toBe(200);
      expect((await rest(`/deployments/${d.ID}/resume`, {}, 'bot')).status).toBe(200);
      const fail = await rest(`/deployments/${d.ID}/fail`, {}, 'bot');
      expect(fail.status).toBe(428);
      expect(fail.json.confirmation.plan).toMatchObject({ destructive: true, details: { unpromoted_canaries: 1, auto_revert: true, rollback_to_version: 0 } });
      expect(fail.json.confirmation.plan.summary).toBe(
        `mark deployment ${d.ID.slice(0, 8)} of job 'actions-confirm' version 1 failed (now running: web: 1/1 healthy; canaries 1/1, awaiting promotion): ` +
        `the rollout stops where it is, its 1 unpromoted canary stops, and Nomad rolls job 'actions-confirm' back to version 0, its last stable version, ` +
        'as a new version: the allocations of version 1 are replaced.',
      );
      expect(writesSince(from).filter((l) => l.includes('/fail/'))).toEqual([]);
      const failed = await rest(`/deployments/${d.ID}/fail`, { confirm_token: fail.json.confirmation.confirm_token }, 'bot');
      expect(failed.json).toMatchObject({ status: 'failed', reverted_to_version: 0 });
    });

    it('a canary rollout, promoted by an agent over MCP in three tool calls', async () => {
      const d = await stageCanary('actions-canary');
      const calls: string[] = [];
      const agent = (name: string, args: Record<string, unknown>) => {
        calls.push(name);
        return tool(name, args);
      };
      // 1. how is the job doing? its rollout waits for promotion, and the answer names it
      const status = await agent('get_job_status', { job_id: 'actions-canary', namespace: NS });
      expect(status.text).toMatch(/latest deployment running \(Deployment is running but requires manual promotion\)/);
      const deploymentId = status.data.latest_deployment.id;
      expect(deploymentId).toBe(d.ID);
      // 2. promote its canary
      const promoted = await agent('promote_deployment', { deployment_id: deploymentId });
      expect(promoted.data).toMatchObject({ action: 'promote', promoted_groups: ['web'], status: 'running', eval_id: expect.any(String) });
      expect(promoted.text).toMatch(/^Promoted the canaries of group 'web' of deployment \w{8} of job 'actions-canary' version 1: Nomad now replaces 1 older allocation with version 1 \(evaluation \w{8}\)\. Follow with get_deployment/);
      // the rollout goes on in Nomad (the agent would wait for it)
      await waitFor('rollout done', async () => (await latestDeployment('actions-canary')).Status === 'successful', 20000);
      // 3. see it through
      const after = await agent('get_deployment', { deployment_id: deploymentId });
      expect(after.text).toMatch(/^Deployment \w{8} of job 'actions-canary' version 1 is successful \(Deployment completed successfully\): web: 2\/2 healthy; canaries 1\/1, promoted\./);
      expect(calls).toEqual(['get_job_status', 'promote_deployment', 'get_deployment']);
      const live = (await allocs('actions-canary')).filter((a) => a.DesiredStatus === 'run');
      expect(live.map((a) => [a.JobVersion, a.ClientStatus])).toEqual([[1, 'running'], [1, 'running']]);
      const again = await tool('promote_deployment', { deployment_id: deploymentId });
      expect(again.text).toMatch(/were already promoted; nothing changed\. It is successful/);
    });
  });
});

/** Rollouts that stay open (allocations never turn healthy): the refusals Nomad makes while one runs. */
describe('deployment actions while a rollout is under way', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ sim: { timings: { startDelayMs: 60, healthyDelayMs: 3_600_000, batchRunMs: 150, restartDelayMs: 40, killDelayMs: 30 } } });
  });
  afterAll(() => s.close());
  const deployment = (id: string, until: (d: any) => boolean) => waitFor(`deployment of ${id}`, async () => {
    const d = (await s.nomad('GET', `/v1/job/${id}/deployment?namespace=${NS}`)).json;
    return d && until(d) ? d : undefined;
  }, 20000);

  it('promoting a rollout without canaries, or before its canary is healthy, is a 409 that says what to do', async () => {
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, job('open', '0', { canary: 1 }))).status).toBe(200);
    const first = await deployment('open', (d) => d.TaskGroups.web?.PlacedAllocs === 1);
    const none = await s.api('POST', `/api/claude/deployments/${first.ID}/promote`, {});
    expect(none.status).toBe(409);
    expect(none.json.message).toBe(`deployment ${first.ID.slice(0, 8)} of job 'open' version 0 has no canaries to promote (web: 0/1 healthy): its groups roll out without canaries, so it needs no promotion (Nomad: no canaries to promote).`);
    expect(none.json.next_step).toMatch(/^Follow it with get_deployment/);
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, job('open', '1', { canary: 1 }))).status).toBe(200);
    const d = await deployment('open', (x) => x.JobVersion === 1 && x.TaskGroups.web?.PlacedCanaries?.length === 1);
    const canary = d.TaskGroups.web.PlacedCanaries[0];
    const early = await s.api('POST', `/api/claude/deployments/${d.ID}/promote`, { groups: ['web'] });
    expect(early.status).toBe(409);
    expect(early.json.message).toBe(`Not every canary of deployment ${d.ID.slice(0, 8)} of job 'open' version 1 is healthy yet, so it was not promoted: Canary allocation "${canary}" for group "web" is not healthy.`);
    expect(early.json.next_step).toMatch(/^Wait for the canaries to turn healthy/);
    expect((await s.nomad('GET', `/v1/deployment/${d.ID}`)).json.TaskGroups.web.Promoted).toBe(false);
  });
});
