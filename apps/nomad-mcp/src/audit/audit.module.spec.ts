import { Test } from '@nestjs/testing';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfigModule, loadConfig } from '../config';
import { AuditModule } from './audit.module';
import { AuditStore } from './audit.store';

describe('AuditModule', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'audit-module-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the trail configured by AUDIT_DB_PATH at start-up (creating its folder) and closes it on shutdown', async () => {
    const dbPath = join(dir, 'data', 'audit.sqlite3');
    const config = loadConfig({ AUDIT_DB_PATH: dbPath });
    const app = await Test.createTestingModule({ imports: [AppConfigModule.forRoot(config), AuditModule] }).compile();
    await app.init();
    expect(existsSync(dbPath)).toBe(true);
    const store = app.get(AuditStore);
    await store.record({ identity: 'i', transport: 'stdio', operation: 'list_jobs', namespace: null, job: null, arguments: {}, outcome: 'ok', status: 200, eval_id: null, duration_ms: 3, error: null });
    expect((await store.query()).records).toHaveLength(1);
    // the file is in WAL mode (a property of the file, so visible from a second connection)
    const peek = new Database(dbPath, { readonly: true });
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    peek.close();
    await app.close();
    await expect(store.query()).rejects.toThrow(/the store is closed/);
    // closed cleanly: the WAL was checkpointed into the file and removed
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  });

  it('refuses to start when the trail cannot be opened, naming the file and the fix', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const config = loadConfig({ AUDIT_DB_PATH: join(blocker, 'audit.sqlite3') });
    const app = await Test.createTestingModule({ imports: [AppConfigModule.forRoot(config), AuditModule] }).compile();
    const failure = (await app.init().then(() => undefined, (e: unknown) => e)) as Error;
    expect(failure?.message).toMatch(/^Audit trail: cannot open the SQLite file .*a-file\/audit\.sqlite3: .*Fix: check that AUDIT_DB_PATH names a writable file/);
    // Nest's close() after a failed init rethrows the init error; the store itself has nothing open
    await expect(app.close()).rejects.toBe(failure);
  });

  it('refuses a folder that cannot be made at once, where Node\'s own recursive mkdir would spin for ever (/proc)', async () => {
    const config = loadConfig({ AUDIT_DB_PATH: '/proc/nomad-mcp-nowhere/deeper/audit.sqlite3' });
    const app = await Test.createTestingModule({ imports: [AppConfigModule.forRoot(config), AuditModule] }).compile();
    const failure = (await app.init().then(() => undefined, (e: unknown) => e)) as Error;
    expect(failure?.message).toMatch(/^Audit trail: cannot open the SQLite file \/proc\/nomad-mcp-nowhere\/deeper\/audit\.sqlite3: .*\/proc\/nomad-mcp-nowhere.*Fix: check that AUDIT_DB_PATH names a writable file/);
    await expect(app.close()).rejects.toBe(failure);
  }, 10000);

  it('reports an unreachable Postgres without its password', async () => {
    const store = new AuditStore({ dbPath: join(dir, 'unused'), databaseUrl: 'postgres://audit:pw-SECRET@127.0.0.1:1/audit' });
    const err = (await store.open().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^Audit trail: cannot open the Postgres database postgres:\/\/\*\*\*@127\.0\.0\.1:1\/audit: .*Fix: check that DATABASE_URL/);
    expect(err.message).not.toContain('pw-SECRET');
    await store.close();
  });
});

describe('audit settings', () => {
  const err = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('defaults to ./data/audit.sqlite3 and takes DATABASE_URL into the audit slice', () => {
    expect(loadConfig({}).audit).toEqual({ dbPath: './data/audit.sqlite3', databaseUrl: undefined, reads: false });
    const url = 'postgresql://audit:pw@db.internal:5432/audit?sslmode=require';
    expect(loadConfig({ AUDIT_DB_PATH: '/var/lib/nomad-mcp/audit.db', DATABASE_URL: url }).audit).toEqual({ dbPath: '/var/lib/nomad-mcp/audit.db', databaseUrl: url, reads: false });
  });

  it('refuses a DATABASE_URL that is not postgres://, showing it without its password', () => {
    const message = err({ DATABASE_URL: 'mysql://root:pw-SECRET@db/audit' });
    expect(message).toBe('Invalid configuration: "DATABASE_URL" must be a postgres:// URL, e.g. postgres://audit:password@127.0.0.1:5432/audit (got "mysql://***@db/audit")');
    expect(err({ DATABASE_URL: 'not a url' })).toMatch(/"DATABASE_URL" must be a postgres:\/\/ URL/);
  });
});
