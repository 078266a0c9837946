import { Kysely, Migration, MigrationProvider, sql } from 'kysely';

/**
 * The audit table as both databases hold it. Times are ISO 8601 UTC text of one fixed width, so text order is
 * time order in SQLite and Postgres alike; arguments are JSON text, so one schema and one query serve both.
 */
export interface AuditRow {
  id: string;
  time: string;
  identity: string;
  transport: string;
  operation: string;
  namespace: string | null;
  job: string | null;
  arguments: string;
  outcome: string;
  status: number;
  eval_id: string | null;
  duration_ms: number;
  error: string | null;
}

/** One use of a single-use grant (a confirmation token's nonce): the primary key makes a second use fail, across replicas too. */
export interface OnceRow {
  key: string;
  used_at: string;
  /** After this the grant is void anyway, so the row may be removed. */
  expires_at: string;
}

/**
 * A change that waits for a person's approval (NOMAD_MCP_CONFIRM_BY=human). It holds what the approver reads
 * (operation, redacted arguments, the plan) and what binds the approval to the one call it approves (the
 * caller, a digest of the arguments, the job's modify index), never the arguments' secret values.
 */
export interface PendingChangeRow {
  id: string;
  created_at: string;
  /** Until then a person may decide; once approved, until then the caller may apply it. */
  expires_at: string;
  /** pending | approved | denied | applied (expired is read from expires_at). */
  status: string;
  operation: string;
  /** Who asked (the principal's name). */
  identity: string;
  transport: string;
  namespace: string | null;
  job: string | null;
  /** The call's arguments, secret values redacted, as JSON text. */
  arguments: string;
  /** argumentsDigest of the call's validated input: the approval applies to exactly these arguments. */
  args_digest: string;
  /** The job's JobModifyIndex the plan was made at (null: no job yet). */
  modify_index: number | null;
  /** The plan the approver reads: summary, destructive, details (JSON text). */
  plan: string;
  decided_by: string | null;
  decided_at: string | null;
  /** The approver's or denier's words, shown to the caller. */
  reason: string | null;
  applied_at: string | null;
}

/** A signed-in session of the approval page: the browser holds only a random id; its SHA-256 is the key here. */
export interface UiSessionRow {
  id_sha256: string;
  /** The principal signed in; its identity is looked up again (scopes, expiry) on every request. */
  identity: string;
  csrf: string;
  created_at: string;
  expires_at: string;
}

export interface AuditDatabase {
  audit_records: AuditRow;
  used_once: OnceRow;
  pending_changes: PendingChangeRow;
  ui_sessions: UiSessionRow;
}

/** Kysely's bookkeeping tables, named for the trail so they never meet another tool's in a shared database. */
export const MIGRATION_TABLE = 'audit_migration';
export const MIGRATION_LOCK_TABLE = 'audit_migration_lock';

/*
 * Migrations live in code (not files read at run time) so the built dist carries them. Never edit one that has
 * shipped: add the next, named so that it sorts after the others.
 */
const migrations: Record<string, Migration> = {
  '2026-11-29-001-audit-records': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_records')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('time', 'varchar(32)', (c) => c.notNull())
        .addColumn('identity', 'varchar(256)', (c) => c.notNull())
        .addColumn('transport', 'varchar(16)', (c) => c.notNull())
        .addColumn('operation', 'varchar(128)', (c) => c.notNull())
        .addColumn('namespace', 'varchar(256)')
        .addColumn('job', 'varchar(256)')
        .addColumn('arguments', 'text', (c) => c.notNull())
        .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('eval_id', 'varchar(64)')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
      // newest first, optionally narrowed to one identity, job or operation: each filter has its (x, time, id) index
      await db.schema.createIndex('audit_records_time').on('audit_records').columns(['time', 'id']).execute();
      for (const col of ['identity', 'job', 'operation']) {
        await db.schema.createIndex(`audit_records_${col}_time`).on('audit_records').columns([col, 'time', 'id']).execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists audit_records`.execute(db);
    },
  },
  '2026-11-29-002-used-once': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('used_once')
        .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('used_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('used_once_expires').on('used_once').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists used_once`.execute(db);
    },
  },
  '2026-11-30-003-pending-changes': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('pending_changes')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('operation', 'varchar(128)', (c) => c.notNull())
        .addColumn('identity', 'varchar(256)', (c) => c.notNull())
        .addColumn('transport', 'varchar(16)', (c) => c.notNull())
        .addColumn('namespace', 'varchar(256)')
        .addColumn('job', 'varchar(256)')
        .addColumn('arguments', 'text', (c) => c.notNull())
        .addColumn('args_digest', 'varchar(64)', (c) => c.notNull())
        .addColumn('modify_index', 'bigint')
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'varchar(256)')
        .addColumn('decided_at', 'varchar(32)')
        .addColumn('reason', 'text')
        .addColumn('applied_at', 'varchar(32)')
        .execute();
      // the page lists what waits (status, newest first); a job's page lists its own
      await db.schema.createIndex('pending_changes_status_created').on('pending_changes').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('pending_changes_job_created').on('pending_changes').columns(['job', 'created_at']).execute();
      await db.schema
        .createTable('ui_sessions')
        .addColumn('id_sha256', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('identity', 'varchar(256)', (c) => c.notNull())
        .addColumn('csrf', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ui_sessions_expires').on('ui_sessions').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ui_sessions`.execute(db);
      await sql`drop table if exists pending_changes`.execute(db);
    },
  },
};

export const auditMigrations: MigrationProvider = {
  getMigrations: async () => migrations,
};
