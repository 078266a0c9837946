import { Inject, NotFoundException } from '@nestjs/common';
import { PendingChange, PendingChangeStore } from '../../audit/pending-changes.store';
import { AppConfig, APP_CONFIG } from '../../config/env.schema';
import { approvalUrl, mayApprove } from '../core/human-approval';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { WaitForApprovalDto, WaitForApprovalResult } from './dto/wait-for-approval.dto';

/** How often the shared database is asked (a decision may come from any replica). */
const POLL_MS = 1000;
/** How often a long wait tells the caller it is still waiting. */
const REPORT_MS = 10_000;

@Operation({
  name: 'wait_for_approval',
  title: 'Wait for a person\'s approval',
  description:
    "Wait until a person approves or denies a change that waits for approval (the answer of a change named an approval_id and a page), " +
    'or timeout_seconds (default 300, at most 900) pass. Approved: call the same operation again with the same arguments and confirm_token set ' +
    'to the approval id, once. Denied: do not retry; tell the user. Sends progress as MCP progress notifications when the client gives a ' +
    'progress token. Read-only: it changes nothing, and it cannot approve anything.',
  input: WaitForApprovalDto,
  output: WaitForApprovalResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 846,
  rest: { method: 'GET', path: 'approvals/:approval_id/wait', stream: true },
})
export class WaitForApprovalOp implements OperationHandler<WaitForApprovalDto, WaitForApprovalResult> {
  constructor(
    private readonly pending: PendingChangeStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(ctx: OperationContext, input: WaitForApprovalDto): Promise<WaitForApprovalResult> {
    const started = Date.now();
    const deadline = started + (input.timeout_seconds ?? 300) * 1000;
    let c = await this.find(ctx, input.approval_id);
    const url = approvalUrl(this.config.http?.publicUrl, c.id);
    let reported = 0;
    while (c.status === 'pending' && Date.now() < deadline && !ctx.signal?.aborted) {
      if (Date.now() - reported >= REPORT_MS) {
        reported = Date.now();
        ctx.progress(`${c.operation}${c.job ? ` on job '${c.job}'` : ''} waits for a person's approval at ${url} (${Math.round((Date.now() - started) / 1000)} s so far)`);
      }
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())), ctx.signal);
      c = (await this.pending.get(c.id)) ?? c;
    }
    if (c.status !== 'pending') ctx.progress(`${c.status}`);
    return this.answer(c, url, Math.round((Date.now() - started) / 1000));
  }

  /** The caller's own pending change (or any, for a person who may approve); others' look like none at all. */
  private async find(ctx: OperationContext, id: string): Promise<PendingChange> {
    const c = await this.pending.get(id);
    if (!c || (c.identity !== ctx.principal.name && !mayApprove(ctx.principal))) {
      throw new NotFoundException({
        message: `No change of yours waits under approval id ${id}.`,
        next_step: 'Use the approval_id the change\'s own answer gave (changes wait for a person only where NOMAD_MCP_CONFIRM_BY=human); call the change again to ask anew.',
      });
    }
    if (c.namespace) ctx.namespace(c.namespace);
    return c;
  }

  private answer(c: PendingChange, url: string, waited: number): WaitForApprovalResult {
    const what = `${c.operation}${c.job ? ` on job '${c.job}'` : ''}`;
    const message = {
      pending: `${what} still waits for a person's approval at ${url} after ${waited} s (until ${c.expires_at}). Call wait_for_approval again to keep waiting; tell the user where to approve it.`,
      approved: `${c.decided_by} approved ${what}${c.reason ? ` ("${c.reason}")` : ''}. Apply it now: call ${c.operation} again with the same arguments and confirm_token "${c.id}" (once, before ${c.expires_at}).`,
      denied: `${c.decided_by} denied ${what}${c.reason ? `: "${c.reason}"` : ''}. Nothing was changed. Do not retry the same change: tell the user and ask what they want instead.`,
      applied: `${what} was applied with this approval at ${c.applied_at}; it applies once. Check the result with get_job_status.`,
      expired: `The approval of ${what} expired at ${c.expires_at}${c.decided_by ? ' before it was used' : ' without a decision'}. Nothing was changed; call ${c.operation} again to ask anew if it is still wanted.`,
    }[c.status];
    return {
      message, approval_id: c.id, status: c.status, operation: c.operation, job_id: c.job, namespace: c.namespace,
      decided_by: c.decided_by, reason: c.reason, expires_at: c.expires_at, url, waited_seconds: waited,
    };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
