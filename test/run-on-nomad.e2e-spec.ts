import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator, RunningSimulator } from '../apps/nomad-sim/src';
import { loadConfig } from '../apps/nomad-mcp/src/config';
import { call, Reply, waitFor } from './support/http';
import { FAST } from './support/stack';

const ROOT = resolve(__dirname, '..');
const JOBSPEC = readFileSync(join(ROOT, 'deploy/nomad-mcp.nomad.hcl'), 'utf8');
const MGMT = 'run-on-nomad-management-secret';

/**
 * deploy/nomad-mcp.nomad.hcl as Nomad takes it: through the simulator's jobspec parser (HashiCorp's HCL2
 * parser, Nomad's mapping), plan and register, and the rollout its update block asks for. How the service
 * then runs as that job (Task API socket, workload identity, the policy file) is in nomad-policy.e2e-spec.ts.
 */
describe('deploy/nomad-mcp.nomad.hcl on Nomad', () => {
  let sim: RunningSimulator;
  const nomad = (method: string, path: string, body?: unknown): Promise<Reply> => call(sim.url, method, path, { body, headers: { 'X-Nomad-Token': MGMT } });
  const parse = async (variables?: string) => {
    const r = await nomad('POST', '/v1/jobs/parse', { JobHCL: JOBSPEC, Canonicalize: true, ...(variables ? { Variables: variables } : {}) });
    expect({ status: r.status, error: r.status === 200 ? '' : r.text }).toEqual({ status: 200, error: '' });
    return r.json;
  };

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, nodes: 2, timings: FAST, acl: true, bootstrapToken: MGMT });
  });
  afterAll(() => sim.close());

  it('parses into the job README describes: two replicas, checks on /health/live and /health/ready, one canary with auto-revert', async () => {
    const job = await parse();
    expect({ id: job.ID, namespace: job.Namespace, type: job.Type, groups: job.TaskGroups.length }).toEqual({ id: 'nomad-mcp', namespace: 'default', type: 'service', groups: 1 });
    const group = job.TaskGroups[0];
    expect(group.Count).toBe(2);
    expect(group.Update).toMatchObject({ MaxParallel: 1, Canary: 1, AutoPromote: false, AutoRevert: true, HealthCheck: 'checks' });
    expect(group.Networks[0].DynamicPorts).toEqual([expect.objectContaining({ Label: 'http', To: 8000 })]);
    expect(group.Services).toHaveLength(1);
    const service = group.Services[0];
    expect(service).toMatchObject({ Name: 'nomad-mcp', PortLabel: 'http', Provider: 'nomad' });
    expect(service.Checks.map((c: any) => ({ name: c.Name, type: c.Type, path: c.Path, restarts: c.CheckRestart?.Limit ?? 0 }))).toEqual([
      { name: 'alive', type: 'http', path: '/health/live', restarts: 3 },
      { name: 'ready', type: 'http', path: '/health/ready', restarts: 0 },
    ]);

    const task = group.Tasks[0];
    expect({ driver: task.Driver, config: task.Config }).toEqual({ driver: 'docker', config: { image: 'nomad-mcp:0.1.0', ports: ['http'] } });
    // the default workload identity, as NOMAD_TOKEN, and the Task API socket as NOMAD_ADDR
    expect(task.Identity).toMatchObject({ Env: true });
    expect(task.Env.NOMAD_ADDR).toBe('unix://${NOMAD_SECRETS_DIR}/api.sock');
    // both templates read the variable the job's identity may read without a policy: nomad/jobs/<job ID>
    const reads = task.Templates.map((t: any) => /nomadVar "([^"]+)"/.exec(t.EmbeddedTmpl)?.[1]);
    expect(reads).toEqual([`nomad/jobs/${job.ID}`, `nomad/jobs/${job.ID}`]);
    const [envTemplate, identities] = task.Templates;
    expect(envTemplate).toMatchObject({ Envvars: true, ErrMissingKey: true, ChangeMode: 'restart' });
    expect(settingsIn(envTemplate.EmbeddedTmpl)).toEqual(['DATABASE_URL', 'NOMAD_MCP_CONFIRM_SECRET']);
    // the identities file is written where API_KEYS_FILE points, and re-read by the service (no restart)
    expect(identities).toMatchObject({ Envvars: false, ErrMissingKey: true, ChangeMode: 'noop' });
    expect(task.Env.API_KEYS_FILE).toBe(`\${NOMAD_SECRETS_DIR}/${identities.DestPath.replace(/^secrets\//, '')}`);
    expect(task.Resources).toMatchObject({ CPU: 200, MemoryMB: 256 });

    // the image is a variable: `nomad job run -var image=…`
    expect((await parse('image = "registry.example.com/nomad-mcp:0.2.0"')).TaskGroups[0].Tasks[0].Config.image).toBe('registry.example.com/nomad-mcp:0.2.0');
  });

  it('sets only settings the service documents, with values it accepts once Nomad has filled them in', async () => {
    const task = (await parse()).TaskGroups[0].Tasks[0];
    const templated = settingsIn(task.Templates[0].EmbeddedTmpl);
    const documented = documentedSettings();
    for (const name of [...Object.keys(task.Env), ...templated]) expect({ name, documented: documented.has(name) }).toEqual({ name, documented: true });

    // what the task sees: ${NOMAD_SECRETS_DIR} filled in, the templates rendered from the variable
    const secrets = mkdtempSync(join(tmpdir(), 'nomad-mcp-secrets-'));
    try {
      writeFileSync(join(secrets, 'identities.yaml'), 'identities:\n  - name: ops\n    key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n    scopes: [read]\n');
      const rendered: Record<string, string> = { DATABASE_URL: 'postgres://nomad_mcp:pw@db.service.consul:5432/nomad_mcp', NOMAD_MCP_CONFIRM_SECRET: 'x'.repeat(48) };
      const env = Object.fromEntries(Object.entries(task.Env as Record<string, string>).map(([k, v]) => [k, v.split('${NOMAD_SECRETS_DIR}').join(secrets)]));
      const config = loadConfig({ ...env, ...rendered });
      expect(config).toMatchObject({ nomadAddr: `unix://${secrets}/api.sock`, host: '0.0.0.0', port: 8000 });
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
  });

  it('plans clean, runs two replicas, and rolls a new image out as one canary that waits for a person to promote it', async () => {
    const job = await parse();
    const plan = await nomad('PUT', `/v1/job/${job.ID}/plan`, { Job: job, Diff: true });
    expect(plan.status).toBe(200);
    expect({ failed: plan.json.FailedTGAllocs, warnings: plan.json.Warnings, diff: plan.json.Diff?.Type }).toEqual({ failed: null, warnings: '', diff: 'Added' });
    expect(plan.json.Annotations.DesiredTGUpdates['nomad-mcp']).toMatchObject({ Place: 2, Canary: 0 });

    expect((await nomad('PUT', '/v1/jobs', { Job: job })).status).toBe(200);
    const running = () => nomad('GET', `/v1/job/${job.ID}/allocations`).then((r) => r.json.filter((a: any) => a.ClientStatus === 'running'));
    await waitFor('two running replicas', async () => (await running()).length === 2);
    await waitFor('the first deployment to succeed', async () => (await nomad('GET', `/v1/job/${job.ID}/deployment`)).json?.Status === 'successful');

    const next = await parse('image = "nomad-mcp:0.2.0"');
    const update = await nomad('PUT', `/v1/job/${job.ID}/plan`, { Job: next, Diff: true });
    expect({ failed: update.json.FailedTGAllocs, diff: update.json.Diff?.Type }).toEqual({ failed: null, diff: 'Edited' });
    expect((await nomad('PUT', '/v1/jobs', { Job: next })).status).toBe(200);
    const rollout = await waitFor('a healthy canary', async () => {
      const d = (await nomad('GET', `/v1/job/${job.ID}/deployment`)).json;
      return d?.JobVersion === 1 && d.TaskGroups['nomad-mcp'].HealthyAllocs === 1 ? d : undefined;
    });
    expect(rollout.Status).toBe('running');
    expect(rollout.TaskGroups['nomad-mcp']).toMatchObject({ DesiredCanaries: 1, PlacedCanaries: [expect.any(String)], Promoted: false, AutoRevert: true, AutoPromote: false });
    // the two replicas of the old version keep serving until the canary is promoted
    expect((await running()).filter((a: any) => a.JobVersion === 0)).toHaveLength(2);
  });
});

/** The settings an env template sets (`NAME={{ … }}` lines). */
function settingsIn(template: string): string[] {
  return [...template.matchAll(/^\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
}

/** Every setting named in README's settings table (first column, in backticks). */
function documentedSettings(): Set<string> {
  const rows = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').filter((l) => l.startsWith('| `'));
  return new Set(rows.flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1])));
}
