import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ConfirmPolicy, Principal } from '@nomad-mcp/auth';
import { AuditStore } from '../../audit/audit.store';
import { PendingChangeStore } from '../../audit/pending-changes.store';
import { ErrorBody } from '../../common/all-exceptions.filter';
import { AppConfig, APP_CONFIG } from '../../config/env.schema';
import { argumentsDigest, ConfirmationClaims, ConfirmationSigner } from './confirmation-token';
import { ChangePlan, OperationContext, OperationDefinition, OperationHandler } from './operation';
import { OperationFailure } from './operation-failure';
import { ApprovalNeeded, HumanApproval } from './human-approval';

/**
 * What the gate decided for a change that needs confirmation: a plan was answered to a call without a token
 * (`planned`), a token was accepted (`accepted`), or a token was not (`refused`: forged, foreign, stale,
 * expired, reused or for other arguments; some of those answer a fresh plan too).
 */
export interface ConfirmationDecision {
  operation: string;
  decision: 'planned' | 'accepted' | 'refused';
}

/** The answer of a change that was not applied because it needs (fresh) confirmation: the plan and a token. */
export class ConfirmationNeeded extends OperationFailure {}

const REFUSED_STEP = (op: string) =>
  `Nothing was changed. Call ${op} again without confirm_token to get a plan and a token of your own, show the plan to the user, and apply only after they agree.`;

/**
 * Confirmed changes. When the caller's policy asks for it, a change runs only on the second call: the first
 * answers the operation's plan (what would stop, what would change) and a signed, single-use token bound to
 * the caller, the operation, the arguments and the job's modify index; the repeat with that token applies it.
 * A stale (the job changed), reused, expired or foreign token changes nothing. Policy, per caller:
 * `destructive` (stop, purge, restart, updating an existing job), `writes` (every change) or `off`.
 */
@Injectable()
export class ConfirmationGate implements OnModuleDestroy {
  private readonly logger = new Logger('Confirmations');
  private readonly decisions = new Subject<ConfirmationDecision>();
  private readonly signer: ConfirmationSigner;
  private readonly ttlMs: number;
  /** Used tokens when there is no durable store (tests that build the executor alone). */
  private readonly usedInMemory = new Map<string, number>();
  /** NOMAD_MCP_CONFIRM_BY=human: a person approves instead of the caller's token. */
  private readonly human?: HumanApproval;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly store?: AuditStore,
    @Optional() pending?: PendingChangeStore,
  ) {
    this.signer = new ConfirmationSigner(config.auth?.confirmSecret);
    this.ttlMs = (config.auth?.confirmTtlSeconds ?? 300) * 1000;
    if (config.auth?.confirmBy === 'human') {
      this.human = new HumanApproval(pending, { waitMs: (config.auth.approvalTtlSeconds ?? 3600) * 1000, applyMs: this.ttlMs, publicUrl: config.http?.publicUrl });
    }
  }

  /** Every decision on a change that needed confirmation (metrics subscribe). */
  get decisions$(): Observable<ConfirmationDecision> {
    return this.decisions.asObservable();
  }

  onModuleDestroy(): void {
    this.decisions.complete();
  }

  /** The caller's own policy (identities file), else NOMAD_MCP_CONFIRM, else destructive for identities and off for plain keys. */
  policyFor(principal: Principal): ConfirmPolicy {
    return principal.confirm ?? this.config.auth?.confirmPolicy ?? (principal.permissions ? 'destructive' : 'off');
  }

  /** Returns when the call may run; throws its plan (428/409) or a refusal (403) when it may not. */
  async admit(def: OperationDefinition, handler: OperationHandler, ctx: OperationContext, input: object): Promise<void> {
    if (def.annotations.readOnly) return;
    const policy = this.policyFor(ctx.principal);
    if (policy === 'off' || (policy === 'destructive' && !def.annotations.destructive && !handler.plan)) return;
    const plan = handler.plan ? await handler.plan(ctx, input) : genericPlan(def);
    if (policy === 'destructive' && !plan.destructive) return;
    const token = (input as { confirm_token?: unknown }).confirm_token;
    if (this.human) {
      try {
        await this.human.admit(def, ctx, input, plan, token);
      } catch (err) {
        this.decisions.next({ operation: def.name, decision: err instanceof ApprovalNeeded && typeof token !== 'string' ? 'planned' : 'refused' });
        throw err;
      }
      this.decisions.next({ operation: def.name, decision: 'accepted' });
      return;
    }
    if (typeof token !== 'string') {
      this.decisions.next({ operation: def.name, decision: 'planned' });
      throw this.planned(428, def, ctx.principal, input, plan, `${def.name} needs the user's confirmation.`);
    }
    try {
      await this.redeem(token, def, ctx, input, plan);
    } catch (err) {
      this.decisions.next({ operation: def.name, decision: 'refused' });
      throw err;
    }
    this.decisions.next({ operation: def.name, decision: 'accepted' });
  }

  /** Returns when the token confirms this very call and had not been used; throws a refusal or a fresh plan otherwise. */
  private async redeem(token: string, def: OperationDefinition, ctx: OperationContext, input: object, plan: ChangePlan): Promise<void> {
    const opened = this.signer.open(token);
    if (!opened.ok) throw refused(def, `The confirm_token is not one this service issued (${opened.reason === 'forged' ? 'its signature does not match: altered, or signed by another deployment' : 'malformed'}).`);
    const c = opened.claims;
    if (c.who !== ctx.principal.name) throw refused(def, 'The confirm_token was issued to another caller; a plan is confirmed by the caller that asked for it.');
    if (c.op !== def.name || c.args !== argumentsDigest(input)) {
      throw this.planned(428, def, ctx.principal, input, plan, `The confirm_token was issued for ${c.op === def.name ? 'other arguments' : c.op}, not this call.`);
    }
    if (c.exp <= Date.now()) throw this.planned(428, def, ctx.principal, input, plan, 'The confirm_token has expired.');
    if (c.index !== plan.modify_index) {
      throw this.planned(409, def, ctx.principal, input, plan,
        `The job changed since the plan was made (modify index ${c.index ?? 'none'}, now ${plan.modify_index ?? 'none'}), so the confirmed plan no longer holds.`);
    }
    if (!(await this.useOnce(c))) throw this.planned(409, def, ctx.principal, input, plan, 'The confirm_token was already used: it applies a plan once.');
  }

  private planned(status: 428 | 409, def: OperationDefinition, principal: Principal, input: object, plan: ChangePlan, why: string): ConfirmationNeeded {
    const { token, claims } = this.signer.sign({
      op: def.name, who: principal.name, args: argumentsDigest(input), index: plan.modify_index, exp: Date.now() + this.ttlMs,
    });
    const expires = new Date(claims.exp).toISOString();
    const body: ErrorBody = {
      statusCode: status,
      error: status === 428 ? 'Precondition Required' : 'Conflict',
      message: `Nothing was changed: ${why} Plan: ${plan.summary}`,
      next_step:
        `Show the user this plan and ask whether to go ahead. If they agree, call ${def.name} again with the same arguments and ` +
        `confirm_token "${token}" (valid until ${expires}, once).`,
      confirmation: { operation: def.name, confirm_token: token, expires_at: expires, plan },
    };
    return new ConfirmationNeeded(body);
  }

  /** Records the token's one use: durably (shared by replicas) when the audit database is there. */
  private async useOnce(c: ConfirmationClaims): Promise<boolean> {
    if (!this.store) {
      const now = Date.now();
      for (const [k, exp] of this.usedInMemory) if (exp < now) this.usedInMemory.delete(k);
      if (this.usedInMemory.has(c.nonce)) return false;
      this.usedInMemory.set(c.nonce, c.exp);
      return true;
    }
    try {
      return await this.store.useOnce(`confirm:${c.nonce}`, new Date(c.exp));
    } catch (err) {
      this.logger.error(`could not record the use of a confirmation token: ${err instanceof Error ? err.message : String(err)}`);
      throw new OperationFailure({
        statusCode: 503, error: 'Service Unavailable',
        message: 'Nothing was changed: the use of the confirm_token could not be recorded (the audit database is not answering), and a token must not apply twice.',
        next_step: 'Retry the same call in a moment; if it keeps failing, ask an operator to check the audit database (AUDIT_DB_PATH or DATABASE_URL).',
      });
    }
  }
}

function refused(def: OperationDefinition, message: string): OperationFailure {
  return new OperationFailure({ statusCode: 403, error: 'Forbidden', message: `${message} Nothing was changed.`, next_step: REFUSED_STEP(def.name) });
}

/** For a change operation without a plan of its own: what it is, and that it cannot be previewed. */
function genericPlan(def: OperationDefinition): ChangePlan {
  return { summary: `${def.title} (this operation cannot show more before it runs).`, destructive: def.annotations.destructive, modify_index: null };
}
