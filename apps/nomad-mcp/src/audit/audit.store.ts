import { BadRequestException, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Kysely } from 'kysely';
import { Observable, Subject } from 'rxjs';
import { randomBytes } from 'node:crypto';
import { AUDIT_CONFIG } from '../config/app-config';
import { AuditDatabaseError, AuditDatabaseOptions, openAuditDatabase, scrub } from './audit-database';
import { decodeCursor, encodeCursor } from './audit-cursor';
import {
  AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT, AuditEntry, AuditFilter, AuditOutcome, AuditPage, AuditRecord, AuditTransport, ERROR_MAX_CHARS,
} from './audit-record';
import { AuditDatabase, AuditRow } from './audit-schema';
import { redactArguments } from './redact-arguments';

/**
 * The durable audit trail. record() resolves only once the record is committed (SQLite: WAL fsynced; Postgres:
 * committed), so an acknowledged record survives a kill -9; it rejects when it cannot write, and the caller
 * must then fail the call. Arguments are redacted here whatever the caller did.
 */
@Injectable()
export class AuditStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private db?: Kysely<AuditDatabase>;
  private opening?: Promise<Kysely<AuditDatabase>>;
  private closed = false;
  private usesSinceSweep = 0;
  private readonly writes = new Subject<boolean>();

  constructor(@Optional() @Inject(AUDIT_CONFIG) private readonly options: AuditDatabaseOptions = { dbPath: './data/audit.sqlite3' }) {}

  /** Opens the database and runs its migrations at start-up: a trail that cannot be written stops the service. */
  async onModuleInit(): Promise<void> {
    await this.open();
  }

  async onModuleDestroy(): Promise<void> {
    this.writes.complete();
    await this.close();
  }

  /** true for every record written, false for every one that could not be (metrics subscribe). */
  get writes$(): Observable<boolean> {
    return this.writes.asObservable();
  }

  async open(): Promise<void> {
    await this.database();
  }

  async close(): Promise<void> {
    this.closed = true;
    const db = this.db ?? (await this.opening?.catch(() => undefined));
    this.db = undefined;
    this.opening = undefined;
    await db?.destroy();
  }

  async record(entry: AuditEntry): Promise<void> {
    const row = toRow(entry);
    try {
      const db = await this.database();
      await db.insertInto('audit_records').values(row).execute();
      this.writes.next(true);
    } catch (err) {
      this.writes.next(false);
      if (err instanceof AuditDatabaseError) throw err;
      const reason = scrub(err instanceof Error ? err.message : String(err), this.options.databaseUrl);
      this.logger.error(`could not record ${row.operation} by ${row.identity}: ${reason}`);
      throw new AuditDatabaseError(`Audit trail: the record of this call could not be written (${reason}); the call is refused so that nothing goes unrecorded. Retry, or ask an operator to check the audit database.`);
    }
  }

  /**
   * Whether a record could be written now, without keeping one: a row is inserted in a transaction that is
   * rolled back. Finds a missing table, a read-only or locked database and an unreachable server; it takes the
   * write lock for a moment, and writes nothing to disk. Rejects with the reason.
   */
  async checkWritable(): Promise<void> {
    const db = await this.database();
    const rollback = new Error('rollback');
    const row = toRow({ identity: 'readiness-check', transport: 'rest', operation: 'readiness_check', namespace: null, job: null, arguments: {}, outcome: 'ok', status: 200, eval_id: null, duration_ms: 0, error: null });
    try {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('audit_records').values(row).execute();
        throw rollback;
      });
    } catch (err) {
      if (err === rollback) return;
      throw new AuditDatabaseError(scrub(err instanceof Error ? err.message : String(err), this.options.databaseUrl));
    }
  }

  /**
   * Records the one use of a single-use grant (a confirmation token); false when it was used before. Kept in
   * the trail's database so that replicas sharing it (Postgres) refuse a token another replica already took.
   * Expired uses are swept now and then: their grants are refused for being expired anyway.
   */
  async useOnce(key: string, expiresAt: Date): Promise<boolean> {
    const db = await this.database();
    const now = new Date().toISOString();
    if (++this.usesSinceSweep >= 100) {
      this.usesSinceSweep = 0;
      await db.deleteFrom('used_once').where('expires_at', '<', now).execute();
    }
    const inserted = await db
      .insertInto('used_once')
      .values({ key, used_at: now, expires_at: expiresAt.toISOString() })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async query(filter: AuditFilter = {}): Promise<AuditPage> {
    const limit = pageSize(filter.limit);
    const since = filter.since === undefined ? undefined : isoTime(filter.since, 'since');
    const until = filter.until === undefined ? undefined : isoTime(filter.until, 'until');
    const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    const db = await this.database();
    let q = db.selectFrom('audit_records').selectAll();
    if (filter.identity !== undefined) q = q.where('identity', '=', filter.identity);
    if (filter.job !== undefined) q = q.where('job', '=', filter.job);
    if (filter.operation !== undefined) q = q.where('operation', '=', filter.operation);
    if (filter.outcome !== undefined) q = q.where('outcome', '=', filter.outcome);
    if (since !== undefined) q = q.where('time', '>=', since);
    if (until !== undefined) q = q.where('time', '<', until);
    if (after) q = q.where((eb) => eb.or([eb('time', '<', after.time), eb.and([eb('time', '=', after.time), eb('id', '<', after.id)])]));
    const rows = await q.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit).map(fromRow);
    const last = page[page.length - 1];
    return { records: page, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** The trail's database, for the tables kept beside the records (pending changes, the approval page's sessions). */
  async connection(): Promise<Kysely<AuditDatabase>> {
    return this.database();
  }

  /** A driver message without the database URL's password. */
  scrub(message: string): string {
    return scrub(message, this.options.databaseUrl);
  }

  private async database(): Promise<Kysely<AuditDatabase>> {
    if (this.closed) throw new AuditDatabaseError('Audit trail: the store is closed (the service is shutting down); retry against a running instance.');
    if (this.db) return this.db;
    this.opening ??= openAuditDatabase(this.options).then(({ db, where }) => {
      this.logger.log(`audit trail in ${where}`);
      return db;
    });
    try {
      this.db = await this.opening;
    } catch (err) {
      this.opening = undefined; // a later call tries again (the database may be back)
      throw err;
    }
    return this.db;
  }
}

let lastMs = 0;
let counter = 0;
/** A new record id: hex milliseconds, a counter within the millisecond, then randomness; sorts in creation order. */
export function newAuditId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else counter++;
  return `${lastMs.toString(16).padStart(12, '0')}-${counter.toString(16).padStart(6, '0')}-${randomBytes(8).toString('hex')}`;
}

function toRow(e: AuditEntry): AuditRow {
  const error = e.error == null ? null : String(e.error);
  return {
    id: e.id ?? newAuditId(),
    time: e.time === undefined ? new Date().toISOString() : isoTime(e.time, 'time'),
    identity: e.identity,
    transport: e.transport,
    operation: e.operation,
    namespace: e.namespace ?? null,
    job: e.job ?? null,
    arguments: JSON.stringify(redactArguments(e.arguments) ?? null),
    outcome: e.outcome,
    status: Math.trunc(e.status),
    eval_id: e.eval_id ?? null,
    duration_ms: Math.max(0, Math.round(e.duration_ms)),
    error: error === null ? null : error.length > ERROR_MAX_CHARS ? `${error.slice(0, ERROR_MAX_CHARS - 1)}…` : error,
  };
}

function fromRow(r: AuditRow): AuditRecord {
  return {
    id: r.id, time: r.time, identity: r.identity, transport: r.transport as AuditTransport, operation: r.operation,
    namespace: r.namespace, job: r.job, arguments: JSON.parse(r.arguments) as unknown, outcome: r.outcome as AuditOutcome,
    status: Number(r.status), eval_id: r.eval_id, duration_ms: Number(r.duration_ms), error: r.error,
  };
}

/** Every stored time has the one width toISOString gives, so that text order is time order. */
function isoTime(value: string | Date, field: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value))) {
    throw new BadRequestException(`"${field}" must be an ISO 8601 time such as 2026-01-31T12:00:00Z.`);
  }
  return d.toISOString();
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return AUDIT_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) {
    throw new BadRequestException(`"limit" must be a whole number from 1 to ${AUDIT_MAX_LIMIT}.`);
  }
  return limit;
}
