import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';
import { ALL_TOOLS } from './support/tool-names';

const KEY = 'mcp-test-key-42';
const BUILT_MAIN = resolve(__dirname, '../dist/apps/nomad-mcp/src/main.js');

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: any };
const text = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');

/** The same checks over both transports: every tool on its success path and on a failure path. */
function toolSuite(name: string, connect: () => Promise<{ client: Client; stack: Stack; close(): Promise<void> }>) {
  describe(name, () => {
    let client: Client;
    let stack: Stack;
    let close: () => Promise<void>;
    const callTool = async (tool: string, args: Record<string, unknown>) => (await client.callTool({ name: tool, arguments: args })) as ToolResult;

    beforeAll(async () => {
      ({ client, stack, close } = await connect());
      await waitFor('example-job deployed', async () => (await stack.nomad('GET', '/v1/job/example-job/deployment?namespace=development')).json?.Status === 'successful');
      await waitFor('broken-api failed', async () => (await stack.nomad('GET', '/v1/job/broken-api/summary?namespace=development')).json?.Summary.api.Failed === 1);
    });
    afterAll(() => close());

    it('initializes with the server name and the tools capability', () => {
      expect(client.getServerVersion()).toMatchObject({ name: 'nomad-mcp' });
      expect(client.getServerCapabilities()?.tools).toBeDefined();
      expect(client.getInstructions()).toMatch(/list_jobs/);
    });

    it('lists the tools with descriptions, annotations and input schemas', async () => {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
      const by = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(by.list_jobs.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(by.get_job_logs.annotations).toMatchObject({ readOnlyHint: true });
      expect(by.stop_job.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
      expect(by.restart_job.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
      expect(by.create_job.inputSchema.required).toEqual(expect.arrayContaining(['job_id', 'docker_image']));
      expect((by.stop_job.inputSchema.properties as any).purge.description).toMatch(/remove the job/);
      for (const t of tools) expect(t.description!.length).toBeGreaterThan(80);
      // the SDK client checks every structuredContent below against these (from the response DTOs)
      expect(by.get_job_status.outputSchema?.required).toEqual(expect.arrayContaining(['status', 'problems', 'placement_failures']));
      expect((by.get_job_status.outputSchema?.properties as any).latest_deployment.anyOf[1]).toEqual({ type: 'null' });
      for (const t of tools) expect(t.outputSchema?.type).toBe('object');
    });

    it('list_jobs: jobs of the namespace / bad namespace', async () => {
      const ok = await callTool('list_jobs', { namespace: 'development' });
      expect(ok.isError).toBeFalsy();
      expect(ok.structuredContent.jobs.map((j: any) => j.id)).toEqual(expect.arrayContaining(['example-job', 'broken-api', 'nightly-report']));
      expect(text(ok)).toMatch(/^3 jobs in namespace 'development'/);
      const bad = await callTool('list_jobs', { namespace: 'bad ns' });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toMatch(/^Invalid request: namespace: .* Fix those arguments and call the tool again\.$/);
    });

    it('get_job_status: diagnosis / unknown job with a next step', async () => {
      const ok = await callTool('get_job_status', { job_id: 'broken-api' });
      expect(ok.structuredContent.problems[0]).toMatchObject({ event: 'Driver Failure', message: expect.stringMatching(/Failed to pull/) });
      expect(ok.structuredContent.problems.map((p: any) => p.event)).toContain('Not Restarting');
      // the text is the sentence plus a compact rendering, not a second copy of structuredContent
      expect(text(ok)).toMatch(/^Job 'broken-api' \(service, version 0\) is dead;.*\n\nstatus: dead\n/);
      expect(text(ok)).toMatch(/\nproblems \(causes first, newest first\):\ntime +alloc_id +task +event +occurrences +message\n.*Driver Failure/);
      expect(text(ok)).not.toContain('{"');
      expect(text(ok).length).toBeLessThan(JSON.stringify(ok.structuredContent).length);
      const missing = await callTool('get_job_status', { job_id: 'web', namespace: 'development' });
      expect(missing.isError).toBe(true);
      expect(text(missing)).toBe("job 'web' not found in namespace 'development'. Call list_jobs with namespace 'development' to see the jobs there (or namespace \"*\" for all).");
    });

    it('create_job, restart_job, stop_job, start_job: success and failure paths', async () => {
      const id = `mcp-${name.includes('stdio') ? 'stdio' : 'http'}`;
      const created = await callTool('create_job', { job_id: id, docker_image: 'nginx:1.27', memory: 256, cpu: 200, ports: [{ Label: 'http', Value: 0, To: 80 }] });
      expect(created.isError).toBeFalsy();
      expect(created.structuredContent).toMatchObject({ created: true, version: 0, namespace: 'development' });
      const badCreate = await callTool('create_job', { job_id: id });
      expect(badCreate.isError).toBe(true);
      expect(text(badCreate)).toMatch(/docker_image/);

      await waitFor('deployed', async () => (await stack.nomad('GET', `/v1/job/${id}/deployment?namespace=development`)).json?.Status === 'successful');
      const restarted = await callTool('restart_job', { job_id: id });
      expect(restarted.isError).toBeFalsy();
      expect(restarted.structuredContent.affected_allocations).toHaveLength(1);
      const badRestart = await callTool('restart_job', { job_id: 'never-was' });
      expect(badRestart.isError).toBe(true);
      expect(text(badRestart)).toMatch(/not found.*list_jobs/);

      const stopped = await callTool('stop_job', { job_id: id });
      expect(stopped.structuredContent).toMatchObject({ action: 'stop', purged: false });
      const badStop = await callTool('stop_job', { job_id: 'a b' });
      expect(badStop.isError).toBe(true);
      expect(text(badStop)).toMatch(/job_id/);

      const started = await callTool('start_job', { job_id: id });
      expect(started.isError).toBeFalsy();
      expect(text(started)).toMatch(/^Started job/);
      const badStart = await callTool('start_job', { job_id: 'never-was' });
      expect(badStart.isError).toBe(true);

      const purged = await callTool('stop_job', { job_id: id, purge: true });
      expect(purged.structuredContent.purged).toBe(true);
      expect((await stack.nomad('GET', `/v1/job/${id}?namespace=development`)).status).toBe(404);
    });

    it('get_job_logs: lines as text / unknown job', async () => {
      const ok = await callTool('get_job_logs', { job_id: 'example-job', lines: 5 });
      expect(ok.isError).toBeFalsy();
      // the sentence, a blank line, then each stream under its header
      expect(text(ok)).toMatch(/^[^\n]+\n\n--- stdout.* ---\n(.+\n)+\n--- stderr.* ---\n/);
      expect(ok.structuredContent.stdout.lines.length).toBeLessThanOrEqual(5);
      const missing = await callTool('get_job_logs', { job_id: 'nope' });
      expect(missing.isError).toBe(true);
    });

    it('answers an unknown tool with a tool error listing the tools', async () => {
      const r = await callTool('delete_cluster', {});
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/^Unknown tool 'delete_cluster'. Available tools: find_problems, list_jobs, /);
    });
  });
}

toolSuite('MCP over Streamable HTTP (/mcp)', async () => {
  const stack = await startStack({ env: { API_KEYS: KEY } });
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY } } }));
  return { client, stack, close: async () => { await client.close(); await stack.close(); } };
});

toolSuite('MCP over stdio (built bin, --stdio)', async () => {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run "npm run build" first (npm test does it)`);
  const stack = await startStack();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [resolve(__dirname, '../bin/nomad-mcp.js'), '--stdio'],
    env: { NOMAD_ADDR: stack.sim!.url, LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'e2e-stdio', version: '1.0.0' });
  await client.connect(transport);
  return { client, stack, close: async () => { await client.close(); await stack.close(); } };
});

describe('MCP over HTTP without a key', () => {
  it('is refused when keys are configured', async () => {
    const stack = await startStack({ env: { API_KEYS: KEY } });
    try {
      const client = new Client({ name: 'e2e', version: '1.0.0' });
      await expect(client.connect(new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`)))).rejects.toThrow(/401|API key/);
    } finally {
      await stack.close();
    }
  });
});
