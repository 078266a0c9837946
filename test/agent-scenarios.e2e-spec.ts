import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { readFrom, ScriptedAgent } from './support/scripted-agent';
import { startStack, Stack } from './support/stack';

const KEYS = { agent: 'scenario-agent-key-0001', admin: 'scenario-admin-key-0002' };
const NS = 'development';

/** A docker service job as a person writes it: HCL, two allocations, rolled out one at a time. */
function hcl(id: string, o: { image?: string; env?: Record<string, string>; canary?: number; checked?: boolean } = {}): string {
  const env = o.env ? `      env {\n${Object.entries(o.env).map(([k, v]) => `        ${k} = "${v}"\n`).join('')}      }\n` : '';
  // a Nomad service with an HTTP check: what a deployment's health is judged by
  const service = o.checked
    ? `    service {\n      name     = "${id}"\n      port     = "http"\n      provider = "nomad"\n      check {\n        type     = "http"\n        path     = "/health"\n        interval = "10s"\n        timeout  = "2s"\n      }\n    }\n`
    : '';
  return `job "${id}" {
  datacenters = ["dc1"]
  type        = "service"
  group "web" {
    count = 2
    network {
      port "http" {
        to = 80
      }
    }
${service}    update {
      max_parallel = 1${o.canary ? `\n      canary       = ${o.canary}` : ''}
    }
    task "nginx" {
      driver = "docker"
      config {
        image = "${o.image ?? 'nginx:1.27'}"
        ports = ["http"]
      }
${env}      resources {
        cpu    = 100
        memory = 128
      }
    }
  }
}
`;
}

/**
 * Scripted agent scenarios over MCP against the simulator: a stand-in for a model that reads only the answers'
 * text, with every tool call counted. Each scenario is a task an operator hands an agent; the answers must let it
 * finish in the calls counted here (and say the cause in words it can repeat to the user).
 */
describe('agent scenarios over MCP, counting tool calls', () => {
  let s: Stack;
  let dir: string;
  let agent: ScriptedAgent;
  const admin = (method: string, path: string, body?: unknown) => s.api(method, path, body, { 'X-API-Key': KEYS.admin });
  const deployment = async (job: string, ns = NS) => (await s.nomad('GET', `/v1/job/${job}/deployment?namespace=${ns}`)).json;
  /** A job registered from HCL by the admin (no confirmation), its first rollout done. */
  const deployed = async (id: string, spec: string) => {
    const r = await admin('POST', '/api/claude/register-job', { hcl: spec, namespace: NS });
    expect(r.status).toBe(201);
    await waitFor(`${id} deployed`, async () => (await deployment(id))?.Status === 'successful', 20000);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
    const file = join(dir, 'identities.yaml');
    // the agent's identity confirms destructive changes (the default for identities); the admin sets the stage
    writeFileSync(file, [
      'identities:',
      `  - { name: agent, key: ${KEYS.agent}, scopes: [read, operate, write] }`,
      `  - { name: admin, key: ${KEYS.admin}, scopes: ['*'], confirm: 'off' }`,
    ].join('\n'));
    s = await startStack({ env: { API_KEYS_FILE: file } });
    agent = await ScriptedAgent.connect(s.url, KEYS.agent);
  });
  afterAll(async () => {
    await agent?.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('diagnose each staged failure in at most 2 calls', () => {
    // the demo data: one job per failure rule of the simulator, and the cause an answer must name
    const STAGED = [
      { kind: 'an image that cannot be pulled', job: 'broken-api', ns: NS, cause: /Failed to pull `registry\.example\.com\/team\/api:missing`/ },
      { kind: 'a task that exits non-zero (crash loop)', job: 'crash-loop', ns: 'staging', cause: /exit(?:ed with)? code:? 1\b/i },
      { kind: 'a task killed for memory', job: 'memory-hog', ns: 'staging', cause: /OOM Killed.*137|137.*OOM Killed/ },
      { kind: 'health checks that fail', job: 'unhealthy-web', ns: 'staging', cause: /Services not healthy by deadline: unhealthy-web/ },
      { kind: 'a constraint no node satisfies', job: 'windows-only', ns: 'staging', cause: /constraint '\$\{attr\.kernel\.name\} = windows'/ },
    ];

    beforeAll(async () => {
      const failedAlloc = async (job: string, ns: string) => ((await s.nomad('GET', `/v1/job/${job}/allocations?namespace=${ns}`)).json as any[]).some((a) => a.ClientStatus === 'failed');
      await waitFor('the staged failures happened', async () =>
        (await failedAlloc('broken-api', NS)) && (await failedAlloc('crash-loop', 'staging')) && (await failedAlloc('memory-hog', 'staging')) &&
        (await deployment('unhealthy-web', 'staging'))?.Status === 'failed' &&
        ((await s.nomad('GET', '/v1/job/windows-only/evaluations?namespace=staging')).json as any[]).some((e) => e.Status === 'blocked'), 20000);
    });

    it.each(STAGED)('$kind ($job): get_job_status, and the allocation only if that does not say why', async ({ job, ns, cause }) => {
      const from = agent.calls.length;
      // "Why is <job> failing?": the agent asks for the job's diagnosis...
      const status = await agent.call('get_job_status', { job_id: job, namespace: ns });
      expect(status.isError).toBe(false);
      // what matters comes first: the opening sentence already names the cause
      expect(status.text.split('\n')[0]).toMatch(cause);
      let read = status.text;
      // ...and only when it does not name a cause, opens the newest allocation the answer lists
      if (!cause.test(read)) {
        const alloc = readFrom(read, /recent allocations:\n.*\n([0-9a-f]{8}) /);
        read += `\n${(await agent.call('get_allocation', { alloc_id: alloc })).text}`;
      }
      expect(read).toMatch(cause);
      expect(agent.calls.length - from).toBeLessThanOrEqual(2);
    });

    it('one find_problems call over every namespace names all five causes', async () => {
      const from = agent.calls.length;
      const r = await agent.call('find_problems', { namespace: '*', limit: 10 });
      expect(r.isError).toBe(false);
      for (const { job, ns, cause } of STAGED) {
        const line = r.text.split('\n').find((l) => l.includes(`${ns}/${job}:`));
        expect({ job, line: line && cause.test(line) }).toEqual({ job, line: true });
      }
      expect(agent.calls.length - from).toBe(1);
    });
  });

  it('plan → confirm → apply → wait for the rollout → see it healthy', async () => {
    await deployed('shop', hcl('shop'));
    const from = agent.calls.length;
    const next = hcl('shop', { image: 'nginx:1.28' });

    const plan = await agent.call('plan_job', { hcl: next, namespace: NS });
    expect(plan.isError).toBe(false);
    // what the user is shown: the change in Nomad's words, and what the scheduler does with it
    expect(plan.text).toContain('task nginx: Config.image: "nginx:1.27" → "nginx:1.28"');
    const index = Number(readFrom(plan.text, /job_modify_index (\d+)/));

    const { plan: asked, applied } = await agent.confirmed('register_job', { hcl: next, namespace: NS, job_modify_index: index });
    expect(asked.text).toMatch(/^Nothing was changed: register_job needs the user's confirmation\./);
    expect(applied.isError).toBe(false);

    const wait = await agent.call('wait_for_deployment', { job_id: 'shop', namespace: NS, timeout_seconds: 60 });
    expect(wait.text).toMatch(/^Deployment [0-9a-f]{8} of job 'shop' version 1 succeeded after \d+ s: web: 2\/2 healthy\./);

    const status = await agent.call('get_job_status', { job_id: 'shop', namespace: NS });
    expect(status.text).toMatch(/^Job 'shop' \(service, version 1\) is running; allocations: 2 running of 2 desired; latest deployment successful/);
    expect(agent.toolsSince(from)).toEqual(['plan_job', 'register_job', 'register_job', 'wait_for_deployment', 'get_job_status']);
    // and Nomad runs the new image
    const job = (await s.nomad('GET', `/v1/job/shop?namespace=${NS}`)).json;
    expect(job.TaskGroups[0].Tasks[0].Config.image).toBe('nginx:1.28');
  });

  // a new version that crashes, and one whose health checks fail: the agent learns which from the answers
  const BAD: Array<{ kind: string; job: string; env: Record<string, string>; checked: boolean; why: RegExp; after: string }> = [
    { kind: 'exits with code 1 at every start', job: 'checkout', env: { NOMAD_SIM_EXIT_CODE: '1' }, checked: false, why: /Exit Code: 1/, after: '1 earlier allocation failed; ' },
    { kind: 'fails its health checks', job: 'checkout-hc', env: { NOMAD_SIM_UNHEALTHY: '1' }, checked: true, why: /Alloc Unhealthy.*Services not healthy by deadline: checkout-hc/, after: '' },
  ];
  it.each(BAD)('a bad rollout (a version that $kind) → see why → revert to the previous version → healthy again', async ({ job: id, env, checked, why: cause, after }) => {
    await deployed(id, hcl(id, { checked }));
    // someone rolls out the bad version
    const bad = await admin('POST', '/api/claude/register-job', { hcl: hcl(id, { image: 'nginx:1.28', env, checked }), namespace: NS });
    expect(bad.status).toBe(200);
    const from = agent.calls.length;

    // "The rollout looks stuck": the agent waits on it and is told it failed and where to look
    const wait = await agent.call('wait_for_deployment', { job_id: id, namespace: NS, timeout_seconds: 60 });
    expect(wait.text).toMatch(new RegExp(`^Deployment [0-9a-f]{8} of job '${id}' version 1 failed after \\d+ s`));
    expect(wait.text).toContain('go back with revert_job');

    const why = await agent.call('get_job_status', { job_id: id, namespace: NS });
    expect(why.text.split('\n')[0]).toMatch(cause);

    const versions = await agent.call('list_job_versions', { job_id: id, namespace: NS });
    const previous = Number(readFrom(versions.text, /^\s*(\d+)\s+yes\b/m));
    expect(previous).toBe(0);

    const { plan, applied } = await agent.confirmed('revert_job', { job_id: id, namespace: NS, version: previous });
    expect(plan.text).toMatch(/revert_job needs the user's confirmation/);
    expect(applied.isError).toBe(false);

    const rollback = await agent.call('wait_for_deployment', { job_id: id, namespace: NS, timeout_seconds: 60 });
    expect(rollback.text).toMatch(new RegExp(`^Deployment [0-9a-f]{8} of job '${id}' version 2 succeeded after \\d+ s: web: 2/2 healthy\\.`));
    const status = await agent.call('get_job_status', { job_id: id, namespace: NS });
    expect(status.text.split('\n')[0]).toBe(`Job '${id}' (service, version 2) is running; allocations: 2 running of 2 desired; ${after}latest deployment successful (Deployment completed successfully).`);
    expect(agent.toolsSince(from)).toEqual(['wait_for_deployment', 'get_job_status', 'list_job_versions', 'revert_job', 'revert_job', 'wait_for_deployment', 'get_job_status']);
    const job = (await s.nomad('GET', `/v1/job/${id}?namespace=${NS}`)).json;
    expect({ image: job.TaskGroups[0].Tasks[0].Config.image, env: job.TaskGroups[0].Tasks[0].Env ?? null }).toEqual({ image: 'nginx:1.27', env: null });
  });

  it('a canary → the wait says it is healthy and awaits promotion → promote → the rollout succeeds', async () => {
    await deployed('cart', hcl('cart', { canary: 1 }));
    const from = agent.calls.length;
    const next = hcl('cart', { image: 'nginx:1.28', canary: 1 });

    const plan = await agent.call('plan_job', { hcl: next, namespace: NS });
    expect(plan.text).toMatch(/canar/);
    const index = Number(readFrom(plan.text, /job_modify_index (\d+)/));
    const { applied } = await agent.confirmed('register_job', { hcl: next, namespace: NS, job_modify_index: index });
    expect(applied.isError).toBe(false);

    // the wait ends once the canary is healthy: nothing more happens until someone promotes it
    const canary = await agent.call('wait_for_deployment', { job_id: 'cart', namespace: NS, timeout_seconds: 60 });
    expect(canary.text).toMatch(/^Deployment [0-9a-f]{8} of job 'cart' version 1 awaits promotion after \d+ s: web: 1\/2 healthy, 1 placed; canaries 1\/1, awaiting promotion\./);
    const id = readFrom(canary.text, /promote_deployment with deployment_id "([0-9a-f-]{36})"/);
    // the old allocations still serve meanwhile
    const allocs: any[] = (await s.nomad('GET', `/v1/job/cart/allocations?namespace=${NS}`)).json;
    expect(allocs.filter((a) => a.ClientStatus === 'running' && a.JobVersion === 0)).toHaveLength(2);

    const promoted = await agent.call('promote_deployment', { deployment_id: id });
    expect(promoted.isError).toBe(false);
    const done = await agent.call('wait_for_deployment', { job_id: 'cart', namespace: NS, timeout_seconds: 60 });
    expect(done.text).toMatch(/^Deployment [0-9a-f]{8} of job 'cart' version 1 succeeded after \d+ s: web: 2\/2 healthy; canaries 1\/1, promoted\./);
    const status = await agent.call('get_job_status', { job_id: 'cart', namespace: NS });
    expect(status.text).toMatch(/^Job 'cart' \(service, version 1\) is running; allocations: 2 running of 2 desired; latest deployment successful/);
    expect(agent.toolsSince(from)).toEqual(['plan_job', 'register_job', 'register_job', 'wait_for_deployment', 'promote_deployment', 'wait_for_deployment', 'get_job_status']);
  });
});
