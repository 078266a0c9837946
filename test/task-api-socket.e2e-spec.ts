import { startSimulator } from '../apps/nomad-sim/src';
import { startStack } from './support/stack';
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
      expect(traffic).toContain('GET /v1/jobs?namespace=*');
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
});
