import { AuditStore } from './audit.store';
import { NewPendingChange, PendingChangeStore } from './pending-changes.store';
import { TEST_DATABASES, TestDatabase } from './testing/audit-test-databases';

const change = (over: Partial<NewPendingChange> = {}): NewPendingChange => ({
  operation: 'create_job', identity: 'ci-bot', transport: 'mcp', namespace: 'default', job: 'web',
  arguments: { job_id: 'web', docker_image: 'nginx:1.28', env_vars: { DB_PASSWORD: 'hunter2' } },
  args_digest: 'digest-1', modify_index: 41, plan: { summary: 'update job web', destructive: true, modify_index: 41, details: { diff: ['~ image'] } },
  expiresAt: new Date(Date.now() + 60_000), ...over,
});

/** The pending changes table on both databases: one row per waiting change, transitions that one replica wins. */
describe.each(TEST_DATABASES)('PendingChangeStore on %s', (_name, make) => {
  let db: TestDatabase;
  let audit: AuditStore;
  let store: PendingChangeStore;

  beforeAll(async () => {
    db = await make();
    audit = new AuditStore(db.options);
    await audit.open();
    store = new PendingChangeStore(audit);
  });
  afterAll(async () => {
    await audit.close();
    await db.drop();
  });

  it('keeps what the approver reads, with secret values redacted, and reuses a change that still waits', async () => {
    const c = await store.create(change());
    expect(c).toMatchObject({ id: expect.stringMatching(/^approval-[0-9a-f]{24}$/), status: 'pending', modify_index: 41, plan: { summary: 'update job web', details: { diff: ['~ image'] } } });
    expect(c.arguments).toEqual({ job_id: 'web', docker_image: 'nginx:1.28', env_vars: { DB_PASSWORD: '[redacted]' } });
    expect(JSON.stringify(await store.get(c.id))).not.toContain('hunter2');
    expect((await store.create(change())).id).toBe(c.id);
    // other arguments, another caller or another job state: a change of its own
    expect((await store.create(change({ args_digest: 'digest-2' }))).id).not.toBe(c.id);
    expect((await store.create(change({ identity: 'other' }))).id).not.toBe(c.id);
    expect((await store.create(change({ modify_index: null }))).id).not.toBe(c.id);
    expect((await store.waiting()).map((w) => w.id)).toContain(c.id);
    expect(await store.get('approval-000000000000000000000000')).toBeUndefined();
    expect(await store.get("x' or 1=1 --")).toBeUndefined();
  });

  it('a decision is taken once; an approval is applied once; a denied one never', async () => {
    const c = await store.create(change({ args_digest: 'digest-decide' }));
    const [first, second] = await Promise.all([
      store.decide(c.id, 'approved', 'on-call', 'go', 30_000),
      store.decide(c.id, 'denied', 'other-person', null, 30_000),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const decided = (await store.get(c.id))!;
    expect(decided.status).toBe(first ? 'approved' : 'denied');
    if (decided.status === 'approved') {
      expect(Date.parse(decided.expires_at) - Date.now()).toBeLessThanOrEqual(30_000);
      const takes = await Promise.all([store.takeForApply(c.id), store.takeForApply(c.id), store.takeForApply(c.id)]);
      expect(takes.filter(Boolean)).toHaveLength(1);
      expect((await store.get(c.id))!).toMatchObject({ status: 'applied', applied_at: expect.any(String) });
    } else {
      expect(await store.takeForApply(c.id)).toBe(false);
    }
    const denied = await store.create(change({ args_digest: 'digest-deny' }));
    expect(await store.decide(denied.id, 'denied', 'on-call', 'not now', 30_000)).toBe(true);
    expect(await store.takeForApply(denied.id)).toBe(false);
    expect((await store.get(denied.id))!).toMatchObject({ status: 'denied', decided_by: 'on-call', reason: 'not now' });
  });

  it('an expired change reads as expired, cannot be decided and is no longer listed as waiting', async () => {
    const c = await store.create(change({ args_digest: 'digest-old', expiresAt: new Date(Date.now() - 1000) }));
    expect((await store.get(c.id))!.status).toBe('expired');
    expect(await store.decide(c.id, 'approved', 'on-call', null, 30_000)).toBe(false);
    expect((await store.waiting()).map((w) => w.id)).not.toContain(c.id);
    expect((await store.recent({ job: 'web' })).map((w) => w.id)).toContain(c.id);
  });
});
