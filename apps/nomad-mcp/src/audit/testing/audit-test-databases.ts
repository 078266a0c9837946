import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { redactUrl } from '../../config/redact-url';
import type { AuditDatabaseOptions } from '../audit-database';
import { AUDIT_MAX_LIMIT, AuditRecord } from '../audit-record';
import { AuditStore } from '../audit.store';

/**
 * The databases the audit specs run against: a temporary SQLite file, and a schema of its own (dropped after)
 * in the machine's Postgres, so parallel runs never meet. CI requires Postgres (REQUIRE_POSTGRES=1, set by
 * .ci/run, which also checks it is up); on a machine without it the Postgres half is skipped with one line
 * saying so, and AUDIT_SKIP_POSTGRES=1 skips it outright.
 */
export const PG_URL = process.env.AUDIT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether Postgres answers on its port: asked once, synchronously, because describe.each needs the list at load. */
function postgresListens(url: string): boolean {
  const { hostname, port } = new URL(url);
  const probe = `require('net').connect(${Number(port || 5432)}, ${JSON.stringify(hostname)}).on('connect', () => process.exit(0)).on('error', () => process.exit(1)).setTimeout(1500, () => process.exit(1))`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

function skipPostgres(): boolean {
  if (process.env.AUDIT_SKIP_POSTGRES === '1') return true;
  if (process.env.REQUIRE_POSTGRES === '1' || postgresListens(PG_URL)) return false;
  process.stderr.write(`Postgres is not reachable at ${redactUrl(PG_URL)}: the audit specs run on SQLite only; set REQUIRE_POSTGRES=1 to fail instead (CI does).\n`);
  return true;
}

export const SKIP_POSTGRES = skipPostgres();

export interface TestDatabase {
  options: AuditDatabaseOptions;
  /** Removes everything the run created. */
  drop(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  return {
    options: { dbPath: join(dir, 'nested', 'audit.sqlite3') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs one statement on the test database; when Postgres is not there, says how to start it or skip it. */
async function onTestDatabase(statement?: string): Promise<void> {
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(
      `The audit specs need Postgres at ${redactUrl(PG_URL)} (${err instanceof Error ? err.message : String(err)}). ` +
        'Start it (trust auth, database "test"), point AUDIT_TEST_DATABASE_URL at another, or set AUDIT_SKIP_POSTGRES=1 to skip the Postgres half.',
    );
  }
  try {
    if (statement) await client.query(statement);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresDatabase(): Promise<TestDatabase> {
  await onTestDatabase();
  const schema = `audit_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    options: { dbPath: '/nonexistent/unused.sqlite3', databaseUrl: PG_URL, pgSchema: schema },
    drop: () => onTestDatabase(`drop schema if exists ${schema} cascade`),
  };
}

/** Both databases by name, for describe.each; Postgres is left out only when AUDIT_SKIP_POSTGRES=1. */
export const TEST_DATABASES: Array<[string, () => Promise<TestDatabase>]> = [
  ['SQLite', async () => sqliteDatabase()],
  ...(SKIP_POSTGRES ? [] : [['Postgres', postgresDatabase] as [string, () => Promise<TestDatabase>]]),
];

/**
 * A trail for a whole running service (or the audit CLI), given as the settings it reads: a SQLite file in a
 * temporary folder, or a Postgres database of its own (the service keeps its tables in `public`, so a schema of
 * its own is not enough), dropped after.
 */
export interface ServiceDatabase {
  /** AUDIT_DB_PATH or DATABASE_URL. */
  env: Record<string, string>;
  /** The same trail as AuditStore options, for reading it back. */
  options: AuditDatabaseOptions;
  drop(): Promise<void>;
}

export function sqliteServiceDatabase(): ServiceDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'audit-service-'));
  const dbPath = join(dir, 'audit.sqlite3');
  return { env: { AUDIT_DB_PATH: dbPath }, options: { dbPath }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function postgresServiceDatabase(): Promise<ServiceDatabase> {
  const name = `audit_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onTestDatabase(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    options: { dbPath: '/nonexistent/unused.sqlite3', databaseUrl: url.toString() },
    // with (force): a service killed with SIGKILL may leave its connections behind for a moment
    drop: () => onTestDatabase(`drop database if exists ${name} with (force)`),
  };
}

/** Both, for describe.each over whole services; Postgres left out as TEST_DATABASES leaves it out. */
export const SERVICE_DATABASES: Array<[string, () => Promise<ServiceDatabase>]> = [
  ['SQLite', async () => sqliteServiceDatabase()],
  ...(SKIP_POSTGRES ? [] : [['Postgres', postgresServiceDatabase] as [string, () => Promise<ServiceDatabase>]]),
];

/** Every record of a trail, newest first, read as the service reads it (AuditStore.query, page after page). */
export async function readWholeTrail(options: AuditDatabaseOptions): Promise<AuditRecord[]> {
  const store = new AuditStore(options);
  try {
    const all: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.query({ limit: AUDIT_MAX_LIMIT, cursor });
      all.push(...page.records);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return all;
  } finally {
    await store.close();
  }
}
