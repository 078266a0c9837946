import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Pool as PgPool } from 'pg';
import { redactUrl } from '../config/redact-url';
import { AuditDatabase, auditMigrations, MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from './audit-schema';

/** Where the trail is kept: Postgres when a URL is given (replicas share it), else an embedded SQLite file. */
export interface AuditDatabaseOptions {
  /** AUDIT_DB_PATH: the SQLite file, created with its folder. */
  dbPath: string;
  /** DATABASE_URL: postgres://… ; it may carry a password, so it is only ever shown through redactUrl. */
  databaseUrl?: string;
  /** Postgres schema of the tables (created when missing); `public` unless set (the tests use one per run). */
  pgSchema?: string;
}

export interface OpenedAuditDatabase {
  db: Kysely<AuditDatabase>;
  /** Human-readable, password-free description of where the trail is (for logs and errors). */
  where: string;
}

/** Thrown when the trail's database cannot be opened or migrated: the message says which one and what to do. */
export class AuditDatabaseError extends Error {
  readonly name = 'AuditDatabaseError';
}

/** Opens the database and brings its schema up to date (run at start-up; concurrent replicas take turns). */
export async function openAuditDatabase(o: AuditDatabaseOptions): Promise<OpenedAuditDatabase> {
  const opened = o.databaseUrl ? openPostgres(o.databaseUrl, o.pgSchema ?? 'public') : openSqlite(o.dbPath);
  try {
    const migrator = new Migrator({
      db: opened.db,
      provider: auditMigrations,
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
      ...(o.databaseUrl ? { migrationTableSchema: o.pgSchema ?? 'public' } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    return opened;
  } catch (err) {
    await opened.db.destroy().catch(() => undefined);
    const driver = o.databaseUrl ? undefined : sqliteDriverProblem(err);
    if (driver) throw new AuditDatabaseError(`Audit trail: cannot open ${opened.where}: ${driver}`);
    const reason = err instanceof Error ? err.message : String(err);
    const fix = o.databaseUrl
      ? 'check that DATABASE_URL names a reachable Postgres database this user may create tables in'
      : 'check that AUDIT_DB_PATH names a writable file (its folder is created when missing)';
    throw new AuditDatabaseError(`Audit trail: cannot open ${opened.where}: ${scrub(reason, o.databaseUrl)}. Fix: ${fix}.`);
  }
}

/**
 * `mkdir -p` that fails instead of looping: Node's recursive mkdirSync spins for ever (100% CPU, deaf to
 * SIGTERM) where mkdir answers ENOENT under a folder that exists, as in /proc. Each missing folder is made in
 * turn, and the first that cannot be is the error.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      // made meanwhile by another process (the CLI beside the service): as good
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function openSqlite(path: string): OpenedAuditDatabase {
  const file = resolve(path);
  const where = `the SQLite file ${file}`;
  const dialect = new SqliteDialect({
    database: async () => {
      makeFolders(dirname(file));
      const sqlite = new Database(file);
      // WAL + synchronous=FULL: a write is on disk (WAL fsynced) when it returns, so a kill -9 or a power
      // loss right after loses nothing acknowledged; busy_timeout lets a second reader (the CLI) wait its turn
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = FULL');
      sqlite.pragma('busy_timeout = 5000');
      return sqlite;
    },
  });
  return { db: new Kysely<AuditDatabase>({ dialect }), where };
}

function openPostgres(url: string, schema: string): OpenedAuditDatabase {
  if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new AuditDatabaseError(`Audit trail: "${schema}" is not a plain Postgres schema name.`);
  const where = `the Postgres database ${redactUrl(url).replace(/[?#].*$/, '')}`;
  // pg is loaded only when the trail is in Postgres: a SQLite service does not pay for it at start-up
  const { Pool } = require('pg') as { Pool: typeof PgPool };
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000, options: `-c search_path=${schema}` });
  // an idle connection dropped by the server (restart, failover) must not crash the service: the next query reconnects
  pool.on('error', () => undefined);
  return { db: new Kysely<AuditDatabase>({ dialect: new PostgresDialect({ pool }) }), where };
}

/**
 * When `err` says the SQLite driver's native part is missing or built for another Node.js, one line that says
 * how to fix it; else undefined. npm (11+) skips a dependency's install script unless it is allowed, and
 * better-sqlite3 builds or downloads that part in its install script.
 */
export function sqliteDriverProblem(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : String(err);
  if (!/Could not locate the bindings file|better_sqlite3\.node|NODE_MODULE_VERSION/.test(message)) return undefined;
  const why = /NODE_MODULE_VERSION/.test(message) ? `was built for another Node.js version than ${process.version}` : 'is not installed (npm skipped its install script)';
  return (
    `the SQLite driver's native part (better-sqlite3) ${why}. Fix: install with npm install --allow-scripts=better-sqlite3 ` +
    '(or run npm rebuild better-sqlite3 where it is installed), or set DATABASE_URL to keep the audit trail in Postgres.'
  );
}

/** A driver message never carries the URL's password into a log or an answer. */
export function scrub(message: string, url: string | undefined): string {
  if (!url) return message;
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    /* not a parseable URL: nothing to take out but the URL itself */
  }
  let out = message.split(url).join(redactUrl(url));
  if (password) out = out.split(password).join('***');
  return out;
}
