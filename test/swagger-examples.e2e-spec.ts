import { PendingChangeStore } from '../apps/nomad-mcp/src/audit/pending-changes.store';
import { Reply, waitFor } from './support/http';
import { Stack, startStack } from './support/stack';

type Schema = Record<string, any>;

/**
 * Swagger UI's "Try it out" sends the documented examples. Each one, read from the generated OpenAPI
 * document, must work on the demo data, and the document must describe the error answers and the key
 * schemes as they are.
 */
describe('the OpenAPI document: examples that work, errors and keys as they are', () => {
  let s: Stack;
  let doc: Schema;

  beforeAll(async () => {
    s = await startStack();
    await s.nomad('PUT', '/v1/jobs?namespace=development', {
      Job: { ID: 'swagger-alloc', Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'web', Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 50, MemoryMB: 32 } }] }] },
    });
    await waitFor('demo data settled', async () => {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
      return r.json.jobs.find((j: any) => j.id === 'example-job')?.allocations.running === 2;
    }, 20000);
    doc = (await s.api('GET', '/api/docs-json')).json;
    // the jobs dispatch_job's and force_periodic_job's examples name: a parameterized and a periodic job, which
    // the demo data does not hold (its job list is what other tests count)
    const batch = (id: string, extra: Record<string, unknown>) => ({
      ID: id, Type: 'batch', Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'run', Count: 1, Tasks: [{ Name: 'run', Driver: 'docker', Config: { image: 'busybox:1.36', command: 'true' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
      ...extra,
    });
    for (const job of [
      batch('invoice-run', { ParameterizedJob: { Payload: 'optional', MetaRequired: ['customer'] } }),
      batch('cleanup-cron', { Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron' } }),
    ]) expect((await s.nomad('PUT', '/v1/jobs?namespace=development', { Job: job })).status).toBe(200);
    const alloc = (await s.api('GET', '/api/claude/jobs/example-job/allocations')).json.allocations[0];
    live.alloc_id = alloc.id;
    live.eval_id = (await s.api('GET', `/api/claude/allocations/${alloc.id}`)).json.eval_id;
    live.deployment_id = (await s.api('GET', '/api/claude/jobs/example-job/deployments')).json.deployments[0].id;
    live.node_id = (await s.api('GET', '/api/claude/nodes')).json.nodes[0].id;
    // an approval id names a change that waited for a person (NOMAD_MCP_CONFIRM_BY=human): one, approved, as the page leaves it
    const pending = s.app.get(PendingChangeStore);
    const change = await pending.create({
      operation: 'stop_job', identity: 'local', transport: 'rest', namespace: 'development', job: 'example-job', arguments: { job_id: 'example-job' },
      args_digest: 'x', modify_index: 1, plan: { summary: "stop job 'example-job'", destructive: true, modify_index: 1 }, expiresAt: new Date(Date.now() + 600_000),
    });
    await pending.decide(change.id, 'approved', 'on-call', null, 600_000);
    live.approval_id = change.id;
    await stageActionTargets();
  });
  afterAll(() => s.close());

  /**
   * Path parameters naming objects Nomad creates with random IDs: no documented example can name one in every
   * run, so "Try it out" is sent with one of the demo's, as a person would copy it from list_allocations,
   * get_allocation, list_deployments or list_nodes (each one's documented example is checked to be a valid ID).
   */
  const live: Record<string, string> = {};
  /**
   * The change routes of allocations and deployments act on objects of their own, so that each example can be
   * sent twice and none changes what the next one acts on: a running allocation (restart, signal, then stop),
   * and rollouts whose canary waits for promotion (promote; fail; pause, then resume).
   */
  const liveFor: Record<string, Record<string, string>> = {};

  async function stageActionTargets(): Promise<void> {
    const spec = (id: string, version: string) => ({
      Job: {
        ID: id, Type: 'service', Datacenters: ['dc1'],
        TaskGroups: [{ Name: 'web', Count: 1, Update: { MaxParallel: 1, Canary: 1, AutoRevert: true }, Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: { VERSION: version }, Resources: { CPU: 50, MemoryMB: 32 } }] }],
      },
    });
    const deployment = async (id: string) => (await s.nomad('GET', `/v1/job/${id}/deployment?namespace=development`)).json;
    const waitingCanary = async (id: string) => {
      await s.nomad('PUT', '/v1/jobs?namespace=development', spec(id, '0'));
      await waitFor(`${id} deployed`, async () => (await deployment(id))?.Status === 'successful', 20000);
      await s.nomad('PUT', '/v1/jobs?namespace=development', spec(id, '1'));
      return waitFor(`${id} canary healthy`, async () => {
        const d = await deployment(id);
        const canary = d?.JobVersion === 1 ? d.TaskGroups.web.PlacedCanaries?.[0] : undefined;
        return canary && (await s.nomad('GET', `/v1/allocation/${canary}`)).json.DeploymentStatus?.Healthy === true ? d.ID as string : undefined;
      }, 20000);
    };
    const alloc = await waitFor('swagger-alloc running', async () => {
      const all = (await s.nomad('GET', '/v1/job/swagger-alloc/allocations?namespace=development')).json;
      return all?.find((a: any) => a.ClientStatus === 'running')?.ID as string | undefined;
    }, 20000, 50);
    for (const action of ['restart', 'signal', 'stop']) liveFor[`/api/claude/allocations/{alloc_id}/${action}`] = { alloc_id: alloc };
    liveFor['/api/claude/deployments/{deployment_id}/promote'] = { deployment_id: await waitingCanary('swagger-promote') };
    liveFor['/api/claude/deployments/{deployment_id}/fail'] = { deployment_id: await waitingCanary('swagger-fail') };
    const paused = await waitingCanary('swagger-pause');
    for (const action of ['pause', 'resume']) liveFor[`/api/claude/deployments/{deployment_id}/${action}`] = { deployment_id: paused };
  }

  const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop()]) : schema);

  /** What Swagger UI fills a body in with: example, else default, else the first enum value, else a placeholder. */
  const sample = (schema: Schema): unknown => {
    const s0 = resolve(schema);
    if (s0.example !== undefined) return s0.example;
    if (s0.default !== undefined) return s0.default;
    if (s0.enum) return s0.enum[0];
    if (s0.allOf) return sample(s0.allOf[0]);
    switch (s0.type) {
      case 'array': return [sample(s0.items ?? {})];
      case 'integer': case 'number': return 0;
      case 'boolean': return true;
      case 'string': return 'string';
      default: return Object.fromEntries(Object.entries<Schema>(s0.properties ?? {}).map(([k, v]) => [k, sample(v)]));
    }
  };

  /** Every request "Try it out" can send from the documented examples of one operation. */
  const exampleRequests = (path: string, op: Schema): Array<{ url: string; body?: unknown }> => {
    const params: Schema[] = op.parameters ?? [];
    const documented = (p: Schema) => p.example ?? p.schema?.example ?? (p.required ? sample(p.schema ?? {}) : undefined);
    const value = (p: Schema) => {
      const own = liveFor[path]?.[p.name] ?? live[p.name];
      if (p.in !== 'path' || own === undefined) return documented(p);
      expect({ param: p.name, example: new RegExp(p.schema.pattern).test(documented(p)) }).toEqual({ param: p.name, example: true });
      return own;
    };
    let url = path;
    const query = new URLSearchParams();
    for (const p of params) {
      const v = value(p);
      if (v === undefined) continue;
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
      else query.set(p.name, String(v));
    }
    if (query.size) url += `?${query}`;
    const media = op.requestBody?.content?.['application/json'];
    if (!media) return [{ url }];
    const bodies = media.examples ? Object.values<Schema>(media.examples).map((e) => e.value) : [media.example ?? sample(media.schema)];
    return bodies.map((body) => ({ url, body }));
  };

  const claudeOperations = (): Array<[string, string, Schema]> =>
    Object.entries<Schema>(doc.paths)
      .filter(([path]) => path.startsWith('/api/claude/'))
      .flatMap(([path, item]) => Object.entries<Schema>(item).map(([method, op]): [string, string, Schema] => [method, path, op]));

  it('every documented example of every /api/claude operation answers 2xx on the demo data, twice', async () => {
    const answers: Record<string, Reply> = {};
    // reads first, on the demo data as seeded, then the changes: run in between, the changes' examples (stop,
    // a revert to the stopped version) leave the reads nothing running to show, depending on timing
    const ops = claudeOperations().sort(([a], [b]) => Number(a !== 'get') - Number(b !== 'get'));
    expect(ops.map(([m, p]) => `${m} ${p}`)).toEqual(expect.arrayContaining(['get /api/claude/list-jobs', 'post /api/claude/jobs', 'post /api/claude/create-job', 'get /api/claude/job-logs/{job_id}']));
    for (const [method, path, op] of ops) {
      for (const req of exampleRequests(path, op)) {
        for (const attempt of [1, 2]) {
          // a restart right after a start/stop meets the deployment that start/stop began: the answer says to
          // wait for it, which is what a person trying the examples would do
          const r = await waitFor('no deployment in progress', async () => {
            const x = await s.api(method.toUpperCase(), req.url, req.body);
            return x.status === 409 && /deployment in progress/.test(x.text) ? undefined : x;
          }, 15000);
          if (r.status < 200 || r.status > 299) throw new Error(`example ${method.toUpperCase()} ${req.url} ${JSON.stringify(req.body) ?? ''} (try ${attempt}) answered ${r.status}: ${r.text}`);
          answers[`${method} ${path}`] = r;
        }
      }
    }
    // 2xx alone would pass on an example that finds nothing: the examples show the demo data
    expect(answers['get /api/claude/problems'].json.total).toBeGreaterThan(0);
    expect(answers['get /api/claude/connection'].json).toMatchObject({ ok: true, namespace_exists: true });
    expect(answers['post /api/claude/nodes/{node_id}/eligibility'].json.eligibility).toBe('ineligible');
    expect(answers['post /api/claude/nodes/{node_id}/drain'].json).toMatchObject({ drain: true, eligibility: 'ineligible' });
    expect(answers['get /api/claude/list-jobs'].json.count).toBeGreaterThan(0);
    expect(answers['get /api/claude/job-logs/{job_id}'].json.stdout.lines.length).toBeGreaterThan(0);
    expect(answers['post /api/claude/create-job'].json).toMatchObject({ created: false });
    expect(answers['get /api/claude/jobs/{job_id}/allocations'].json.total).toBeGreaterThan(0);
    expect(answers['get /api/claude/allocations/{alloc_id}'].json.tasks.length).toBeGreaterThan(0);
    expect(answers['get /api/claude/evaluations/{eval_id}'].json.placed_allocations).toBeGreaterThan(0);
    expect(answers['get /api/claude/deployments/{deployment_id}'].json.groups.length).toBeGreaterThan(0);
    expect(answers['get /api/claude/nodes/{node_id}'].json.running_allocations).toBeGreaterThan(0);
    expect(answers['get /api/claude/namespaces'].json.count).toBeGreaterThan(0);
    // the second try of the dispatch example repeats its idempotency_token: the same child answers
    expect(answers['post /api/claude/jobs/{job_id}/dispatch'].json).toMatchObject({ dispatched_job_id: expect.stringMatching(/^invoice-run\/dispatch-/), already_dispatched: true });
    expect(answers['post /api/claude/jobs/{job_id}/periodic/force'].json.child_job_id).toMatch(/^cleanup-cron\/periodic-\d+$/);
    expect(answers['post /api/claude/allocations/{alloc_id}/signal'].json).toMatchObject({ signal: 'SIGHUP', tasks: ['nginx'] });
    expect(answers['post /api/claude/deployments/{deployment_id}/promote'].json.promoted_groups).toEqual(['web']);
    expect(answers['post /api/claude/deployments/{deployment_id}/fail'].json.status).toBe('failed');
    expect(answers['post /api/claude/deployments/{deployment_id}/resume'].json.status).toBe('running');
  });

  it('documents the error answers of every /api/claude operation with their body schema', () => {
    const error = doc.components.schemas.ErrorResponse;
    expect(error.required).toEqual(['statusCode', 'error', 'message']);
    expect(Object.keys(error.properties)).toEqual(expect.arrayContaining(['statusCode', 'error', 'message', 'errors']));
    expect(error.properties.errors.items.properties).toMatchObject({ field: { type: 'string' }, reasons: { type: 'array' } });
    const byOp = Object.fromEntries(claudeOperations().map(([m, p, op]) => [`${m} ${p}`, op.responses]));
    // every operation route takes input (path, query or body); the two tool-definition routes take none
    const withoutInput = ['get /api/claude/tools', 'get /api/claude/tool-config'];
    for (const [op, responses] of Object.entries<Schema>(byOp)) {
      const expected = !withoutInput.includes(op)
        ? ['400', '401', '403', '404', '429', '502', '503', '504', ...(op.startsWith('post') ? ['409', '413'] : [])]
        : ['401', '403', '429'];
      for (const status of expected) {
        expect({ op, status, description: typeof responses[status]?.description, schema: responses[status]?.content?.['application/json']?.schema })
          .toEqual({ op, status, description: 'string', schema: { $ref: '#/components/schemas/ErrorResponse' } });
      }
      expect({ op, codes: Object.keys(responses).filter((c) => c >= '400').sort() }).toEqual({ op, codes: [...expected].sort() });
    }
  });

  it('real error answers have the documented shape', async () => {
    const props = Object.keys(doc.components.schemas.ErrorResponse.properties);
    const answers = [
      await s.api('GET', '/api/claude/list-jobs?status=exploded'),
      await s.api('POST', '/api/claude/jobs', { job_id: 'no-such-job', action: 'status' }),
      await s.api('POST', '/api/claude/create-job', { job_id: 'example-job', docker_image: 'nginx:1.27' }),
      await s.api('POST', '/api/claude/create-job', { job_id: 'nowhere', docker_image: 'nginx:1.27', namespace: 'no-such-namespace' }),
    ];
    // the last: Nomad's 500 for a nonexistent namespace, answered as a 404 that names the namespace
    expect(answers.map((a) => a.status)).toEqual([400, 404, 409, 404]);
    for (const a of answers) {
      expect(a.json).toEqual(expect.objectContaining({ statusCode: a.status, error: expect.any(String), message: expect.any(String) }));
      expect(props).toEqual(expect.arrayContaining(Object.keys(a.json)));
    }
  });

  it('describes the bearer scheme as the API key, not a JWT', () => {
    const { bearer, 'api-key': apiKey } = doc.components.securitySchemes;
    expect(apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(bearer.bearerFormat).toBeUndefined();
    expect(bearer.description).toMatch(/API key/);
    expect(JSON.stringify(doc)).not.toMatch(/JWT"/);
  });
});
