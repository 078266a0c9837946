import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startStack, Stack } from './support/stack';

/**
 * One source of truth: the DTOs feed Swagger, the MCP input schemas and the Claude tool definitions.
 * This fails if any of the three drift apart, field by field.
 */
describe('Swagger, MCP tools and /api/claude/tools agree', () => {
  let s: Stack;
  let openapi: any;
  let mcpTools: any[];
  let claudeTools: any[];

  /** The DTO component with its $refs inlined, as a JSON Schema. */
  const component = (name: string): any => {
    const inline = (node: any): any => {
      if (Array.isArray(node)) return node.map(inline);
      if (!node || typeof node !== 'object') return node;
      if (node.$ref) return inline(openapi.components.schemas[node.$ref.split('/').pop()]);
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
    };
    return inline(openapi.components.schemas[name]);
  };

  beforeAll(async () => {
    s = await startStack();
    openapi = (await s.api('GET', '/api/docs-json')).json;
    claudeTools = (await s.api('GET', '/api/claude/tools')).json;
    const client = new Client({ name: 'drift', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
    mcpTools = (await client.listTools()).tools;
    await client.close();
  });
  afterAll(() => s.close());

  const toolInputs: Record<string, string> = {
    find_problems: 'FindProblemsQueryDto', list_jobs: 'ListJobsQueryDto', get_job_status: 'JobRefDto', get_job_spec: 'JobRefDto', list_job_versions: 'JobVersionsQueryDto', plan_job: 'PlanJobDto',
    start_job: 'JobChangeDto', stop_job: 'StopJobDto', restart_job: 'JobChangeDto', scale_job: 'ScaleJobDto', create_job: 'CreateJobDto',
    register_job: 'RegisterJobDto', revert_job: 'RevertJobDto', dispatch_job: 'DispatchJobDto',
    force_periodic_job: 'ForcePeriodicJobDto', get_job_logs: 'JobLogsRequestDto', follow_job_logs: 'FollowJobLogsDto',
    list_allocations: 'ListAllocationsQueryDto', get_allocation: 'AllocationRefDto', restart_allocation: 'RestartAllocationDto',
    signal_allocation: 'SignalAllocationDto', stop_allocation: 'StopAllocationDto', get_evaluation: 'EvaluationRefDto',
    list_deployments: 'ListDeploymentsQueryDto', get_deployment: 'DeploymentRefDto', promote_deployment: 'PromoteDeploymentDto',
    fail_deployment: 'DeploymentChangeDto', pause_deployment: 'DeploymentChangeDto', resume_deployment: 'DeploymentChangeDto',
    wait_for_deployment: 'WaitForDeploymentDto', wait_for_approval: 'WaitForApprovalDto', list_nodes: 'ListNodesQueryDto', get_node: 'NodeRefDto',
    set_node_eligibility: 'NodeEligibilityDto', drain_node: 'DrainNodeDto', list_namespaces: 'ListNamespacesQueryDto', check_connection: 'CheckConnectionQueryDto',
    list_audit_records: 'AuditQueryDto',
  };
  /** The change routes of allocations, deployments and nodes: the operation, and the path parameter its body leaves out. */
  const actionRoutes: Array<[string, string, string]> = [
    ['/api/claude/allocations/{alloc_id}/restart', 'restart_allocation', 'alloc_id'], ['/api/claude/allocations/{alloc_id}/signal', 'signal_allocation', 'alloc_id'],
    ['/api/claude/allocations/{alloc_id}/stop', 'stop_allocation', 'alloc_id'], ['/api/claude/deployments/{deployment_id}/promote', 'promote_deployment', 'deployment_id'],
    ['/api/claude/deployments/{deployment_id}/fail', 'fail_deployment', 'deployment_id'], ['/api/claude/deployments/{deployment_id}/pause', 'pause_deployment', 'deployment_id'],
    ['/api/claude/deployments/{deployment_id}/resume', 'resume_deployment', 'deployment_id'],
    ['/api/claude/nodes/{node_id}/eligibility', 'set_node_eligibility', 'node_id'], ['/api/claude/nodes/{node_id}/drain', 'drain_node', 'node_id'],
  ];

  it('offers the same tools, in the same order, with the same descriptions', () => {
    expect(claudeTools.map((t) => t.name)).toEqual(mcpTools.map((t) => t.name));
    expect(Object.keys(toolInputs)).toEqual(mcpTools.map((t) => t.name));
    for (const t of mcpTools) expect(claudeTools.find((c) => c.name === t.name).description).toBe(t.description);
  });

  it.each(Object.entries(toolInputs))('%s: MCP inputSchema == Claude input_schema == Swagger %s, field by field', (tool, model) => {
    const mcp = mcpTools.find((t) => t.name === tool).inputSchema;
    const claude = claudeTools.find((t) => t.name === tool).input_schema;
    const swagger = component(model);
    expect(claude).toEqual(mcp);
    expect(Object.keys(mcp.properties).sort()).toEqual(Object.keys(swagger.properties).sort());
    expect([...(mcp.required ?? [])].sort()).toEqual([...(swagger.required ?? [])].sort());
    for (const [field, schema] of Object.entries<any>(swagger.properties)) {
      const m = mcp.properties[field];
      expect({ field, description: m.description }).toEqual({ field, description: schema.description });
      for (const k of ['type', 'enum', 'pattern', 'minimum', 'maximum', 'default', 'maxLength', 'minLength']) {
        expect({ field, k, v: m[k] }).toEqual({ field, k, v: schema[k] });
      }
      if (schema.example !== undefined) expect(m.examples).toEqual([schema.example]);
      expect(typeof schema.description).toBe('string');
    }
    expect(mcp.additionalProperties).toBe(false);
  });

  it('types every field (no untyped "Object" schemas, enums are strings)', () => {
    expect(JSON.stringify(openapi)).not.toContain('#/components/schemas/Object');
    for (const t of mcpTools) {
      for (const [field, schema] of Object.entries<any>(t.inputSchema.properties)) {
        if (schema.enum) expect({ tool: t.name, field, type: schema.type }).toEqual({ tool: t.name, field, type: 'string' });
        expect({ tool: t.name, field, type: typeof schema.type }).toEqual({ tool: t.name, field, type: 'string' });
      }
    }
  });

  it('each tool\'s outputSchema is the response schema the REST endpoint documents', () => {
    const outputs: Record<string, string> = {
      list_jobs: 'ListJobsResult', get_job_status: 'JobStatusResult', get_job_spec: 'JobSpecResult', plan_job: 'PlanJobResult', register_job: 'RegisterJobResult',
      start_job: 'JobActionResult', stop_job: 'JobActionResult',
      restart_job: 'JobActionResult', scale_job: 'ScaleJobResult', create_job: 'CreateJobResult', list_job_versions: 'JobVersionsResult',
      revert_job: 'RevertJobResult', dispatch_job: 'DispatchJobResult', force_periodic_job: 'ForcePeriodicJobResult', get_job_logs: 'JobLogsResult',
      follow_job_logs: 'FollowJobLogsResult',
      list_allocations: 'ListAllocationsResult', get_allocation: 'AllocationResult', restart_allocation: 'AllocationActionResult',
      signal_allocation: 'AllocationActionResult', stop_allocation: 'AllocationActionResult', get_evaluation: 'EvaluationResult',
      list_deployments: 'ListDeploymentsResult', get_deployment: 'DeploymentResult', promote_deployment: 'DeploymentActionResult',
      fail_deployment: 'DeploymentActionResult', pause_deployment: 'DeploymentActionResult', resume_deployment: 'DeploymentActionResult',
      wait_for_deployment: 'WaitForDeploymentResult', wait_for_approval: 'WaitForApprovalResult', list_nodes: 'ListNodesResult', get_node: 'NodeResult', list_namespaces: 'ListNamespacesResult',
      find_problems: 'FindProblemsResult', check_connection: 'ConnectionResult', set_node_eligibility: 'NodeEligibilityResult', drain_node: 'DrainNodeResult',
    };
    const ok = (path: string, method: string) => openapi.paths[path][method].responses['200'].content['application/json'].schema;
    expect(ok('/api/claude/list-jobs', 'get').$ref).toMatch(/ListJobsResult$/);
    expect(ok('/api/claude/job-logs/{job_id}', 'get').$ref).toMatch(/JobLogsResult$/);
    expect(ok('/api/claude/jobs', 'post').oneOf.map((o: any) => o.$ref.split('/').pop())).toEqual(['JobStatusResult', 'JobActionResult']);
    // the resource routes answer their operation's result class
    const routes: Record<string, string> = {
      '/api/claude/jobs/{job_id}/allocations': 'list_allocations', '/api/claude/allocations/{alloc_id}': 'get_allocation',
      '/api/claude/evaluations/{eval_id}': 'get_evaluation', '/api/claude/jobs/{job_id}/deployments': 'list_deployments',
      '/api/claude/deployments/{deployment_id}': 'get_deployment', '/api/claude/nodes': 'list_nodes', '/api/claude/nodes/{node_id}': 'get_node',
      '/api/claude/namespaces': 'list_namespaces', '/api/claude/jobs/{job_id}/spec': 'get_job_spec',
      '/api/claude/problems': 'find_problems', '/api/claude/connection': 'check_connection',
    };
    for (const [path, tool] of Object.entries(routes)) expect({ path, $ref: ok(path, 'get').$ref }).toEqual({ path, $ref: `#/components/schemas/${outputs[tool]}` });
    for (const [path, tool] of actionRoutes) expect({ path, $ref: ok(path, 'post').$ref }).toEqual({ path, $ref: `#/components/schemas/${outputs[tool]}` });
    for (const [tool, model] of Object.entries(outputs)) {
      const out = mcpTools.find((t) => t.name === tool).outputSchema;
      expect({ tool, fields: Object.keys(out.properties).sort() }).toEqual({ tool, fields: Object.keys(component(model).properties).sort() });
      expect({ tool, required: [...out.required].sort() }).toEqual({ tool, required: [...component(model).required].sort() });
    }
  });

  it('the REST endpoints take exactly these DTOs', () => {
    const body = (path: string) => openapi.paths[path].post.requestBody.content['application/json'].schema.$ref.split('/').pop();
    expect(body('/api/claude/jobs')).toBe('ManageJobDto');
    expect(body('/api/claude/create-job')).toBe('CreateJobDto');
    expect(body('/api/claude/plan-job')).toBe('PlanJobDto');
    expect(body('/api/claude/register-job')).toBe('RegisterJobDto');
    const params = (path: string) => Object.fromEntries(openapi.paths[path].get.parameters.map((p: any) => [p.name, p]));
    const listParams = params('/api/claude/list-jobs');
    expect(Object.keys(listParams).sort()).toEqual(Object.keys(component('ListJobsQueryDto').properties).sort());
    expect(listParams.namespace.description).toBe(component('ListJobsQueryDto').properties.namespace.description);
    const logParams = params('/api/claude/job-logs/{job_id}');
    expect(Object.keys(logParams).sort()).toEqual(Object.keys(component('JobLogsRequestDto').properties).sort());
    expect(logParams.job_id.in).toBe('path');
    expect(logParams.lines.schema.maximum).toBe(component('JobLogsRequestDto').properties.lines.maximum);
    // a resource route takes its DTO's fields: the path parameter in the path, the others in the query
    const reads: Array<[string, string, string[]]> = [
      ['/api/claude/jobs/{job_id}/allocations', 'ListAllocationsQueryDto', ['job_id']], ['/api/claude/allocations/{alloc_id}', 'AllocationRefDto', ['alloc_id']],
      ['/api/claude/evaluations/{eval_id}', 'EvaluationRefDto', ['eval_id']], ['/api/claude/jobs/{job_id}/deployments', 'ListDeploymentsQueryDto', ['job_id']],
      ['/api/claude/deployments/{deployment_id}', 'DeploymentRefDto', ['deployment_id']], ['/api/claude/nodes', 'ListNodesQueryDto', []],
      ['/api/claude/nodes/{node_id}', 'NodeRefDto', ['node_id']], ['/api/claude/namespaces', 'ListNamespacesQueryDto', []],
      ['/api/claude/problems', 'FindProblemsQueryDto', []], ['/api/claude/connection', 'CheckConnectionQueryDto', []],
    ];
    for (const [path, model, inPath] of reads) {
      const p = params(path);
      expect({ path, params: Object.keys(p).sort() }).toEqual({ path, params: Object.keys(component(model).properties).sort() });
      for (const [name, param] of Object.entries<any>(p)) {
        expect({ path, name, in: param.in, description: param.description }).toEqual({ path, name, in: inPath.includes(name) ? 'path' : 'query', description: component(model).properties[name].description });
      }
    }
    // a change route takes its DTO's fields in the body, but the ID, which is in the path
    for (const [path, tool, inPath] of actionRoutes) {
      const op = openapi.paths[path].post;
      const body = component(op.requestBody.content['application/json'].schema.$ref.split('/').pop());
      const fields = Object.keys(component(toolInputs[tool]).properties).filter((f) => f !== inPath).sort();
      expect({ path, body: Object.keys(body.properties).sort(), params: op.parameters.map((p: any) => `${p.in}:${p.name}`) }).toEqual({ path, body: fields, params: [`path:${inPath}`] });
    }
    // the shared fields are described once: ManageJobDto, StopJobDto, CreateJobDto and the logs DTO reuse JobRefDto's
    const jobId = component('JobRefDto').properties.job_id;
    // validation rules reach the schemas a model sees
    expect(new RegExp(jobId.pattern).test('a b')).toBe(false);
    expect(new RegExp(jobId.pattern).test('parent/dispatch-1-ab')).toBe(true);
    expect(component('CreateJobDto').properties.memory).toMatchObject({ type: 'integer', minimum: 10, maximum: 1048576 });
    expect(component('JobLogsRequestDto').properties.lines.type).toBe('integer');
    expect(component('PortMappingDto').properties.To.type).toBe('integer');
    expect(component('CreateJobDto').properties.ports.description).not.toContain('\n');
    for (const m of ['ManageJobDto', 'StopJobDto', 'JobLogsRequestDto']) expect(component(m).properties.job_id).toEqual(jobId);
    // create-job's example names a job it may create (the demo's example-job would be refused with 409)
    expect(component('CreateJobDto').properties.job_id).toEqual({ ...jobId, example: 'test-nginx' });
    expect(component('StopJobDto').properties.purge).toEqual(component('ManageJobDto').properties.purge);
  });
});
