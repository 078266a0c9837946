import { Logger } from '@nestjs/common';
import type { Principal } from '@nomad-mcp/auth';
import { APPROVAL_ID, PendingChange, PendingChangeStore } from '../../audit/pending-changes.store';
import { ErrorBody } from '../../common/all-exceptions.filter';
import { argumentsDigest } from './confirmation-token';
import { ChangePlan, OperationContext, OperationDefinition } from './operation';
import { OperationFailure } from './operation-failure';

/** The answer of a change that waits for (or was refused by) a person: nothing was changed. */
export class ApprovalNeeded extends OperationFailure {}

/** Where the approval page is: PUBLIC_URL's when set, else a path on this service. */
export function approvalUrl(publicUrl: string | undefined, id: string): string {
  return `${publicUrl ? publicUrl.replace(/\/+$/, '') : ''}/ui/approvals/${id}`;
}

export interface HumanApprovalOptions {
  /** How long a change waits for a person. */
  waitMs: number;
  /** How long the caller has to apply it once approved (NOMAD_MCP_CONFIRM_TTL_SECONDS). */
  applyMs: number;
  publicUrl?: string;
}

/**
 * NOMAD_MCP_CONFIRM_BY=human: a change the gate holds becomes a pending change a person approves or denies on
 * the approval page. The agent's call answers 428 with an approval id; once a person approved, the agent's
 * next call of the same operation with the same arguments and `confirm_token: <approval id>` applies it — as
 * itself, through the one pipeline, once, and only if the job has not changed since the plan the person saw
 * (the JobModifyIndex binding of confirmation tokens). The service never applies a change on its own and never
 * stores the arguments' secret values (only a digest binds them).
 */
export class HumanApproval {
  private readonly logger = new Logger('Approvals');

  constructor(private readonly store: PendingChangeStore | undefined, private readonly o: HumanApprovalOptions) {}

  /** Returns when the call carries an approval a person gave for exactly this call; throws the answer otherwise. */
  async admit(def: OperationDefinition, ctx: OperationContext, input: object, plan: ChangePlan, token: unknown): Promise<void> {
    const store = this.requireStore();
    if (typeof token !== 'string') throw await this.waiting(store, def, ctx, input, plan, `${def.name} needs a person's approval.`);
    if (!APPROVAL_ID.test(token)) {
      throw refusal(403, 'Forbidden', `This service has changes approved by a person (NOMAD_MCP_CONFIRM_BY=human): a confirm_token of the caller's own is not accepted. Nothing was changed.`,
        `Call ${def.name} again without confirm_token: the answer gives an approval id and the page where a person approves it.`);
    }
    const c = await this.read(store, token);
    if (!c) throw refusal(404, 'Not Found', `No change waits under approval id ${token}. Nothing was changed.`, `Call ${def.name} again without confirm_token to ask for approval anew.`);
    if (c.identity !== ctx.principal.name) {
      throw refusal(403, 'Forbidden', `Approval ${c.id} was asked for by another caller; an approval applies to the call of the caller that asked. Nothing was changed.`,
        `Call ${def.name} again without confirm_token to ask for approval of your own.`);
    }
    if (c.operation !== def.name || c.args_digest !== argumentsDigest(input)) {
      throw await this.waiting(store, def, ctx, input, plan, `Approval ${c.id} is for ${c.operation === def.name ? 'other arguments' : c.operation}, not this call.`);
    }
    if (c.status === 'pending') throw this.answer(def, c, `${def.name} is still waiting for a person's approval.`);
    if (c.status === 'denied') {
      throw refusal(403, 'Forbidden', `${c.decided_by} denied ${def.name} (approval ${c.id})${c.reason ? `: "${c.reason}"` : ''}. Nothing was changed.`,
        'Do not retry the same change: tell the user it was denied and why, and ask what they want instead.');
    }
    if (c.status === 'applied') throw await this.waiting(store, def, ctx, input, plan, `Approval ${c.id} was already used: it applies a change once.`, 409);
    if (c.status === 'expired') throw await this.waiting(store, def, ctx, input, plan, `Approval ${c.id} expired at ${c.expires_at}.`);
    if (c.modify_index !== plan.modify_index) {
      throw await this.waiting(store, def, ctx, input, plan,
        `The job changed since the plan ${c.decided_by} approved (modify index ${c.modify_index ?? 'none'}, now ${plan.modify_index ?? 'none'}), so that approval no longer holds.`, 409);
    }
    if (!(await this.take(store, c.id))) throw await this.waiting(store, def, ctx, input, plan, `Approval ${c.id} is no longer valid (used or expired meanwhile).`, 409);
    ctx.note({ approval: { approval_id: c.id, approved_by: c.decided_by ?? '' } });
  }

  /** A new pending change (or the same one still waiting) and the answer that names it. */
  private async waiting(store: PendingChangeStore, def: OperationDefinition, ctx: OperationContext, input: object, plan: ChangePlan, why: string, status: 428 | 409 = 428): Promise<ApprovalNeeded> {
    const raw = { ...(input as Record<string, unknown>) };
    delete raw.confirm_token;
    const c = await this.guard(() => store.create({
      operation: def.name, identity: ctx.principal.name, transport: ctx.transport,
      // the plan names the namespace it resolved (the default one when the call named none)
      namespace: text(plan.details?.namespace) ?? text(raw.namespace), job: text(plan.details?.job_id) ?? text(raw.job_id),
      arguments: raw, args_digest: argumentsDigest(input), modify_index: plan.modify_index, plan,
      expiresAt: new Date(Date.now() + this.o.waitMs),
    }));
    return this.answer(def, c, why, status);
  }

  private answer(def: OperationDefinition, c: PendingChange, why: string, status: 428 | 409 = 428): ApprovalNeeded {
    const url = approvalUrl(this.o.publicUrl, c.id);
    const body: ErrorBody = {
      statusCode: status,
      error: status === 428 ? 'Precondition Required' : 'Conflict',
      message: `Nothing was changed: ${why} Waiting for approval at ${url} (approval id ${c.id}, until ${c.expires_at}). Plan: ${c.plan.summary}`,
      next_step:
        `Tell the user the change waits for a person's approval at ${url}. Then call wait_for_approval with approval_id "${c.id}"; ` +
        `once approved, call ${def.name} again with the same arguments and confirm_token "${c.id}". Do not try to approve it yourself.`,
      approval: { approval_id: c.id, operation: def.name, status: c.status, url, expires_at: c.expires_at, plan: c.plan },
    };
    return new ApprovalNeeded(body);
  }

  private read(store: PendingChangeStore, id: string): Promise<PendingChange | undefined> {
    return this.guard(() => store.get(id));
  }

  private take(store: PendingChangeStore, id: string): Promise<boolean> {
    return this.guard(() => store.takeForApply(id));
  }

  private requireStore(): PendingChangeStore {
    if (this.store) return this.store;
    throw refusal(503, 'Service Unavailable', 'Nothing was changed: changes wait for a person (NOMAD_MCP_CONFIRM_BY=human), but this service has no database for pending changes.',
      'Ask an operator to run the service with its audit database (AUDIT_DB_PATH or DATABASE_URL).');
  }

  /** A database that does not answer refuses the change (503): an approval must never apply twice or unseen. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.logger.error(`pending changes: ${err instanceof Error ? err.message : String(err)}`);
      throw refusal(503, 'Service Unavailable', 'Nothing was changed: the pending changes could not be read or written (the audit database is not answering).',
        'Retry the same call in a moment; if it keeps failing, ask an operator to check the audit database (AUDIT_DB_PATH or DATABASE_URL).');
    }
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function refusal(statusCode: number, error: string, message: string, next_step: string): OperationFailure {
  return new OperationFailure({ statusCode, error, message, next_step });
}

/** Who may decide on the approval page: `approve` or `admin` (or every scope). */
export function mayApprove(principal: Principal): boolean {
  const held = principal.permissions;
  return !held || held.includes('*') || held.includes('approve') || held.includes('admin');
}
