import { Principal } from '@nomad-mcp/auth';
import { AuditStore } from '../../audit/audit.store';
import { PendingChangeStore } from '../../audit/pending-changes.store';
import { sqliteDatabase, TestDatabase } from '../../audit/testing/audit-test-databases';
import { AppConfig } from '../../config/env.schema';
import { ConfirmationGate, ConfirmationNeeded } from './confirmation.gate';
import { ApprovalNeeded, approvalUrl } from './human-approval';
import { CallFacts, ChangePlan, OperationContext, OperationDefinition, OperationHandler } from './operation';

const def: OperationDefinition = {
  name: 'stop_job', title: 'Stop job', description: '', input: Object as never, output: Object as never,
  annotations: { readOnly: false, destructive: true, idempotent: true }, permission: 'operate', order: 1, rest: { method: 'POST', path: 'x' },
};
const alice: Principal = { name: 'alice', kind: 'api-key', permissions: ['operate'] };
const bob: Principal = { name: 'bob', kind: 'api-key', permissions: ['operate'] };

/** NOMAD_MCP_CONFIRM_BY=human through the gate, on a real (SQLite) pending changes table. */
describe('ConfirmationGate with NOMAD_MCP_CONFIRM_BY=human', () => {
  let db: TestDatabase;
  let audit: AuditStore;
  let pending: PendingChangeStore;
  let gate: ConfirmationGate;
  let index = 7;
  const handler: OperationHandler = {
    run: async () => ({ message: 'done' }),
    plan: async (): Promise<ChangePlan> => ({ summary: 'stop job web: 2 allocations stop.', destructive: true, modify_index: index }),
  };
  const facts: CallFacts = {};
  const ctx = (principal: Principal) => ({ principal, transport: 'mcp', note: (f: CallFacts) => Object.assign(facts, f) }) as unknown as OperationContext;
  const admit = (principal: Principal, input: object) => gate.admit(def, handler, ctx(principal), input);
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e) => e);

  beforeAll(async () => {
    db = sqliteDatabase();
    audit = new AuditStore(db.options);
    pending = new PendingChangeStore(audit);
    gate = new ConfirmationGate({ auth: { readOnly: false, confirmTtlSeconds: 60, confirmBy: 'human', approvalTtlSeconds: 600 }, http: { publicUrl: 'https://mcp.example.com/' } } as AppConfig, audit, pending);
  });
  afterAll(async () => {
    await audit.close();
    await db.drop();
  });

  it('a held change answers 428 with an approval id and the page under PUBLIC_URL; no confirm token is issued', async () => {
    const err = await failure(admit(alice, { job_id: 'web', namespace: 'default' }));
    expect(err).toBeInstanceOf(ApprovalNeeded);
    expect(err).not.toBeInstanceOf(ConfirmationNeeded);
    const id = err.body.approval.approval_id;
    expect(err.body).toMatchObject({ statusCode: 428, approval: { url: `https://mcp.example.com/ui/approvals/${id}`, status: 'pending' } });
    expect(err.body.confirmation).toBeUndefined();
    expect((await pending.get(id))!).toMatchObject({ identity: 'alice', transport: 'mcp', job: 'web', namespace: 'default', modify_index: 7 });
  });

  it('applies once for the caller that asked, with the same arguments, and notes who approved', async () => {
    const input = { job_id: 'web', namespace: 'default' };
    const id = (await failure(admit(alice, input))).body.approval.approval_id;
    expect((await failure(admit(alice, { ...input, confirm_token: id }))).body.message).toMatch(/still waiting for a person's approval/);
    expect(await pending.decide(id, 'approved', 'on-call', null, 60_000)).toBe(true);
    expect((await failure(admit(bob, { ...input, confirm_token: id }))).body.statusCode).toBe(403);
    expect((await failure(admit(alice, { job_id: 'api', namespace: 'default', confirm_token: id }))).body.statusCode).toBe(428);
    await expect(admit(alice, { ...input, confirm_token: id })).resolves.toBeUndefined();
    expect(facts.approval).toEqual({ approval_id: id, approved_by: 'on-call' });
    expect((await failure(admit(alice, { ...input, confirm_token: id }))).body.statusCode).toBe(409);
  });

  it('refuses a job that changed since the approval (409, a fresh pending change), a denied change (403) and a caller\'s own token (403)', async () => {
    const input = { job_id: 'db', namespace: 'default' };
    const id = (await failure(admit(alice, input))).body.approval.approval_id;
    await pending.decide(id, 'approved', 'on-call', null, 60_000);
    index = 8;
    const stale = await failure(admit(alice, { ...input, confirm_token: id }));
    expect(stale.body.statusCode).toBe(409);
    expect(stale.body.approval.approval_id).not.toBe(id);
    const denied = stale.body.approval.approval_id;
    await pending.decide(denied, 'denied', 'on-call', 'no', 60_000);
    const no = await failure(admit(alice, { ...input, confirm_token: denied }));
    expect({ status: no.body.statusCode, message: no.body.message }).toEqual({ status: 403, message: `on-call denied stop_job (approval ${denied}): "no". Nothing was changed.` });
    expect((await failure(admit(alice, { ...input, confirm_token: 'v1.abc.def' }))).body.statusCode).toBe(403);
  });

  it('the approval page is a path on the service when PUBLIC_URL is not set', () => {
    expect(approvalUrl(undefined, 'approval-1')).toBe('/ui/approvals/approval-1');
  });
});
