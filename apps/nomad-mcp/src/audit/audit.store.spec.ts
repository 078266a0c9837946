import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import Database from 'better-sqlite3';
import { AuditEntry } from './audit-record';
import { AuditStore } from './audit.store';
import { TEST_DATABASES, TestDatabase } from './testing/audit-test-databases';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  identity: 'alice', transport: 'rest', operation: 'create_job', namespace: 'default', job: 'web',
  arguments: { job_id: 'web', docker_image: 'nginx:1' }, outcome: 'ok', status: 201, eval_id: 'e1', duration_ms: 12, error: null, ...over,
});
const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + i * 1000).toISOString();

/** Runs one statement on the test database behind the store's back. */
async function rawExec(db: TestDatabase, statement: string): Promise<void> {
  if (!db.options.databaseUrl) {
    const sqlite = new Database(db.options.dbPath);
    try {
      sqlite.exec(statement);
    } finally {
      sqlite.close();
    }
    return;
  }
  const c = new Client({ connectionString: db.options.databaseUrl, options: `-c search_path=${db.options.pgSchema}` });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/** The stored row as the database holds it, read without the store: what an attacker with the file would see. */
async function rawRow(db: TestDatabase, id: string): Promise<string> {
  if (!db.options.databaseUrl) {
    const sqlite = new Database(db.options.dbPath, { readonly: true });
    try {
      return JSON.stringify(sqlite.prepare('select * from audit_records where id = ?').get(id));
    } finally {
      sqlite.close();
    }
  }
  const c = new Client({ connectionString: db.options.databaseUrl });
  await c.connect();
  try {
    return JSON.stringify((await c.query(`select * from ${db.options.pgSchema}.audit_records where id = $1`, [id])).rows[0]);
  } finally {
    await c.end();
  }
}

describe.each(TEST_DATABASES)('AuditStore on %s', (_name, make) => {
  let db: TestDatabase;
  let store: AuditStore;

  beforeAll(async () => {
    db = await make();
    store = new AuditStore(db.options);
    await store.open();
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('gives back what it recorded, field for field', async () => {
    const id = 'round-trip-1';
    await store.record({ ...entry({ job: 'round-trip', error: null }), id, time: '2030-05-01T10:00:00.000Z' });
    const { records, next_cursor } = await store.query({ job: 'round-trip' });
    expect(records).toEqual([{
      id, time: '2030-05-01T10:00:00.000Z', identity: 'alice', transport: 'rest', operation: 'create_job', namespace: 'default',
      job: 'round-trip', arguments: { job_id: 'web', docker_image: 'nginx:1' }, outcome: 'ok', status: 201, eval_id: 'e1', duration_ms: 12, error: null,
    }]);
    expect(next_cursor).toBeNull();
  });

  it('fills in id and time, keeps nulls, and caps a long error at 1000 characters', async () => {
    const before = new Date().toISOString();
    await store.record(entry({ job: 'filled', namespace: null, eval_id: null, outcome: 'error', status: 502, error: 'x'.repeat(5000) }));
    const [r] = (await store.query({ job: 'filled' })).records;
    expect(r.id).toMatch(/^[0-9a-f]{12}-[0-9a-f]{6}-[0-9a-f]{16}$/);
    expect(r.time >= before && r.time <= new Date().toISOString()).toBe(true);
    expect(r).toMatchObject({ namespace: null, eval_id: null, outcome: 'error', status: 502 });
    expect(r.error).toHaveLength(1000);
  });

  it('narrows by identity, job, operation, outcome and time, newest first', async () => {
    const base = { job: 'f-web', identity: 'f-bob' };
    await store.record({ ...entry({ ...base, operation: 'stop_job', outcome: 'denied', status: 403 }), id: 'f1', time: at(1) });
    await store.record({ ...entry({ ...base, operation: 'create_job' }), id: 'f2', time: at(2) });
    await store.record({ ...entry({ ...base, job: 'f-api', operation: 'create_job' }), id: 'f3', time: at(3) });
    await store.record({ ...entry({ ...base, identity: 'f-carol', operation: 'restart_job', outcome: 'invalid', status: 400 }), id: 'f4', time: at(4) });
    const ids = async (f: Parameters<AuditStore['query']>[0]) => (await store.query(f)).records.map((r) => r.id);
    expect(await ids({ identity: 'f-bob' })).toEqual(['f3', 'f2', 'f1']);
    expect(await ids({ identity: 'f-bob', job: 'f-web' })).toEqual(['f2', 'f1']);
    expect(await ids({ job: 'f-web', operation: 'restart_job' })).toEqual(['f4']);
    expect(await ids({ identity: 'f-bob', outcome: 'denied' })).toEqual(['f1']);
    expect(await ids({ job: 'f-web', outcome: 'invalid' })).toEqual(['f4']);
    // since is inclusive, until exclusive; Dates and ISO strings with offsets are the same instants
    expect(await ids({ identity: 'f-bob', since: at(2), until: new Date(at(3)) })).toEqual(['f2']);
    expect(await ids({ identity: 'f-bob', since: '2026-01-01T01:00:02+01:00' })).toEqual(['f3', 'f2']);
    expect(await ids({ identity: 'nobody' })).toEqual([]);
  });

  it('pages 250 records with its cursor: each exactly once, newest first, also across equal times', async () => {
    for (let i = 0; i < 250; i++) {
      // records 100..109 share one time: the id decides their order
      const time = at(1000 + (i >= 100 && i < 110 ? 100 : i));
      await store.record({ ...entry({ identity: 'pager', job: `p-${i}` }), id: `p-${String(i).padStart(3, '0')}`, time });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.query({ identity: 'pager', limit: 40, cursor });
      expect(page.records.length).toBeLessThanOrEqual(40);
      seen.push(...page.records.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(7);
    const expected = Array.from({ length: 250 }, (_, i) => `p-${String(i).padStart(3, '0')}`).reverse();
    expect(seen).toEqual(expected);
    // a cursor keeps its filters' meaning: a page narrowed by time continues narrowed
    const first = await store.query({ identity: 'pager', until: at(1010), limit: 5 });
    const second = await store.query({ identity: 'pager', until: at(1010), limit: 5, cursor: first.next_cursor! });
    expect([...first.records, ...second.records].map((r) => r.id)).toEqual(expected.slice(240));
    expect(second.next_cursor).toBeNull();
  });

  it('refuses a forged cursor, a bad time and a bad limit with what to do', async () => {
    await expect(store.query({ cursor: 'not-a-cursor' })).rejects.toThrow(/"cursor" is not one this service gave out/);
    await expect(store.query({ since: 'yesterday' })).rejects.toThrow(/"since" must be an ISO 8601 time/);
    for (const limit of [0, 1001, 2.5]) await expect(store.query({ limit })).rejects.toThrow(/"limit" must be a whole number from 1 to 1000/);
  });

  it('stores no secret value: env values, tokens, passwords and keys are redacted before the row is written', async () => {
    const secrets = ['s3cr3t-env-VALUE', 'tok-ABC123', 'hunter2-pw', 'AKIA-key-XYZ', 'client-secret-Q'];
    await store.record({
      ...entry({ job: 'redacted' }), id: 'redact-1',
      arguments: {
        job_id: 'redacted', env_vars: { DB_PASSWORD: secrets[0], PLAIN: 'also-hidden' }, confirmation_token: secrets[1],
        nested: [{ password: secrets[2] }, { aws_access_key_id: secrets[3] }], auth: { client_secret: secrets[4] },
      },
    });
    const row = await rawRow(db, 'redact-1');
    expect(row).toContain('DB_PASSWORD');
    for (const s of [...secrets, 'also-hidden']) expect(row).not.toContain(s);
    const [r] = (await store.query({ job: 'redacted' })).records;
    expect(r.arguments).toEqual({
      job_id: 'redacted', env_vars: { DB_PASSWORD: '[redacted]', PLAIN: '[redacted]' }, confirmation_token: '[redacted]',
      nested: [{ password: '[redacted]' }, { aws_access_key_id: '[redacted]' }], auth: '[redacted]',
    });
  });

  it('opens an existing trail again without migrating twice, and keeps its records', async () => {
    const again = new AuditStore(db.options);
    try {
      await again.open();
      expect((await again.query({ job: 'round-trip' })).records.map((r) => r.id)).toEqual(['round-trip-1']);
    } finally {
      await again.close();
    }
  });

  it('loses no acknowledged record when its process is killed with SIGKILL mid-way', async () => {
    const acked = await recordUntilKilled(db, 300);
    expect(acked.length).toBeGreaterThanOrEqual(300);
    const reader = new AuditStore(db.options);
    try {
      const stored = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await reader.query({ identity: 'durability', limit: 1000, cursor });
        page.records.forEach((r) => stored.add(r.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await reader.close();
    }
  }, 60000);

  it('checkWritable() keeps no record: the check row is rolled back', async () => {
    const before = (await store.query({ limit: 500 })).records.length;
    await expect(store.checkWritable()).resolves.toBeUndefined();
    expect((await store.query({ limit: 500 })).records.length).toBe(before);
    expect((await store.query({ operation: 'readiness_check' })).records).toEqual([]);
  });

  // last: it breaks this database
  it('rejects record() with a clear error when the write fails, so the caller can fail the call; writes$ counts both', async () => {
    const writes: boolean[] = [];
    const subscription = store.writes$.subscribe((ok) => writes.push(ok));
    await store.record(entry({ job: 'kept' }));
    await rawExec(db, 'drop table audit_records');
    await expect(store.record(entry({ job: 'lost' }))).rejects.toThrow(
      /^Audit trail: the record of this call could not be written \(.*audit_records.*\); the call is refused so that nothing goes unrecorded\. Retry, or ask an operator/,
    );
    subscription.unsubscribe();
    expect(writes).toEqual([true, false]);
    // and the readiness check sees it
    await expect(store.checkWritable()).rejects.toThrow(/audit_records/);
  });
});

/** Starts the recording child, SIGKILLs it once `killAfter` records are acknowledged; the ids it acknowledged. */
function recordUntilKilled(db: TestDatabase, killAfter: number): Promise<string[]> {
  const script = join(__dirname, 'testing', 'record-until-killed.ts');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, '1000000'], {
    cwd: resolve(__dirname, '../../../..'),
    env: { ...process.env, AUDIT_CHILD_OPTIONS: JSON.stringify(db.options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('ack ')) return;
    acked.push(line.slice(4));
    if (acked.length === killAfter) child.kill('SIGKILL');
  });
  return new Promise((ok, fail) => {
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') ok(acked);
      else fail(new Error(`the recording child ended by itself (code ${code}) after ${acked.length} acks: ${stderr}`));
    });
  });
}
