import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditStore } from './audit.store';
import { PendingChangeRow } from './audit-schema';
import { redactArguments } from './redact-arguments';

/** What a pending change is now; `expired` is a pending or approved change whose time ran out. */
export type PendingStatus = 'pending' | 'approved' | 'denied' | 'applied' | 'expired';

/** A change waiting for (or decided by) a person, as the approval page and the gate read it. */
export interface PendingChange {
  id: string;
  created_at: string;
  expires_at: string;
  status: PendingStatus;
  operation: string;
  identity: string;
  transport: string;
  namespace: string | null;
  job: string | null;
  /** Redacted as the audit trail redacts. */
  arguments: unknown;
  args_digest: string;
  modify_index: number | null;
  plan: { summary: string; destructive: boolean; modify_index: number | null; details?: Record<string, unknown> };
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  applied_at: string | null;
}

/** What the gate records when it holds a change: the request's part of a PendingChange, and when it expires. */
export type NewPendingChange = Pick<
  PendingChange,
  'operation' | 'identity' | 'transport' | 'namespace' | 'job' | 'arguments' | 'args_digest' | 'modify_index' | 'plan'
> & { expiresAt: Date };

/** Approval ids: what an agent passes back as confirm_token; not a secret (it is bound to the caller who asked). */
export const APPROVAL_ID = /^approval-[0-9a-f]{24}$/;

const newApprovalId = () => `approval-${randomBytes(12).toString('hex')}`;

/**
 * Changes that wait for a person's approval (NOMAD_MCP_CONFIRM_BY=human), kept in the audit trail's database so
 * that every replica sharing it (Postgres) shows the same ones and any of them can decide. Every transition is
 * one conditional UPDATE (`where status = …`), so two replicas deciding at once, or an apply racing a deny, end
 * with exactly one winner.
 */
@Injectable()
export class PendingChangeStore {
  constructor(private readonly audit: AuditStore) {}

  /** Stores a new pending change; an identical one still waiting (same caller, operation, arguments, job state) is reused. */
  async create(c: NewPendingChange): Promise<PendingChange> {
    const db = await this.audit.connection();
    const now = new Date().toISOString();
    let q = db.selectFrom('pending_changes').selectAll()
      .where('status', '=', 'pending').where('expires_at', '>', now)
      .where('identity', '=', c.identity).where('operation', '=', c.operation).where('args_digest', '=', c.args_digest);
    q = c.modify_index === null ? q.where('modify_index', 'is', null) : q.where('modify_index', '=', c.modify_index);
    const same = await q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    if (same) return fromRow(same);
    const row: PendingChangeRow = {
      id: newApprovalId(), created_at: now, expires_at: c.expiresAt.toISOString(), status: 'pending',
      operation: c.operation, identity: c.identity, transport: c.transport, namespace: c.namespace, job: c.job,
      arguments: JSON.stringify(redactArguments(c.arguments) ?? null), args_digest: c.args_digest, modify_index: c.modify_index,
      plan: JSON.stringify(redactArguments(c.plan)), decided_by: null, decided_at: null, reason: null, applied_at: null,
    };
    await db.insertInto('pending_changes').values(row).execute();
    return fromRow(row);
  }

  async get(id: string): Promise<PendingChange | undefined> {
    if (!APPROVAL_ID.test(id)) return undefined;
    const db = await this.audit.connection();
    const row = await db.selectFrom('pending_changes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** Changes still waiting for a decision, oldest first (the first to expire at the top). */
  async waiting(limit = 100): Promise<PendingChange[]> {
    const db = await this.audit.connection();
    const rows = await db.selectFrom('pending_changes').selectAll()
      .where('status', '=', 'pending').where('expires_at', '>', new Date().toISOString())
      .orderBy('created_at', 'asc').limit(limit).execute();
    return rows.map(fromRow);
  }

  /** The latest changes of every state (or of one job), newest first. */
  async recent(opts: { job?: string; namespace?: string; limit?: number } = {}): Promise<PendingChange[]> {
    const db = await this.audit.connection();
    let q = db.selectFrom('pending_changes').selectAll();
    if (opts.job !== undefined) q = q.where('job', '=', opts.job);
    if (opts.namespace !== undefined) q = q.where('namespace', '=', opts.namespace);
    const rows = await q.orderBy('created_at', 'desc').limit(opts.limit ?? 20).execute();
    return rows.map(fromRow);
  }

  /**
   * A person's decision on a change still pending and not expired; false when it was not (already decided, or
   * expired). An approval gives the caller `applyWithin` to apply it.
   */
  async decide(id: string, decision: 'approved' | 'denied', by: string, reason: string | null, applyWithin: number): Promise<boolean> {
    const db = await this.audit.connection();
    const now = new Date();
    const set: Partial<PendingChangeRow> = { status: decision, decided_by: by, decided_at: now.toISOString(), reason };
    if (decision === 'approved') set.expires_at = new Date(now.getTime() + applyWithin).toISOString();
    const r = await db.updateTable('pending_changes').set(set)
      .where('id', '=', id).where('status', '=', 'pending').where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Takes an approved change for its one apply; false when it is not (any more) approved and in time. */
  async takeForApply(id: string): Promise<boolean> {
    const db = await this.audit.connection();
    const now = new Date().toISOString();
    const r = await db.updateTable('pending_changes').set({ status: 'applied', applied_at: now })
      .where('id', '=', id).where('status', '=', 'approved').where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function fromRow(r: PendingChangeRow): PendingChange {
  const expired = (r.status === 'pending' || r.status === 'approved') && r.expires_at <= new Date().toISOString();
  return {
    ...r,
    status: expired ? 'expired' : (r.status as PendingStatus),
    arguments: JSON.parse(r.arguments) as unknown,
    modify_index: r.modify_index === null ? null : Number(r.modify_index),
    plan: JSON.parse(r.plan) as PendingChange['plan'],
  };
}
