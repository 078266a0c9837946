import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startStack, Stack } from './support/stack';

const KEYS = { ops: 'ops-key-resources-01', dev: 'dev-reader-key-02', operator: 'operator-only-key-03' };
/** dev-reader's own Nomad token: its resource reads and completions must carry it, as its tool calls do. */
const DEV_NOMAD_TOKEN = '4b9c1d2e-0000-4000-8000-00000000dead';
const BUILT_MAIN = resolve(__dirname, '../dist/apps/nomad-mcp/src/main.js');
/** Jobs registered in namespace `bulk`: more than a completion answers. */
const BULK = Array.from({ length: 23 }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`);

type Contents = Array<{ uri: string; mimeType?: string; text?: string }>;
const promptText = (r: { messages: Array<{ content: { type: string; text?: string } }> }) => r.messages.map((m) => m.content.text ?? '').join('\n');

/** Resources, resource templates, completions and prompts over Streamable HTTP, as three identities see them. */
describe('MCP resources, completions and prompts (Streamable HTTP)', () => {
  let s: Stack;
  let dir: string;
  const clients: Client[] = [];
  const as = async (who: keyof typeof KEYS) => {
    const client = new Client({ name: `e2e-${who}`, version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEYS[who] } } }));
    clients.push(client);
    return client;
  };
  let ops: Client;
  let dev: Client;
  let operator: Client;
  let opsTools: string[];
  const since = (before: number) => s.nomadTraffic.slice(before);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-resources-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(join(dir, 'dev-nomad-token'), DEV_NOMAD_TOKEN);
    writeFileSync(file, [
      'identities:',
      `  - { name: ops, key: ${KEYS.ops}, scopes: ['*'], confirm: 'off' }`,
      `  - { name: dev-reader, key: ${KEYS.dev}, scopes: [read], namespaces: [development], nomad_token_file: dev-nomad-token }`,
      `  - { name: operator-only, key: ${KEYS.operator}, scopes: [operate] }`,
    ].join('\n'));
    s = await startStack({ env: { API_KEYS_FILE: file, NOMAD_MCP_AUDIT_READS: 'true' } });
    expect((await s.nomad('POST', '/v1/namespace/bulk', { Name: 'bulk', Description: 'many jobs' })).status).toBe(200);
    for (const id of BULK) {
      const job = { ID: id, Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'busybox:1.36' }, Resources: { CPU: 10, MemoryMB: 16 } }] }] };
      expect((await s.nomad('POST', '/v1/jobs?namespace=bulk', { Job: job })).status).toBe(200);
    }
    [ops, dev, operator] = [await as('ops'), await as('dev'), await as('operator')];
    opsTools = (await ops.listTools()).tools.map((t) => t.name);
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares resources, prompts and completions, and instructions that say the safety checks hold', () => {
    expect(ops.getServerCapabilities()).toMatchObject({
      tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false }, completions: {},
    });
    expect(ops.getServerCapabilities()?.resources?.subscribe).toBeFalsy();
    const instructions = ops.getInstructions()!;
    expect(instructions).toMatch(/list_jobs/);
    expect(instructions).toMatch(/confirm_token/);
    expect(instructions).toMatch(/never work around them/);
    expect(instructions.length).toBeLessThan(2000);
  });

  it('resources/list: one job list per namespace the caller may use, nothing for an identity without read', async () => {
    const all = (await s.nomad('GET', '/v1/namespaces')).json.map((n: any) => n.Name).sort();
    expect(all).toEqual(['bulk', 'default', 'development', 'staging']);
    const listed = (await ops.listResources()).resources;
    expect(listed.map((r) => r.uri)).toEqual(all.map((n: string) => `nomad://jobs/${n}`));
    expect(listed[0]).toMatchObject({ name: 'jobs-bulk', title: 'Jobs in bulk', mimeType: 'text/plain' });
    expect((await dev.listResources()).resources.map((r) => r.uri)).toEqual(['nomad://jobs/development']);
    expect((await operator.listResources()).resources).toEqual([]);
  });

  it('resources/templates/list: the job list, status, spec (when the service has get_job_spec) and logs', async () => {
    const templates = (await ops.listResourceTemplates()).resourceTemplates;
    const expected = ['nomad://jobs/{namespace}', 'nomad://job/{namespace}/{job_id}', 'nomad://job/{namespace}/{job_id}/spec', 'nomad://job/{namespace}/{job_id}/logs']
      .filter((t) => !t.endsWith('/spec') || opsTools.includes('get_job_spec'));
    expect(templates.map((t) => t.uriTemplate)).toEqual(expected);
    for (const t of templates) expect(t.description).toMatch(/text\/plain.*application\/json/);
    expect((await dev.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(expected);
    expect((await operator.listResourceTemplates()).resourceTemplates).toEqual([]);
  });

  it("reads a job resource through get_job_status: text and JSON, the Nomad reads with the identity's token, the audit record", async () => {
    const before = s.nomadTraffic.length;
    const { contents } = await dev.readResource({ uri: 'nomad://job/development/example-job' }) as { contents: Contents };
    expect(contents.map((c) => [c.uri, c.mimeType])).toEqual([
      ['nomad://job/development/example-job', 'text/plain'], ['nomad://job/development/example-job', 'application/json'],
    ]);
    expect(contents[0].text).toMatch(/^Job 'example-job' \(service, version 0\)/);
    expect(contents[0].text).toMatch(/\nstatus: running\n/);
    expect(JSON.parse(contents[1].text!)).toMatchObject({ job_id: 'example-job', namespace: 'development', groups: [{ name: 'web', desired: 2 }] });
    expect(since(before)).toEqual(expect.arrayContaining([
      'GET /v1/job/example-job?namespace=development', 'GET /v1/job/example-job/summary?namespace=development', 'GET /v1/job/example-job/allocations?namespace=development&all=false', 'GET /v1/job/example-job/deployment?namespace=development',
    ]));
    expect(new Set(s.nomadTokens.slice(before).map((t) => t.token))).toEqual(new Set([DEV_NOMAD_TOKEN]));
    const db = new Database(s.auditPath, { readonly: true });
    try {
      const rec = db.prepare("SELECT * FROM audit_records WHERE operation = 'get_job_status' ORDER BY id DESC LIMIT 1").get() as any;
      expect(rec).toMatchObject({ identity: 'dev-reader', transport: 'mcp', namespace: 'development', job: 'example-job', outcome: 'ok' });
    } finally {
      db.close();
    }
  });

  it('reads the job list and the logs resources', async () => {
    const list = (await ops.readResource({ uri: 'nomad://jobs/development' })).contents as Contents;
    expect(list[0].text).toMatch(/^3 jobs in namespace 'development'/);
    expect(JSON.parse(list[1].text!).jobs.map((j: any) => j.id)).toEqual(['broken-api', 'example-job', 'nightly-report']);
    // a longer list: a resource takes no next_token, so its text says which tool call gets the rest
    const bulk = (await ops.readResource({ uri: 'nomad://jobs/bulk' })).contents as Contents;
    const token = JSON.parse(bulk[1].text!).next_token;
    expect(token).toEqual(expect.any(String));
    expect(bulk[0].text).toContain(`call the list_jobs tool with next_token="${token}"`);
    expect(bulk[0].text).not.toContain('call again');
    const before = s.nomadTraffic.length;
    const logs = (await ops.readResource({ uri: 'nomad://job/development/example-job/logs' })).contents as Contents;
    expect(logs[0].text).toMatch(/--- stdout.* ---\n/);
    expect(JSON.parse(logs[1].text!)).toMatchObject({ job_id: 'example-job', task: 'nginx' });
    expect(since(before).some((l) => /^GET \/v1\/client\/fs\/logs\/[0-9a-f-]+\?.*task=nginx/.test(l))).toBe(true);
  });

  it('the spec resource is served by get_job_spec, or is not there without it', async () => {
    const read = ops.readResource({ uri: 'nomad://job/development/example-job/spec' });
    if (opsTools.includes('get_job_spec')) {
      const spec = (await read).contents as Contents;
      expect(JSON.parse(spec[1].text!)).toMatchObject({ job_id: 'example-job', namespace: 'development' });
    } else {
      await expect(read).rejects.toMatchObject({ code: -32002, message: expect.stringMatching(/No resource 'nomad:\/\/job\/development\/example-job\/spec'/) });
    }
  });

  it('an identity is refused a namespace it may not use: an error that says not to work around it, nothing asked of Nomad', async () => {
    const before = s.nomadTraffic.length;
    await expect(dev.readResource({ uri: 'nomad://job/default/hello-world' })).rejects.toMatchObject({
      code: -32600,
      message: expect.stringContaining("'dev-reader' may not use namespace 'default' (allowed: development). Do not retry or work around it"),
      data: { status: 403 },
    });
    await expect(dev.readResource({ uri: 'nomad://jobs/default' })).rejects.toMatchObject({ code: -32600 });
    expect(since(before)).toEqual([]);
    await expect(operator.readResource({ uri: 'nomad://jobs/development' })).rejects.toMatchObject({ code: -32002, message: expect.stringMatching(/need the scope 'read'/) });
  });

  it('unknown jobs and URIs, and job IDs with a slash (percent-encoded), answer errors that say what to do', async () => {
    await expect(ops.readResource({ uri: 'nomad://job/development/nope' })).rejects.toMatchObject({
      code: -32002, message: expect.stringMatching(/job 'nope' not found in namespace 'development'\. Call list_jobs/),
    });
    await expect(ops.readResource({ uri: 'nomad://job/development/parent%2Fdispatch-1' })).rejects.toMatchObject({
      code: -32002, message: expect.stringMatching(/job 'parent\/dispatch-1' not found/),
    });
    await expect(ops.readResource({ uri: 'nomad://nodes' })).rejects.toMatchObject({ code: -32002, message: expect.stringMatching(/No resource 'nomad:\/\/nodes'\. The resources are nomad:\/\/jobs\/\{namespace\}, /) });
    await expect(ops.readResource({ uri: 'nomad://job/development/%E0%A4%A' })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/job_id .* percent-encoding/) });
    await expect(ops.readResource({ uri: 'nomad://jobs/bad%20ns' })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/namespace/) });
  });

  it('completes namespaces the caller may use, by prefix', async () => {
    const complete = (c: Client, value: string) => c.complete({ ref: { type: 'ref/resource', uri: 'nomad://jobs/{namespace}' }, argument: { name: 'namespace', value } });
    expect((await complete(ops, '')).completion).toEqual({ values: ['bulk', 'default', 'development', 'staging'], total: 4, hasMore: false });
    expect((await complete(ops, 'de')).completion.values).toEqual(['default', 'development']);
    expect((await complete(ops, 'dev')).completion.values).toEqual(['development']);
    const before = s.nomadTraffic.length;
    expect((await complete(dev, '')).completion.values).toEqual(['development']);
    expect(s.nomadTokens.slice(before).map((t) => [t.line, t.token])).toEqual([['GET /v1/namespaces', DEV_NOMAD_TOKEN]]);
    expect((await complete(operator, '')).completion).toEqual({ values: [], total: 0, hasMore: false });
  });

  it('completes job IDs by prefix in the namespace already given, through Nomad\'s prefix list, at most 20', async () => {
    const ref = { type: 'ref/resource' as const, uri: 'nomad://job/{namespace}/{job_id}' };
    let before = s.nomadTraffic.length;
    const ex = await ops.complete({ ref, argument: { name: 'job_id', value: 'ex' }, context: { arguments: { namespace: 'development' } } });
    expect(ex.completion).toEqual({ values: ['example-job'], total: 1, hasMore: false });
    expect(since(before)).toContain('GET /v1/jobs?namespace=development&prefix=ex&per_page=100');
    const many = await ops.complete({ ref, argument: { name: 'job_id', value: 'svc-' }, context: { arguments: { namespace: 'bulk' } } });
    expect(many.completion).toEqual({ values: BULK.slice(0, 20), total: 23, hasMore: true });
    const narrowed = await ops.complete({ ref, argument: { name: 'job_id', value: 'svc-2' }, context: { arguments: { namespace: 'bulk' } } });
    expect(narrowed.completion.values).toEqual(['svc-20', 'svc-21', 'svc-22', 'svc-23']);
    // no namespace yet: the service's default one
    expect((await ops.complete({ ref, argument: { name: 'job_id', value: 'b' } })).completion.values).toEqual(['broken-api']);
    // a namespace the caller may not use completes to nothing, and Nomad is not asked
    before = s.nomadTraffic.length;
    expect((await dev.complete({ ref, argument: { name: 'job_id', value: '' }, context: { arguments: { namespace: 'bulk' } } })).completion.values).toEqual([]);
    expect(since(before)).toEqual([]);
  });

  it('completes prompt arguments (job IDs, namespaces, node IDs) and refuses arguments that are not there', async () => {
    const diagnose = { type: 'ref/prompt' as const, name: 'diagnose-failing-job' };
    expect((await ops.complete({ ref: diagnose, argument: { name: 'job_id', value: 'bro' } })).completion.values).toEqual(['broken-api']);
    expect((await ops.complete({ ref: diagnose, argument: { name: 'namespace', value: 'b' } })).completion.values).toEqual(['bulk']);
    const nodes = (await s.nomad('GET', '/v1/nodes')).json.map((n: any) => n.ID).sort();
    const drained = await ops.complete({ ref: { type: 'ref/prompt', name: 'drain-node-safely' }, argument: { name: 'node_id', value: nodes[0].slice(0, 4) } });
    expect(drained.completion.values).toEqual(nodes.filter((id: string) => id.startsWith(nodes[0].slice(0, 4))));
    const image = await ops.complete({ ref: { type: 'ref/prompt', name: 'roll-out-new-image' }, argument: { name: 'image', value: 'ngi' } });
    expect(image.completion.values).toEqual([]);
    await expect(ops.complete({ ref: diagnose, argument: { name: 'node_id', value: '' } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/'node_id' is not an argument of diagnose-failing-job; its arguments are job_id, namespace/) });
    await expect(ops.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'job_id', value: '' } })).rejects.toMatchObject({ code: -32602 });
    await expect(ops.complete({ ref: { type: 'ref/resource', uri: 'nomad://other/{x}' }, argument: { name: 'x', value: '' } })).rejects.toMatchObject({ code: -32602 });
  });

  it('prompts/list: the three procedures with their arguments', async () => {
    const { prompts } = await dev.listPrompts();
    expect(prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => `${a.name}${a.required ? '' : '?'}`)])).toEqual([
      ['diagnose-failing-job', ['job_id', 'namespace?']],
      ['roll-out-new-image', ['job_id', 'image', 'namespace?']],
      ['drain-node-safely', ['node_id']],
    ]);
    for (const p of prompts) expect(p.description!.length).toBeGreaterThan(40);
  });

  it('prompts/get: each names the tools in order, for what the caller may do, and says not to work around the checks', async () => {
    const diagnose = promptText(await dev.getPrompt({ name: 'diagnose-failing-job', arguments: { job_id: 'broken-api', namespace: 'development' } }));
    expect(diagnose).toMatch(/^Diagnose why the Nomad job 'broken-api' in namespace 'development' is failing/);
    expect(diagnose).toContain('1. get_job_status {"job_id":"broken-api","namespace":"development"}');
    expect(diagnose.indexOf('get_job_status')).toBeLessThan(diagnose.indexOf('get_job_logs'));
    expect(diagnose).toMatch(/never reach the same end with other tools/);
    const inDefault = promptText(await dev.getPrompt({ name: 'diagnose-failing-job', arguments: { job_id: 'broken-api' } }));
    expect(inDefault).toContain("in the default namespace ('development')");
    expect(inDefault).toContain('get_job_status {"job_id":"broken-api"}');

    const rollout = promptText(await ops.getPrompt({ name: 'roll-out-new-image', arguments: { job_id: 'example-job', image: 'nginx:1.28' } }));
    const order = ['Baseline: get_job_status', 'Plan:', 'Confirm:', 'Apply:', 'Wait: wait_for_deployment', 'Verify: get_job_status'].map((step) => rollout.indexOf(step));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(rollout).toMatch(opsTools.includes('register_job') ? /register_job with the same spec/ : /create_job with the job's current settings and docker_image 'nginx:1.28'/);
    expect(rollout).toMatch(/call again with the token only if it is the change the user approved/);
    const reader = promptText(await dev.getPrompt({ name: 'roll-out-new-image', arguments: { job_id: 'example-job', image: 'nginx:1.28' } }));
    expect(reader).toMatch(/This identity has no tool that changes a job/);
    expect(reader).not.toMatch(/Apply:/);

    const drain = promptText(await dev.getPrompt({ name: 'drain-node-safely', arguments: { node_id: 'f476d2b4' } }));
    expect(drain).toContain('1. get_node {"node_id":"f476d2b4"}');
    expect(drain).toMatch(/drain_node is not among your tools .* Do not imitate a drain by stopping or restarting the allocations one by one\./);
    const opsDrain = promptText(await ops.getPrompt({ name: 'drain-node-safely', arguments: { node_id: 'f476d2b4' } }));
    expect(opsDrain).toMatch(opsTools.includes('drain_node') ? /drain_node \{"node_id":"f476d2b4"\} with a deadline/ : /drain_node is not among your tools/);
  });

  it('prompts/get refuses an unknown prompt and missing, unknown or malformed arguments by name', async () => {
    await expect(ops.getPrompt({ name: 'delete-everything' })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/Unknown prompt 'delete-everything'. The prompts are diagnose-failing-job, /) });
    await expect(ops.getPrompt({ name: 'roll-out-new-image', arguments: { job_id: 'web' } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/needs the argument 'image'/) });
    await expect(ops.getPrompt({ name: 'drain-node-safely', arguments: { node_id: 'x', force: 'yes' } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/has no argument 'force'/) });
    await expect(ops.getPrompt({ name: 'drain-node-safely', arguments: { node_id: 'a\nb' } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/'node_id' must be at most 256 characters without control characters/) });
  });
});

describe('MCP resources and prompts over stdio (built bin)', () => {
  it('lists templates and prompts, reads a job list, completes a job ID', async () => {
    if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run "npm run build" first (npm test does it)`);
    const stack = await startStack();
    const client = new Client({ name: 'e2e-stdio', version: '1' });
    try {
      await client.connect(new StdioClientTransport({
        command: process.execPath,
        args: [resolve(__dirname, '../bin/nomad-mcp.js'), '--stdio'],
        env: { NOMAD_ADDR: stack.sim!.url, LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
        stderr: 'pipe',
      }));
      expect(client.getServerCapabilities()).toMatchObject({ resources: { listChanged: false }, prompts: { listChanged: false }, completions: {} });
      expect((await client.listResourceTemplates()).resourceTemplates[0].uriTemplate).toBe('nomad://jobs/{namespace}');
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['nomad://jobs/default', 'nomad://jobs/development', 'nomad://jobs/staging']);
      const before = stack.nomadTraffic.length;
      const list = (await client.readResource({ uri: 'nomad://jobs/development' })).contents as Contents;
      expect(list[0].text).toMatch(/^3 jobs in namespace 'development'/);
      // the built service runs with the watch cache on (its default): it reads the namespace's whole list once, to page from memory
      expect(stack.nomadTraffic.slice(before)).toContain('GET /v1/jobs?namespace=development');
      const done = await client.complete({ ref: { type: 'ref/resource', uri: 'nomad://job/{namespace}/{job_id}' }, argument: { name: 'job_id', value: 'hel' }, context: { arguments: { namespace: 'default' } } });
      expect(done.completion.values).toEqual(['hello-world']);
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['diagnose-failing-job', 'roll-out-new-image', 'drain-node-safely']);
    } finally {
      await client.close();
      await stack.close();
    }
  }, 60000);
});
