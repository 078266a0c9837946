import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { resolve } from 'node:path';
import { OperationEvent, OperationEvents } from '../apps/nomad-mcp/src/operations/core/operation-events';
import { startStack, Stack } from './support/stack';
import { ALL_TOOLS } from './support/tool-names';

const KEY = 'pipeline-test-key-1';

/**
 * Adding an operation is one file plus its DTOs: a sample read-only operation from test/fixtures shows up
 * in REST (and Swagger), MCP tools/list and tools/call, /api/claude/tools, and in the per-call event.
 */
describe('one operation file is all it takes', () => {
  let s: Stack;
  let client: Client;
  const events: OperationEvent[] = [];

  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: KEY }, apiKey: KEY, operationDirs: [resolve(__dirname, 'fixtures/operations')] });
    s.app.get(OperationEvents).events$.subscribe((e) => events.push(e));
    client = new Client({ name: 'pipeline-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY } } }));
  });
  afterAll(async () => {
    await client.close();
    await s.close();
  });

  it('is served over REST, asks Nomad, and emits one event naming the caller', async () => {
    const before = s.nomadTraffic.length;
    const r = await s.api('GET', '/api/claude/cluster/leader?label=probe');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: expect.stringMatching(/^The cluster's leader is 127\.0\.0\.1:\d+\.$/), leader: expect.any(String), label: 'probe' });
    expect(s.nomadTraffic.slice(before)).toEqual(['GET /v1/status/leader']);
    const e = events.find((x) => x.operation === 'get_cluster_leader' && x.transport === 'rest');
    expect(e).toMatchObject({ outcome: 'ok', status: 200, principal: expect.stringMatching(/^key-[0-9a-f]{8}$|^local$/), error: null });
    expect(e!.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('validates its input with the shared rules (400 naming the field, event outcome "invalid", no Nomad call)', async () => {
    const before = s.nomadTraffic.length;
    const r = await s.api('GET', '/api/claude/cluster/leader?label=NOT-OK');
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/label: label must be 1-16 lower-case letters/);
    expect(s.nomadTraffic.length).toBe(before);
  });

  it('is documented in Swagger from its DTOs', async () => {
    const doc = (await s.api('GET', '/api/docs-json')).json;
    const op = doc.paths['/api/claude/cluster/leader'].get;
    expect(op.operationId).toBe('get_cluster_leader');
    expect(op.parameters.map((p: any) => p.name)).toEqual(['label']);
    expect(op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ClusterLeaderResultDto');
  });

  it('is an MCP tool (listed last, in order) that runs through the same pipeline', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...ALL_TOOLS, 'get_cluster_leader']);
    const tool = tools.find((t) => t.name === 'get_cluster_leader')!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect((tool.inputSchema.properties as any).label.description).toBe('Any short label; echoed in the answer.');
    const r = (await client.callTool({ name: 'get_cluster_leader', arguments: { label: 'mcp' } })) as any;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ label: 'mcp' });
    expect(r.content[0].text).toMatch(/^The cluster's leader is .*\n\nleader: 127\.0\.0\.1:\d+\nlabel: mcp$/);
    const e = events.find((x) => x.operation === 'get_cluster_leader' && x.transport === 'mcp');
    expect(e).toMatchObject({ outcome: 'ok', principal: events.find((x) => x.transport === 'rest')!.principal });
  });

  it('is exported as a Claude tool', async () => {
    const r = await s.api('GET', '/api/claude/tools');
    expect(r.json.find((t: any) => t.name === 'get_cluster_leader')).toMatchObject({ input_schema: { type: 'object', properties: { label: expect.any(Object) } } });
  });
});
