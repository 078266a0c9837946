import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { mcpClient } from './support/operation-calls';
import { startStack, Stack } from './support/stack';

const KEYS = { ops: 'ops-key-00000001', deployer: 'deployer-key-0001', reader: 'reader-key-000001', auditor: 'auditor-key-00001' };
const NS = 'development';
const SECRET = 'hunter2-secret-value';

/** A docker service job as Nomad's API JSON: two allocations, replaced two at a time. */
function spec(id: string, edit: (j: any) => void = () => undefined): Record<string, any> {
  const job = {
    ID: id, Type: 'service', Datacenters: ['dc1'],
    TaskGroups: [{
      Name: 'web', Count: 2, Update: { MaxParallel: 2 },
      Networks: [{ DynamicPorts: [{ Label: 'http', To: 80 }] }],
      Tasks: [{ Name: 'app', Driver: 'docker', Config: { image: 'nginx:1.27', ports: ['http'] }, Env: { API_TOKEN: SECRET, LOG_LEVEL: 'info' }, Resources: { CPU: 100, MemoryMB: 64 } }],
    }],
  };
  edit(job);
  return job;
}

/** plan_job, register_job and get_job_spec against the simulator, over REST and MCP. */
describe('plan before apply: plan_job, register_job, get_job_spec', () => {
  let s: Stack;
  let dir: string;
  const as = (who: keyof typeof KEYS) => ({ 'X-API-Key': KEYS[who] });
  const plan = (body: Record<string, unknown>, who: keyof typeof KEYS = 'ops') => s.api('POST', '/api/claude/plan-job', { namespace: NS, ...body }, as(who));
  const register = (body: Record<string, unknown>, who: keyof typeof KEYS = 'ops') => s.api('POST', '/api/claude/register-job', { namespace: NS, ...body }, as(who));
  const writesSince = (from: number) => s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET'));
  const nomadJob = async (id: string) => (await s.nomad('GET', `/v1/job/${id}?namespace=${NS}`)).json;
  const running = (id: string, n: number, image: string) => waitFor(`${n} running allocations of ${id} with ${image}`, async () => {
    const allocs = (await s.nomad('GET', `/v1/job/${id}/allocations?namespace=${NS}`)).json as any[];
    const live = allocs.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running');
    return live.length === n;
  }, 20000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plan-register-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, [
      'identities:',
      `  - { name: ops, key: ${KEYS.ops}, scopes: [read, write], namespaces: [development], confirm: 'off' }`,
      `  - { name: deployer, key: ${KEYS.deployer}, scopes: [read, write], namespaces: [development] }`,
      `  - { name: reader, key: ${KEYS.reader}, scopes: [read], namespaces: [development] }`,
      `  - { name: auditor, key: ${KEYS.auditor}, scopes: [admin] }`,
    ].join('\n'));
    s = await startStack({ env: { API_KEYS_FILE: file } });
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans a new job: Nomad\'s diff as lines, 2 allocations to create, index 0 to apply against; nothing registered', async () => {
    const from = s.nomadTraffic.length;
    const r = await plan({ job: spec('shop') }, 'reader');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ job_id: 'shop', namespace: NS, new_job: true, job_modify_index: 0, warnings: [], placement_failures: [] });
    expect(r.json.message).toBe("Plan for new job 'shop' in namespace 'development': web: 2 to create. Apply with register_job and job_modify_index 0.");
    expect(r.json.diff).toEqual(['+ job "shop"', '+ group web (2 create)', '+ group web: task app (forces create)']);
    expect(r.json.groups).toEqual([{ group: 'web', create: 2, destroy: 0, update_in_place: 0, replace: 0, canary: 0, unchanged: 0, migrate: 0 }]);
    expect(s.nomadTraffic.slice(from)).toEqual([`PUT /v1/job/shop/plan?namespace=${NS}`]);
    const body = s.nomadBodies.slice(from)[0].body as any;
    expect(body).toMatchObject({ Diff: true, Job: { ID: 'shop', Namespace: NS } });
    expect(r.text).not.toContain(SECRET);
    expect(Buffer.byteLength(r.text)).toBeLessThan(4096);
    expect((await s.nomad('GET', `/v1/job/shop?namespace=${NS}`)).status).toBe(404);
  });

  it('registers the new job with the plan\'s index (EnforceIndex), then it runs', async () => {
    const from = s.nomadTraffic.length;
    const r = await register({ job: { Job: spec('shop') }, job_modify_index: 0 });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ job_id: 'shop', created: true, version: 0, enforced_index: 0, eval_id: expect.any(String), warnings: [] });
    expect(r.json.message).toMatch(/^Registered new job 'shop' in namespace 'development' \(version 0\); evaluation \w{8} places its allocations\. Follow with get_job_status\.$/);
    const put = s.nomadBodies.slice(from).find((b) => b.line.startsWith('PUT /v1/jobs'));
    expect(put?.body).toMatchObject({ EnforceIndex: true, JobModifyIndex: 0, Job: { ID: 'shop', Namespace: NS } });
    await running('shop', 2, 'nginx:1.27');
  });

  it('plans changes: a new image replaces allocations; a higher count and a service update the others in place; env values never shown', async () => {
    const image = await plan({ job: spec('shop', (j) => (j.TaskGroups[0].Tasks[0].Config.image = 'nginx:1.28')) });
    expect(image.json.new_job).toBe(false);
    expect(image.json.job_modify_index).toBe((await nomadJob('shop')).JobModifyIndex);
    expect(image.json.diff).toEqual([
      '~ group web (2 create/destroy update)',
      '~ group web: task app (forces create/destroy update)',
      '~ group web: task app: Config.image: "nginx:1.27" → "nginx:1.28"',
    ]);
    expect(image.json.groups[0]).toMatchObject({ replace: 2, update_in_place: 0, create: 0 });
    expect(image.json.message).toBe(`Plan for job 'shop' in namespace 'development': 1 change to the spec; web: 2 replaced. Apply with register_job and job_modify_index ${image.json.job_modify_index}.`);

    const grow = await plan({ job: spec('shop', (j) => Object.assign(j.TaskGroups[0], { Count: 3, Services: [{ Name: 'shop-web', PortLabel: 'http', Provider: 'nomad' }] })) });
    expect(grow.json.groups[0]).toMatchObject({ create: 1, update_in_place: 2, replace: 0 });
    expect(grow.json.diff).toEqual([
      '~ group web (1 create, 2 in-place update)',
      '~ group web: Count: "2" → "3" (forces create)',
      // a whole block is one line, its naming fields first, cut at 200 characters
      expect.stringMatching(/^\+ group web: Service \{Name: "shop-web", PortLabel: "http", Provider: "nomad", AddressMode: "auto", .*(\}|…)$/),
    ]);

    const env = await plan({ job: spec('shop', (j) => (j.TaskGroups[0].Tasks[0].Env.API_TOKEN = 'rotated-secret-2')) });
    expect(env.json.diff).toContain('~ group web: task app: Env[API_TOKEN]: (value changed)');
    expect(env.json.groups[0]).toMatchObject({ replace: 2 });
    for (const r of [image, grow, env]) {
      expect(r.text).not.toMatch(/hunter2|rotated-secret/);
      expect(Buffer.byteLength(r.text)).toBeLessThan(4096);
    }
  });

  it('registers a change with the plan\'s index; a register over a job changed meanwhile is a 409 that changes nothing', async () => {
    const changed = spec('shop', (j) => (j.TaskGroups[0].Tasks[0].Config.image = 'nginx:1.28'));
    const planned = await plan({ job: changed });
    const done = await register({ job: changed, job_modify_index: planned.json.job_modify_index });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ created: false, version: 1, enforced_index: planned.json.job_modify_index });
    expect(done.json.message).toMatch(/^Registered job 'shop' in namespace 'development' as version 1; evaluation \w{8} rolls it out/);
    await running('shop', 2, 'nginx:1.28');

    const next = await plan({ job: spec('shop', (j) => (j.TaskGroups[0].Count = 3)) });
    // someone else registers meanwhile
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: spec('shop', (j) => (j.Meta = { by: 'someone-else' })) })).status).toBe(200);
    const version = (await nomadJob('shop')).Version;
    const from = s.nomadTraffic.length;
    const stale = await register({ job: spec('shop', (j) => (j.TaskGroups[0].Count = 3)), job_modify_index: next.json.job_modify_index });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toMatch(new RegExp(`^job 'shop' changed since it was planned \\(its job modify index is \\d+ now, not ${next.json.job_modify_index}\\); nothing was registered\\.$`));
    expect(stale.json.next_step).toMatch(/^Call plan_job again/);
    expect(s.nomadBodies.slice(from).find((b) => b.line.startsWith('PUT /v1/jobs'))?.body).toMatchObject({ EnforceIndex: true, JobModifyIndex: next.json.job_modify_index });
    expect((await nomadJob('shop')).Version).toBe(version);
  });

  it('refuses a spec aimed elsewhere: another namespace, a region not served, a multiregion job; nothing reaches Nomad', async () => {
    const from = s.nomadTraffic.length;
    const other = await plan({ job: spec('shop', (j) => (j.Namespace = 'default')) });
    expect(other.status).toBe(400);
    expect(other.json.message).toBe("Invalid request: job.Namespace: is 'default' but namespace is 'development'; they must be the same (or leave one out)");
    const foreign = await s.api('POST', '/api/claude/plan-job', { job: spec('shop', (j) => (j.namespace = 'default')) }, as('ops'));
    expect(foreign.status).toBe(403);
    expect(foreign.json.message).toMatch(/'ops' may not use namespace 'default'/);
    const twice = await plan({ job: { ...spec('shop'), id: 'other' } });
    expect(twice.json.message).toBe('Invalid request: job.id: is given twice (ID and id); Nomad reads keys without regard to case');
    const region = await register({ job: spec('shop', (j) => (j.Region = 'eu-west')) });
    expect(region.status).toBe(400);
    expect(region.json.message).toMatch(/^Invalid request: job\.Region: is 'eu-west', but this service manages/);
    const multi = await register({ job: spec('shop', (j) => (j.Multiregion = { Regions: [{ Name: 'eu' }] })) });
    expect(multi.json.message).toMatch(/^Invalid request: job\.Multiregion: multiregion jobs are not registered/);
    // an ID Nomad would route to a part of another job
    const sub = await register({ job: spec('example-job/allocations') });
    expect(sub.json.message).toMatch(/^Invalid request: job\.ID: must not end in '\/allocations'/);
    expect(s.nomadTraffic.slice(from)).toEqual([]);
    // one with '..' parts, which Nomad's HTTP server would rewrite to another path, is refused before Nomad
    const climbing = await plan({ job: spec('../../v1/acl/tokens?x=1') });
    expect(climbing.status).toBe(400);
    expect(climbing.json.message).toMatch(/^Invalid request: job\.ID: must not have an empty, '\.' or '\.\.' part between slashes/);
    expect(s.nomadTraffic.slice(from)).toEqual([]);
    // any other ID reaches Nomad only inside the plan's own path, encoded
    const hostile = await plan({ job: spec('v1/acl/tokens?x=1#y') });
    expect(hostile.status).toBe(200);
    expect(s.nomadTraffic.slice(from)).toEqual([`PUT /v1/job/v1%2Facl%2Ftokens%3Fx%3D1%23y/plan?namespace=${NS}`]);
  });

  it('a bad spec is a 400 naming the field: Nomad\'s validation and decoding errors passed through readably', async () => {
    const noDriver = await plan({ job: spec('shop', (j) => delete j.TaskGroups[0].Tasks[0].Driver) });
    expect(noDriver.status).toBe(400);
    expect(noDriver.json.message).toBe('Invalid request: job: Nomad refused the spec: Task group web validation failed: Task app validation failed: Missing task driver. Fix the spec and plan again');
    const badType = await plan({ job: spec('shop', (j) => (j.TaskGroups[0].Count = 'two')) });
    expect(badType.status).toBe(400);
    expect(badType.json.errors[0].field).toBe('job.TaskGroups.Count');
    expect(badType.json.message).toMatch(/^Invalid request: job\.TaskGroups\.Count: must be of Go type int, not string/);
    const noId = await plan({ job: spec('', (j) => delete j.ID) });
    expect(noId.json.message).toBe('Invalid request: job.ID: is missing: the spec must name its job ID');
    const from = s.nomadTraffic.length;
    const both = await plan({ job: spec('shop'), hcl: 'job "shop" {}' });
    expect(both.json.message).toBe("Invalid request: hcl: give the job spec either as job (Nomad's API JSON) or as hcl (HCL2 text), exactly one of them");
    const neither = await plan({});
    expect(neither.status).toBe(400);
    const big = await plan({ job: spec('shop', (j) => (j.Meta = { blob: 'x'.repeat(70_000) })) });
    expect(big.json.message).toMatch(/^Invalid request: job: is \d+ bytes; at most 65536 are taken$/);
    expect((await plan({ job: null })).json.message).toBe("Invalid request: job: give the job spec either as job (Nomad's API JSON) or as hcl (HCL2 text), exactly one of them");
    const notObject = await plan({ job: 'job "shop" {}' });
    expect(notObject.json.message).toMatch(/^Invalid request: job: job must be a JSON object/);
    expect(s.nomadTraffic.slice(from)).toEqual([]);
  });

  it('HCL goes through Nomad\'s own parser (POST /v1/jobs/parse); when it cannot convert it, a clear 400 says so', async () => {
    const hcl = 'job "hcl-shop" {\n  group "web" {\n    task "app" {\n      driver = "docker"\n      config { image = "nginx:1.27" }\n      env { API_TOKEN = "hcl-secret-1" }\n    }\n  }\n}\n';
    const probe = await s.nomad('PUT', '/v1/jobs/parse', { JobHCL: hcl });
    const from = s.nomadTraffic.length;
    const r = await plan({ hcl });
    expect(s.nomadTraffic.slice(from)[0]).toBe(`PUT /v1/jobs/parse?namespace=${NS}`);
    expect(s.nomadBodies.slice(from)[0].body).toEqual({ JobHCL: hcl, Canonicalize: false });
    if (probe.status !== 200) {
      // this branch's simulator does not parse HCL (another change adds a parser): the refusal is a clear 400
      expect(r.status).toBe(400);
      expect(r.json.message).toBe(`Invalid request: hcl: Nomad could not convert it: ${probe.text.replace(/^Failed to parse job: /, '')}. Fix the HCL, or give the job as JSON (job).`);
      return;
    }
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ job_id: 'hcl-shop', new_job: true });
    const reg = await register({ hcl });
    expect(reg.status).toBe(201);
    const specOf = await s.api('GET', `/api/claude/jobs/hcl-shop/spec?namespace=${NS}`, undefined, as('reader'));
    expect(specOf.json.source).toMatchObject({ format: 'hcl2', truncated: false });
    expect(specOf.json.source.text).toContain('API_TOKEN = "(hidden)"');
    expect(specOf.text).not.toContain('hcl-secret-1');
  });

  it('secrets a spec holds outside env are hidden too: variable defaults, URL passwords, secret-named meta (spec, source, audit)', async () => {
    const hcl = [
      'variable "db_pass" {',
      '  type    = string',
      '  default = "LEAK-VAR-1"',
      '}',
      'locals {',
      '  conn = "postgres://app:LEAK-URL-2@db:5432/x"',
      '}',
      'job "leaky" {',
      '  meta {',
      '    db_password = "LEAK-META-3"',
      '    dsn         = local.conn',
      '    team        = "shop"',
      '  }',
      '  group "web" {',
      '    task "app" {',
      '      driver = "docker"',
      '      config {',
      '        image = "nginx:1.27"',
      '        args  = ["--db", "postgres://app:LEAK-ARG-4@db/x", "--password=LEAK-ARG-5"]',
      '      }',
      '      env = { DB_PASSWORD = var.db_pass }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const reg = await register({ hcl });
    expect(reg.status).toBe(201);
    // Nomad has the real values
    expect((await nomadJob('leaky')).Meta).toEqual({ db_password: 'LEAK-META-3', dsn: 'postgres://app:LEAK-URL-2@db:5432/x', team: 'shop' });
    const leaks = /LEAK-(VAR|URL|META|ARG)/;
    const specOf = await s.api('GET', `/api/claude/jobs/leaky/spec?namespace=${NS}`, undefined, as('reader'));
    expect(specOf.status).toBe(200);
    expect(specOf.json.meta).toEqual({ db_password: '(hidden)', dsn: 'postgres://app:(hidden)@db:5432/x', team: 'shop' });
    expect(specOf.json.groups[0].tasks[0].command).toBe('--db postgres://app:(hidden)@db/x --password=(hidden)');
    expect(specOf.json.source.text).toContain('default = "(hidden)"');
    expect(specOf.text).not.toMatch(leaks);
    const mcp = await mcpClient(s.url, KEYS.reader);
    try {
      const answer = await mcp.callTool({ name: 'get_job_spec', arguments: { job_id: 'leaky', namespace: NS } });
      expect(JSON.stringify(answer)).not.toMatch(leaks);
      expect(JSON.stringify(answer)).toContain('db_password=(hidden)');
    } finally {
      await mcp.close();
    }
    const trail = await s.api('GET', '/api/audit?limit=20', undefined, as('auditor'));
    expect(trail.status).toBe(200);
    const record = trail.json.records.find((r: any) => r.operation === 'register_job' && r.job === 'leaky');
    expect(record.arguments.hcl).toContain('conn = "postgres://app:(hidden)@db:5432/x"');
    expect(trail.text).not.toMatch(leaks);
  });

  it('a secret flag\'s value in args is hidden wherever the spec shows: source, compact command, plan diff, version diff, audit', async () => {
    const hcl = (password: string) => [
      'job "flagged" {',
      '  group "web" {',
      '    task "app" {',
      '      driver = "docker"',
      '      config {',
      '        image = "nginx:1.27"',
      `        args  = ["--port", "8080", "--password", "${password}"]`,
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const leaks = /LEAK-FLAG-\d/;
    expect((await register({ hcl: hcl('LEAK-FLAG-1') })).status).toBe(201);
    const specOf = await s.api('GET', `/api/claude/jobs/flagged/spec?namespace=${NS}`, undefined, as('reader'));
    expect(specOf.json.groups[0].tasks[0].command).toBe('--port 8080 --password (hidden)');
    expect(specOf.json.source.text).toContain('args  = ["--port", "8080", "--password", "(hidden)"]');
    const planned = await plan({ hcl: hcl('LEAK-FLAG-2') });
    expect(planned.status).toBe(200);
    expect(planned.json.diff).toContainEqual(expect.stringMatching(/Config\.args\[3\]: \(value changed\)/));
    expect((await register({ hcl: hcl('LEAK-FLAG-2'), job_modify_index: planned.json.job_modify_index })).status).toBe(200);
    const versions = await s.api('GET', `/api/claude/jobs/flagged/versions?namespace=${NS}`, undefined, as('reader'));
    expect(versions.status).toBe(200);
    const trail = await s.api('GET', '/api/audit?limit=50&job=flagged', undefined, as('auditor'));
    expect(trail.json.records.length).toBeGreaterThanOrEqual(2);
    for (const r of [specOf, planned, versions, trail]) expect(r.text).not.toMatch(leaks);
  });

  it('get_job_spec: the registered spec compacted, env names only, and the HCL source Nomad kept (secrets hidden)', async () => {
    const hcl = 'job "kept" {\n  group "web" {\n    task "app" {\n      driver = "docker"\n      env {\n        DB_PASSWORD = "kept-secret-9"\n      }\n    }\n  }\n}\n';
    const job = spec('kept', (j) => (j.Meta = { team: 'shop' }));
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: job, Submission: { Source: hcl, Format: 'hcl2' } })).status).toBe(200);
    const from = s.nomadTraffic.length;
    const r = await s.api('GET', `/api/claude/jobs/kept/spec?namespace=${NS}`, undefined, as('reader'));
    expect(r.status).toBe(200);
    expect(s.nomadTraffic.slice(from)).toEqual([`GET /v1/job/kept?namespace=${NS}`, `GET /v1/job/kept/submission?namespace=${NS}&version=0`]);
    expect(r.json).toMatchObject({ job_id: 'kept', version: 0, type: 'service', datacenters: ['dc1'], meta: { team: 'shop' }, groups_total: 1 });
    expect(r.json.groups[0]).toMatchObject({
      name: 'web', count: 2, ports: ['http → 80 (dynamic host port)'],
      update: '2 at a time, healthy by checks after 10s (deadline 5m), progress deadline 10m, no auto-revert',
      restart: '2 restarts in 30m, 15s apart, then fail', reschedule: 'unlimited, exponential delay from 30s up to 1h',
      tasks: [{ name: 'app', driver: 'docker', image: 'nginx:1.27', resources: 'cpu 100 MHz, memory 64 MB', env: ['API_TOKEN', 'LOG_LEVEL'] }],
    });
    expect(r.json.source.text).toContain('DB_PASSWORD = "(hidden)"');
    expect(r.json.message).toBe("Job 'kept' (service, version 0) has 1 group: web ×2 (nginx:1.27). Registered from HCL2; the source is included (secret values hidden).");
    expect(r.text).not.toMatch(/hunter2|kept-secret/);
    const missing = await s.api('GET', `/api/claude/jobs/nope/spec?namespace=${NS}`, undefined, as('reader'));
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe("job 'nope' not found in namespace 'development'");
    // a job registered without a source answers without one
    const plain = await s.api('GET', `/api/claude/jobs/shop/spec?namespace=${NS}`, undefined, as('reader'));
    expect(plain.json.source).toBeNull();
  });

  describe('over MCP', () => {
    let client: Client;
    let calls = 0;
    const tool = async (name: string, args: Record<string, unknown>) => {
      calls++;
      return (await client.callTool({ name, arguments: args })) as any;
    };
    beforeAll(async () => {
      client = await mcpClient(s.url, KEYS.deployer);
      expect((await register({ job: spec('flow') })).status).toBe(201);
      await running('flow', 2, 'nginx:1.27');
    });
    afterAll(async () => {
      await client.close();
    });

    it('plan → confirm → apply → see it healthy, in four tool calls plus waiting for the rollout', async () => {
      const next = spec('flow', (j) => Object.assign(j.TaskGroups[0], { Count: 3 }));
      calls = 0;
      const planned = await tool('plan_job', { job: next, namespace: NS });
      expect(planned.isError).toBeFalsy();
      const text: string = planned.content[0].text;
      expect(text.split('\n')[0]).toMatch(/^Plan for job 'flow' in namespace 'development': 1 change to the spec; web: 1 to create, 2 updated in place\. Apply with register_job and job_modify_index \d+\.$/);
      expect(text).toContain('~ group web: Count: "2" → "3" (forces create)');
      expect(Buffer.byteLength(text)).toBeLessThan(4096);
      const index = planned.structuredContent.job_modify_index;

      // an identity confirms an update of an existing job: the first call answers Nomad's plan and a token
      const from = s.nomadTraffic.length;
      const asked = await tool('register_job', { job: next, namespace: NS, job_modify_index: index });
      expect(asked.isError).toBe(true);
      expect(asked.content[0].text).toMatch(/^Nothing was changed: register_job needs the user's confirmation\. Plan: update job 'flow' in namespace 'development': ~ group web \(1 create, 2 in-place update\); ~ group web: Count: "2" → "3" \(forces create\)\. Nomad's plan: web: 1 to create, 2 updated in place\./);
      expect(writesSince(from).filter((l) => !l.includes('/plan'))).toEqual([]);
      const token = /confirm_token "([^"]+)"/.exec(asked.content[0].text)![1];

      const applied = await tool('register_job', { job: next, namespace: NS, job_modify_index: index, confirm_token: token });
      expect(applied.isError).toBeFalsy();
      expect(applied.structuredContent).toMatchObject({ created: false, enforced_index: index });
      const version = applied.structuredContent.version;

      let status: any;
      await waitFor('the new version healthy', async () => {
        status = await tool('get_job_status', { job_id: 'flow', namespace: NS });
        const st = status.structuredContent;
        return st.version === version && st.allocations.running === 3 && st.latest_deployment?.status === 'successful';
      }, 20000, 150);
      expect(status.content[0].text).toMatch(/^Job 'flow'/);
      // plan, plan-with-token answer, apply, then status until healthy (the simulator's rollout takes well under a second)
      expect(calls).toBeGreaterThanOrEqual(4);
      expect(calls).toBeLessThanOrEqual(8);
    });

    it('a stale token is refused: the job changed between the plan and the confirmation', async () => {
      const next = spec('shop', (j) => Object.assign(j.TaskGroups[0], { Count: 2 }));
      const asked = await tool('register_job', { job: next, namespace: NS });
      const token = /confirm_token "([^"]+)"/.exec(asked.content[0].text)![1];
      expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: spec('shop', (j) => (j.Meta = { by: 'a-race' })) })).status).toBe(200);
      const r = await tool('register_job', { job: next, namespace: NS, confirm_token: token });
      expect(r.isError).toBe(true);
      expect(r.content[0].text).toMatch(/^Nothing was changed: The job changed since the plan was made/);
    });

    it('a new job needs no confirmation; get_job_spec reads it back; a reader may plan but not register', async () => {
      const created = await tool('register_job', { job: spec('shop-b'), namespace: NS });
      expect(created.isError).toBeFalsy();
      expect(created.structuredContent).toMatchObject({ created: true, version: 0 });
      const read = await tool('get_job_spec', { job_id: 'shop-b', namespace: NS });
      expect(read.content[0].text).toMatch(/^Job 'shop-b' \(service, version 0\) has 1 group: web ×2 \(nginx:1\.27\)\./);
      expect(read.content[0].text).toContain('env: API_TOKEN, LOG_LEVEL');
      expect(read.content[0].text).not.toContain(SECRET);
      expect(Buffer.byteLength(read.content[0].text)).toBeLessThan(4096);
      const reader = await mcpClient(s.url, KEYS.reader);
      try {
        const planned = (await reader.callTool({ name: 'plan_job', arguments: { job: spec('shop-b'), namespace: NS } })) as any;
        expect(planned.isError).toBeFalsy();
        expect(planned.structuredContent.diff).toEqual([]);
        expect(planned.content[0].text).toMatch(/^Plan for job 'shop-b' in namespace 'development': no change to the spec/);
        const refused = (await reader.callTool({ name: 'register_job', arguments: { job: spec('shop-b'), namespace: NS } })) as any;
        expect(refused.isError).toBe(true);
        expect(refused.content[0].text).toMatch(/^'reader' may not call register_job: it needs the scope 'write'\./);
      } finally {
        await reader.close();
      }
    });
  });
});

describe('a spec that names its own namespace', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('"*" is refused on job.Namespace; a missing one says to change the spec; the refused call is audited under its job', async () => {
    const from = s.nomadTraffic.length;
    const job = { ID: 'ns-spec', TaskGroups: [{ Name: 'web', Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' } }] }] };
    const star = await s.api('POST', '/api/claude/plan-job', { job: { ...job, Namespace: '*' } });
    expect(star.status).toBe(400);
    expect(star.json.message).toBe("Invalid request: job.Namespace: is '*', but a job's namespace must be one namespace's name: 1-128 letters, digits or dashes");
    expect(s.nomadTraffic.slice(from)).toEqual([]);
    const hcl = 'job "ns-spec" {\n  namespace = "nope-ns"\n  group "web" {\n    task "web" {\n      driver = "docker"\n      config { image = "nginx:1.27" }\n    }\n  }\n}\n';
    const missing = await s.api('POST', '/api/claude/register-job', { hcl });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ message: "namespace 'nope-ns' does not exist in Nomad", next_step: expect.stringMatching(/^The jobspec names namespace 'nope-ns': change it there to an existing namespace/) });
    const [record] = (await s.api('GET', '/api/audit?limit=1&operation=register_job')).json.records;
    expect(record).toMatchObject({ operation: 'register_job', namespace: 'nope-ns', job: 'ns-spec', status: 404 });
  });
});
