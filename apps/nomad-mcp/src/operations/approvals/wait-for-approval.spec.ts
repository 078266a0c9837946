import { Principal } from '@nomad-mcp/auth';
import { AuditStore } from '../../audit/audit.store';
import { NewPendingChange, PendingChangeStore } from '../../audit/pending-changes.store';
import { sqliteDatabase, TestDatabase } from '../../audit/testing/audit-test-databases';
import { AppConfig } from '../../config/env.schema';
import { OperationContext } from '../core/operation';
import { WaitForApprovalOp } from './wait-for-approval.op';

const change = (over: Partial<NewPendingChange> = {}): NewPendingChange => ({
  operation: 'restart_job', identity: 'ci-bot', transport: 'mcp', namespace: 'default', job: 'web', arguments: { job_id: 'web' },
  args_digest: `d-${Math.random()}`, modify_index: 3, plan: { summary: 'restart web', destructive: true, modify_index: 3 },
  expiresAt: new Date(Date.now() + 60_000), ...over,
});

/** wait_for_approval's answers for each state a change can be in, on a real (SQLite) table. */
describe('wait_for_approval', () => {
  let db: TestDatabase;
  let audit: AuditStore;
  let pending: PendingChangeStore;
  let op: WaitForApprovalOp;
  const progress: string[] = [];
  const ctx = (name: string, permissions: string[] = ['read', 'operate']) =>
    ({ principal: { name, kind: 'api-key', permissions } as Principal, namespace: (n?: string) => n, progress: (m: string) => progress.push(m) }) as unknown as OperationContext;

  beforeAll(async () => {
    db = sqliteDatabase();
    audit = new AuditStore(db.options);
    pending = new PendingChangeStore(audit);
    op = new WaitForApprovalOp(pending, { http: { publicUrl: 'https://mcp.example.com' } } as AppConfig);
  });
  afterAll(async () => {
    await audit.close();
    await db.drop();
  });

  it('still pending when the time is up: says so, where, and to wait again', async () => {
    const c = await pending.create(change());
    const r = await op.run(ctx('ci-bot'), { approval_id: c.id, timeout_seconds: 1 });
    expect(r).toMatchObject({ status: 'pending', url: `https://mcp.example.com/ui/approvals/${c.id}`, waited_seconds: 1 });
    expect(r.message).toMatch(/^restart_job on job 'web' still waits for a person's approval at https:\/\/mcp\.example\.com\/ui\/approvals\/approval-\w+ after 1 s/);
    expect(progress[0]).toMatch(/^restart_job on job 'web' waits for a person's approval/);
  });

  it('denied: who and why, and not to retry; expired: to ask anew', async () => {
    const denied = await pending.create(change());
    await pending.decide(denied.id, 'denied', 'on-call', 'freeze', 1000);
    expect((await op.run(ctx('ci-bot'), { approval_id: denied.id, timeout_seconds: 1 })).message)
      .toBe("on-call denied restart_job on job 'web': \"freeze\". Nothing was changed. Do not retry the same change: tell the user and ask what they want instead.");
    const old = await pending.create(change({ expiresAt: new Date(Date.now() - 1) }));
    const r = await op.run(ctx('ci-bot'), { approval_id: old.id, timeout_seconds: 1 });
    expect(r.status).toBe('expired');
    expect(r.message).toMatch(/expired at .* without a decision\. Nothing was changed; call restart_job again to ask anew/);
  });

  it('another caller\'s change is not found; a person who may approve sees it', async () => {
    const c = await pending.create(change());
    await expect(op.run(ctx('someone-else'), { approval_id: c.id, timeout_seconds: 1 })).rejects.toMatchObject({ status: 404 });
    await pending.decide(c.id, 'approved', 'on-call', null, 60_000);
    expect((await op.run(ctx('on-call', ['approve']), { approval_id: c.id, timeout_seconds: 1 })).status).toBe('approved');
  });
});
