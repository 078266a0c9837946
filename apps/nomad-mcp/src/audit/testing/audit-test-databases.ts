import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { redactUrl } from '../../config/redact-url';
import type { AuditDatabaseOptions } from '../audit-database';

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

export async function postgresDatabase(): Promise<TestDatabase> {
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `The audit specs need Postgres at ${redactUrl(PG_URL)} (${err instanceof Error ? err.message : String(err)}). ` +
        'Start it (trust auth, database "test"), point AUDIT_TEST_DATABASE_URL at another, or set AUDIT_SKIP_POSTGRES=1 to skip the Postgres half.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const schema = `audit_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    options: { dbPath: '/nonexistent/unused.sqlite3', databaseUrl: PG_URL, pgSchema: schema },
    drop: async () => {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Both databases by name, for describe.each; Postgres is left out only when AUDIT_SKIP_POSTGRES=1. */
export const TEST_DATABASES: Array<[string, () => Promise<TestDatabase>]> = [
  ['SQLite', async () => sqliteDatabase()],
  ...(SKIP_POSTGRES ? [] : [['Postgres', postgresDatabase] as [string, () => Promise<TestDatabase>]]),
];
