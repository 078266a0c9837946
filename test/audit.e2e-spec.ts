import Database from 'better-sqlite3';
import { AuditStore } from '../apps/nomad-mcp/src/audit/audit.store';
import { startStack, Stack } from './support/stack';

const KEY = 'audit-test-key-1';

/** Every change leaves a record before its answer leaves; reads only when asked; secrets never in the trail. */
describe('the audit trail of the running service', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: KEY }, apiKey: KEY });
  });
  afterAll(() => s.close());

  it('records a change with who, what, the evaluation and redacted secrets; reads are not recorded by default', async () => {
    const secret = 'hunter2-AUDIT-SECRET';
    const create = await s.api('POST', '/api/claude/create-job', { job_id: 'audited', docker_image: 'nginx:1.27', env_vars: { DB_PASSWORD: secret, MODE: 'x' } });
    expect(create.status).toBe(201);
    await s.api('GET', '/api/claude/list-jobs');
    const failed = await s.api('POST', '/api/claude/jobs', { job_id: 'no-such-job', action: 'stop' });
    expect(failed.status).toBe(404);
    const page = await s.api('GET', '/api/audit?limit=10');
    expect(page.status).toBe(200);
    expect(page.json.records.map((r: any) => r.operation)).toEqual(['stop_job', 'create_job']);
    const [stop, rec] = page.json.records;
    expect(stop).toMatchObject({ outcome: 'error', status: 404, job: 'no-such-job', error: "job 'no-such-job' not found in namespace 'development'" });
    expect(rec).toMatchObject({
      identity: expect.stringMatching(/^key-[0-9a-f]{8}$/), transport: 'rest', operation: 'create_job', namespace: 'development',
      job: 'audited', outcome: 'ok', status: 201, eval_id: create.json.eval_id,
    });
    expect(rec.arguments.env_vars).toEqual({ DB_PASSWORD: '[redacted]', MODE: '[redacted]' });
    expect(page.text).not.toContain(secret);
    expect(page.text).not.toContain(KEY);
    const filtered = await s.api('GET', '/api/audit?operation=create_job&job=audited');
    expect(filtered.json.records).toHaveLength(1);
  });

  it('a change that cannot be recorded is answered 503, not as done', async () => {
    expect(s.app.get(AuditStore)).toBeDefined();
    // break the trail under the running service: its table disappears
    const db = new Database(s.auditPath);
    db.exec('DROP TABLE audit_records');
    db.close();
    const r = await s.api('POST', '/api/claude/create-job', { job_id: 'unrecorded', docker_image: 'nginx:1.27' });
    expect(r.status).toBe(503);
    expect(r.json.message).toMatch(/^create_job ran but could not be recorded in the audit trail \(evaluation [0-9a-f-]{36}\)/);
    expect(r.json.next_step).toMatch(/^Do not retry the change/);
  });
});
