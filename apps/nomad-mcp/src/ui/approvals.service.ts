import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { globMatches, Principal } from '@nomad-mcp/auth';
import { AuditStore } from '../audit/audit.store';
import { auditTime } from '../audit/audit-time';
import { AUDIT_OUTCOMES, AuditFilter, AuditOutcome, AuditPage } from '../audit/audit-record';
import { PendingChange, PendingChangeStore } from '../audit/pending-changes.store';
import { AppConfig, APP_CONFIG } from '../config/env.schema';

/** What a decision came to, for the page to say. */
export type DecisionResult = { ok: true; message: string } | { ok: false; message: string; own?: boolean };

/** The audit page's filters as typed (times as ISO 8601, or `30m`, `2h`, `7d` back). */
export interface TrailQuery {
  identity?: string;
  job?: string;
  operation?: string;
  outcome?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

/**
 * What the approval page does, apart from HTTP: the changes waiting, a person's decision (recorded in the audit
 * trail like any call, as the approver, transport `ui`), the trail and one job's history. A person sees and
 * decides only on changes in namespaces their identity may use.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly pending: PendingChangeStore,
    private readonly audit: AuditStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async waiting(who: Principal): Promise<PendingChange[]> {
    return (await this.pending.waiting()).filter((c) => this.visible(who, c));
  }

  async recent(who: Principal, opts: { job?: string; namespace?: string } = {}): Promise<PendingChange[]> {
    return (await this.pending.recent({ ...opts, limit: 20 })).filter((c) => this.visible(who, c));
  }

  async get(who: Principal, id: string): Promise<PendingChange | undefined> {
    const c = await this.pending.get(id);
    return c && this.visible(who, c) ? c : undefined;
  }

  /**
   * Approves or denies a change still waiting. Every attempt leaves one audit record, as the approver: done
   * (ok), too late (invalid, 409), or refused because the approver asked for the change itself (denied, 403).
   */
  async decide(who: Principal, id: string, decision: 'approved' | 'denied', reason: string | null): Promise<DecisionResult> {
    const started = Date.now();
    const c = await this.get(who, id);
    if (!c) return { ok: false, message: `No change ${id} is visible to '${who.name}'.` };
    // the point is a second pair of eyes: an agent whose key may also approve must not approve its own change
    const own = c.identity === who.name;
    const applyWithin = (this.config.auth?.confirmTtlSeconds ?? 300) * 1000;
    const done = !own && c.status === 'pending' && (await this.pending.decide(id, decision, who.name, reason, applyWithin));
    const now = done || own ? c : await this.pending.get(id);
    const problem = own ? `'${who.name}' asked for this change, so another person must decide on it` : `the change was ${now?.status ?? 'gone'} already`;
    await this.audit.record({
      identity: who.name, transport: 'ui', operation: decision === 'approved' ? 'approve_change' : 'deny_change', namespace: c.namespace, job: c.job,
      arguments: { approval_id: c.id, operation: c.operation, requested_by: c.identity, ...(reason ? { reason } : {}) },
      outcome: done ? 'ok' : own ? 'denied' : 'invalid', status: done ? 200 : own ? 403 : 409, eval_id: null, duration_ms: Date.now() - started,
      error: done ? null : problem,
    });
    if (!done) return { ok: false, own, message: `Nothing was decided: ${problem}.` };
    return decision === 'approved'
      ? { ok: true, message: `Approved: ${c.identity} may now apply ${c.operation} (once, within ${Math.round(applyWithin / 1000)} s, if the job is unchanged).` }
      : { ok: true, message: `Denied: ${c.identity} is told so when it asks.` };
  }

  /**
   * A page of the trail, newest first, 50 to a page; a person bound to some namespaces sees only records in
   * those (and none without a namespace). A bad filter comes back as `problem` with an empty page.
   */
  async trail(who: Principal, q: TrailQuery): Promise<{ page: AuditPage; problem?: string }> {
    if (q.outcome && !(AUDIT_OUTCOMES as readonly string[]).includes(q.outcome)) {
      return { page: { records: [], next_cursor: null }, problem: `"outcome" must be one of ${AUDIT_OUTCOMES.join(', ')}.` };
    }
    const filter: AuditFilter = {
      identity: q.identity, job: q.job, operation: q.operation, outcome: q.outcome as AuditOutcome | undefined,
      since: auditTime(q.since), until: auditTime(q.until), cursor: q.cursor, limit: q.limit ?? 50,
    };
    try {
      const page = await this.audit.query(filter);
      return { page: { ...page, records: page.records.filter((r) => this.visibleNamespace(who, r.namespace)) } };
    } catch (err) {
      if (err instanceof BadRequestException) return { page: { records: [], next_cursor: null }, problem: err.message };
      throw err;
    }
  }

  private visible(who: Principal, c: PendingChange): boolean {
    return this.visibleNamespace(who, c.namespace);
  }

  /** In the person's namespaces; a change or record without one (a node's) only for those bound to none. */
  private visibleNamespace(who: Principal, ns: string | null): boolean {
    if (ns === null) return !who.namespaces && !this.config.auth?.allowedNamespaces;
    const within = (globs?: readonly string[]) => !globs || globs.some((g) => globMatches(g, ns));
    return within(who.namespaces) && within(this.config.auth?.allowedNamespaces);
  }
}
