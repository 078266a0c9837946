import { startSimulator } from '../apps/nomad-sim/src';
import { NomadStartupCheck } from '../apps/nomad-mcp/src/health/nomad-startup.check';
import { call, waitFor } from './support/http';
import { FAST, startStack } from './support/stack';
import { startTaskApiSocket } from './support/task-api-socket';

/**
 * NOMAD_ADDR=unix://…/api.sock: the service inside a Nomad task reaches Nomad through the Task API socket,
 * as Nomad's docs want workloads to (deploy/nomad-mcp.nomad.hcl sets it so).
 */
describe('NOMAD_ADDR as the Task API socket (unix://)', () => {
  it('calls Nomad through the socket: health, reads and the traffic all go there', async () => {
    const traffic: string[] = [];
    const sim = await startSimulator({ port: 0, seed: true, onRequest: (r) => traffic.push(`${r.method} ${r.url}`) });
    const socket = await startTaskApiSocket(sim.url);
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: socket.address, DEFAULT_NAMESPACE: 'default' } });
    try {
      const health = await s.api('GET', '/health');
      expect({ status: health.status, nomad: health.json.info.nomad }).toEqual({ status: 200, nomad: { status: 'up', address: socket.address, leader: expect.any(String) } });
      const jobs = await s.api('GET', '/api/claude/list-jobs?namespace=*');
      expect(jobs.status).toBe(200);
      expect(jobs.json.jobs.length).toBeGreaterThan(0);
      expect(traffic).toContain('GET /v1/jobs?namespace=*&per_page=10');
    } finally {
      await s.close();
      await socket.close();
      await sim.close();
    }
  });

  it('says what a missing socket means: the address works inside a Nomad task only', async () => {
    const socket = await startTaskApiSocket('http://127.0.0.1:9');
    await socket.close(); // the path is gone: as outside a Nomad task
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: socket.address } });
    try {
      const health = await s.api('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.json.details.nomad).toMatchObject({ status: 'down', reason: 'unreachable', address: socket.address });
      expect(health.json.details.nomad.message).toBe(
        `Nomad at ${socket.address} is unreachable (ENOENT): no socket at that path: a unix:// NOMAD_ADDR works inside a Nomad task, at \${NOMAD_SECRETS_DIR}/api.sock (the Task API); check the path.`,
      );
      const call = await s.api('GET', '/api/claude/list-jobs');
      expect(call.status).toBe(503);
      expect(call.json.message).toContain(`Nomad is unreachable at ${socket.address} (ENOENT)`);
    } finally {
      await s.close();
    }
  });

  it("runs as a Nomad job's workload identity: healthy, allowed what the policy attached to the job grants, refused when forged", async () => {
    const mgmt = 'task-api-management-secret';
    const sim = await startSimulator({ port: 0, seed: true, timings: FAST, acl: true, bootstrapToken: mgmt });
    const nomad = (method: string, path: string, body?: unknown) => call(sim.url, method, path, { body, headers: { 'X-Nomad-Token': mgmt } });
    const socket = await startTaskApiSocket(sim.url);
    try {
      // the service's own job: its allocations, and a policy attached to it (`nomad acl policy apply -job hello-world`)
      const policy = await nomad('PUT', '/v1/acl/policy/hello-reads', { Name: 'hello-reads', Rules: 'namespace "*" { capabilities = ["list-jobs", "read-job"] }', JobACL: { Namespace: 'default', JobID: 'hello-world' } });
      expect(policy.status).toBe(200);
      const alloc = await waitFor('an allocation of hello-world', async () => (await nomad('GET', '/v1/job/hello-world/allocations')).json?.[0]);
      const identity = sim.workloadIdentity(alloc.ID);
      const s = await startStack({ sim: false, env: { NOMAD_ADDR: socket.address, NOMAD_TOKEN: identity, DEFAULT_NAMESPACE: 'development' } });
      try {
        const health = await s.api('GET', '/health');
        expect({ status: health.status, nomad: health.json.info?.nomad?.status }).toEqual({ status: 200, nomad: 'up' });
        expect(await s.app.get(NomadStartupCheck).run()).toEqual([
          { level: 'log', message: expect.stringMatching(/^NOMAD_TOKEN is the workload identity of job 'hello-world' in namespace 'default' \(a Nomad task's identity block\): Nomad allows what the ACL policies attached to that job grant \(nomad acl policy apply -namespace default -job hello-world …\)/) },
          { level: 'log', message: expect.stringMatching(/is ready/) },
        ]);
        const jobs = await s.api('GET', '/api/claude/list-jobs?namespace=*');
        expect(jobs.status).toBe(200);
        expect(jobs.json.jobs.map((j: { id: string }) => j.id)).toEqual(expect.arrayContaining(['hello-world', 'example-job']));
        // what the attached policy does not grant, Nomad refuses: the answer names the capability
        const stop = await s.api('POST', '/api/claude/jobs/hello-world/stop', { namespace: 'default' });
        expect(stop.json).toMatchObject({ nomad_status: 403, nomad_capability: 'submit-job' });
        expect(stop.text).not.toContain(identity);

      } finally {
        await s.close();
      }
      // an identity the cluster did not sign (its claims changed): Nomad refuses it, /health says so
      const [head, , signature] = identity.split('.');
      const claims = JSON.parse(Buffer.from(identity.split('.')[1], 'base64url').toString());
      const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, nomad_job_id: 'example-job' })).toString('base64url')}.${signature}`;
      const f = await startStack({ sim: false, env: { NOMAD_ADDR: socket.address, NOMAD_TOKEN: forged } });
      try {
        const refused = await f.api('GET', '/health');
        expect(refused.status).toBe(503);
        expect(refused.json.details.nomad).toMatchObject({ status: 'down', reason: 'token-refused' });
        expect(refused.text).not.toContain(forged);
      } finally {
        await f.close();
      }
    } finally {
      await socket.close();
      await sim.close();
    }
  });
});
