import { Stack, startStack } from './support/stack';

/**
 * GET /api/claude/tool-config has the published configuration's shape, exactly:
 * {"tools":[{"name":"nomad_mcp","description","api_endpoints":[{"name","description","method","url",
 * "params":[{"name","type","description","required","default"}]} | {…,"body":{field: type}}]}]}.
 * Keys may be added to it; none of these may be renamed or moved. Names, types and the base URL are written out
 * here; descriptions must be the DTOs' own (from the OpenAPI document and the tool definitions).
 */
describe('GET /api/claude/tool-config', () => {
  let s: Stack;
  let cfg: any;
  let schemas: Record<string, any>;
  let claudeTools: any[];

  beforeAll(async () => {
    s = await startStack({ env: { DEFAULT_NAMESPACE: 'team-a' } });
    const r = await s.api('GET', '/api/claude/tool-config');
    expect(r.status).toBe(200);
    cfg = r.json;
    schemas = (await s.api('GET', '/api/docs-json')).json.components.schemas;
    claudeTools = (await s.api('GET', '/api/claude/tools')).json;
  });
  afterAll(() => s.close());

  /** A field's description as the DTO states it (following $refs and allOf wrappers). */
  const described = (model: string, field: string): string => {
    const p = schemas[model].properties[field];
    return p.description ?? schemas[p.$ref?.split('/').pop()]?.description;
  };
  const param = (model: string, name: string, type: string, extra: Record<string, unknown> = {}) => ({
    name, type, description: described(model, name), required: false, default: null, in: 'query', ...extra,
  });

  it('is one tool, nomad_mcp, with the four endpoints in the published order', () => {
    expect(Object.keys(cfg)).toEqual(expect.arrayContaining(['tools']));
    expect(cfg.tools).toHaveLength(1);
    expect(Object.keys(cfg.tools[0])).toEqual(['name', 'description', 'api_endpoints']);
    expect(cfg.tools[0].name).toBe('nomad_mcp');
    expect(cfg.tools[0].description).toMatch(/Nomad/);
    expect(cfg.tools[0].api_endpoints.map((e: any) => e.name)).toEqual(['list_jobs', 'manage_job', 'create_job', 'get_job_logs']);
    for (const e of cfg.tools[0].api_endpoints) {
      expect(Object.keys(e)).toEqual(['name', 'description', 'method', 'url', e.method === 'GET' ? 'params' : 'body']);
      for (const p of e.params ?? []) expect(Object.keys(p).slice(0, 5)).toEqual(['name', 'type', 'description', 'required', 'default']);
    }
  });

  const endpoint = (name: string) => cfg.tools[0].api_endpoints.find((e: any) => e.name === name);

  it('list_jobs: GET with its query params, the configured namespace as default', () => {
    expect(endpoint('list_jobs')).toEqual({
      name: 'list_jobs',
      description: claudeTools.find((t) => t.name === 'list_jobs').description,
      method: 'GET',
      url: `${s.url}/api/claude/list-jobs`,
      params: [
        // list_jobs declares its own page size (10), so it comes first
        param('ListJobsQueryDto', 'limit', 'integer', { default: 10 }),
        param('ListJobsQueryDto', 'namespace', 'string', { default: 'team-a' }),
        param('ListJobsQueryDto', 'prefix', 'string'),
        param('ListJobsQueryDto', 'status', 'string', { enum: ['pending', 'running', 'dead'] }),
        param('ListJobsQueryDto', 'next_token', 'string'),
      ],
    });
  });

  it('manage_job: POST with each body field and its type', () => {
    expect(endpoint('manage_job')).toEqual({
      name: 'manage_job',
      description: expect.stringMatching(/^Manage one job: action=status/),
      method: 'POST',
      url: `${s.url}/api/claude/jobs`,
      body: { job_id: 'string', namespace: 'string', confirm_token: 'string', action: 'string', purge: 'boolean' },
    });
  });

  it('create_job: POST with each body field and its type', () => {
    expect(endpoint('create_job')).toEqual({
      name: 'create_job',
      description: claudeTools.find((t) => t.name === 'create_job').description,
      method: 'POST',
      url: `${s.url}/api/claude/create-job`,
      body: {
        job_id: 'string', namespace: 'string', name: 'string', type: 'string', datacenters: 'array', docker_image: 'string',
        count: 'integer', cpu: 'integer', memory: 'integer', ports: 'array', env_vars: 'object', confirm_token: 'string',
      },
    });
  });

  it('get_job_logs: GET with job_id in the path and the log options', () => {
    const m = 'JobLogsRequestDto';
    expect(endpoint('get_job_logs')).toEqual({
      name: 'get_job_logs',
      description: claudeTools.find((t) => t.name === 'get_job_logs').description,
      method: 'GET',
      url: `${s.url}/api/claude/job-logs/{job_id}`,
      params: [
        param(m, 'job_id', 'string', { required: true, in: 'path' }),
        param(m, 'namespace', 'string', { default: 'team-a' }),
        param(m, 'task', 'string'),
        param(m, 'type', 'string', { enum: ['stdout', 'stderr'] }),
        // no default in the schema: left out, the answer is also kept within 4 KB (a client filling in 100 would lose that)
        param(m, 'lines', 'integer'),
        param(m, 'alloc_id', 'string'),
        param(m, 'grep', 'string'),
        param(m, 'all_allocations', 'boolean'),
      ],
    });
  });

  it('describes each field as the tool definitions do (one source)', () => {
    const logs = claudeTools.find((t) => t.name === 'get_job_logs').input_schema.properties;
    for (const p of endpoint('get_job_logs').params) expect({ name: p.name, d: p.description }).toEqual({ name: p.name, d: logs[p.name].description });
  });

  it('writes PUBLIC_URL as the base of every URL when it is set (behind a proxy)', async () => {
    const behindProxy = await startStack({ env: { PUBLIC_URL: 'https://nomad-mcp.example.com/' } });
    try {
      const r = (await behindProxy.api('GET', '/api/claude/tool-config')).json;
      expect(r.tools[0].api_endpoints.map((e: any) => e.url)).toEqual([
        'https://nomad-mcp.example.com/api/claude/list-jobs',
        'https://nomad-mcp.example.com/api/claude/jobs',
        'https://nomad-mcp.example.com/api/claude/create-job',
        'https://nomad-mcp.example.com/api/claude/job-logs/{job_id}',
      ]);
      expect(r.base_url).toBe('https://nomad-mcp.example.com');
    } finally {
      await behindProxy.close();
    }
  });
});
