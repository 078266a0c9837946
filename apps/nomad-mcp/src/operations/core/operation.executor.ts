import { HttpException, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AuditStore } from '../../audit/audit.store';
import type { Principal } from '@nomad-mcp/auth';
import { NomadError, writeMayHaveApplied } from '@nomad-mcp/nomad';
import { toErrorBody } from '../../common/all-exceptions.filter';
import { validateInput } from '../../common/validation';
import { AppConfig, APP_CONFIG } from '../../config/env.schema';
import { AccessPolicy } from './access';
import { nomadPermissionDenied, runAsCaller } from './caller-nomad-token';
import { ConfirmationGate, ConfirmationNeeded } from './confirmation.gate';
import { ApprovalNeeded } from './human-approval';
import { OperationFailure } from './operation-failure';
import { CallFacts, OperationContext, OperationDefinition, OperationResult, ProgressUpdate, Transport } from './operation';
import { OperationEvent, OperationEvents, Outcome } from './operation-events';
import { OperationRegistry } from './operation.registry';
import { namesNextCall, nextStep, saysJobMissing } from './next-step';
import { renderResult } from './render';
import { OperationTracing } from '../../tracing/operation-tracing';

export interface Call {
  principal: Principal;
  transport: Transport;
  /** Where the call's progress reports go (MCP notifications, REST events), when the caller asked for them. */
  progress?: (update: ProgressUpdate) => void;
  /** Aborted when the caller goes away. */
  signal?: AbortSignal;
  /** The caller's W3C `traceparent` (REST header; MCP `_meta.traceparent` or header): the call's span continues its trace. */
  traceparent?: string | string[];
}

export interface ExecuteOptions {
  /**
   * A route's own checks of its raw input, run as the validation step (so a refusal is an 'invalid' call, audited
   * like any other); resolves to the operation's raw input, which is then validated against the operation's DTO.
   */
  prepare?: (rawInput: unknown) => Promise<unknown>;
}

/** A finished call: the answer as data (REST, structuredContent) and as text (MCP content). */
export interface Executed<O extends OperationResult = OperationResult> {
  def: OperationDefinition;
  result: O;
  /** The text rendering (computed when read). */
  readonly text: string;
  /** HTTP status of the success (REST). */
  status: number;
}

export { OperationFailure };


/**
 * The one pipeline every call goes through, whatever its transport: the caller (resolved by the transport,
 * passed in), permission, validation, run, error mapping, rendering, and one event for audit and metrics.
 */
@Injectable()
export class OperationExecutor {
  private readonly logger = new Logger('Operations');
  readonly access: AccessPolicy;

  constructor(
    private readonly registry: OperationRegistry,
    private readonly events: OperationEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly audit?: AuditStore,
    @Optional() private readonly confirmations: ConfirmationGate = new ConfirmationGate(config, audit),
    @Optional() private readonly tracing?: OperationTracing,
  ) {
    this.access = new AccessPolicy(config.auth ?? { readOnly: false });
  }

  execute<O extends OperationResult = OperationResult>(name: string, rawInput: unknown, call: Call, options: ExecuteOptions = {}): Promise<Executed<O>> {
    // a span per call of a known operation (an unknown name must not name a span), when traces are exported
    if (!this.tracing?.enabled || !this.registry.find(name)) return this.run(name, rawInput, call, options);
    return this.tracing.trace(name, call, () => this.run<O>(name, rawInput, call, options));
  }

  private async run<O extends OperationResult>(name: string, rawInput: unknown, call: Call, options: ExecuteOptions): Promise<Executed<O>> {
    const op = this.registry.find(name);
    if (!op) throw new OperationFailure({ statusCode: 404, error: 'Not Found', message: `Unknown operation '${name}'. Available: ${this.registry.names().join(', ')}.` });
    const { def, handler } = op;
    const started = Date.now();
    const facts: CallFacts = {};
    let outcome: Outcome = 'error';
    let done: Executed<O> | undefined;
    let failure: OperationFailure | undefined;
    try {
      if (typeof def.permission === 'string') this.access.authorize(call.principal, def, def.permission);
      let input: object;
      try {
        const opInput = options.prepare ? await options.prepare(rawInput) : rawInput;
        input = opInput instanceof def.input ? opInput : await validateInput(def.input, opInput ?? {});
      } catch (err) {
        outcome = 'invalid';
        throw err;
      }
      if (typeof def.permission === 'function') this.access.authorize(call.principal, def, def.permission(input));
      noteFrom(facts, input);
      const ctx = this.context(call, facts);
      // the plan's reads and the run both use the caller's Nomad token
      const result = messageFirst((await runAsCaller(call.principal, async () => {
        await this.confirmations.admit(def, handler, ctx, input);
        return handler.run(ctx, input);
      })) as O);
      noteFrom(facts, result);
      outcome = 'ok';
      // rendered only when asked for (MCP): REST answers the JSON and never pays for the text
      done = { def, result, status: def.rest.status?.(result) ?? 200, get text() { return handler.render ? handler.render(result) : renderResult(result); } };
    } catch (err) {
      failure = this.mapError(def, err, facts);
      if (err instanceof ConfirmationNeeded || err instanceof ApprovalNeeded) outcome = 'planned';
      else if (failure.body.statusCode === 403 && outcome === 'error') outcome = 'denied';
      // the operation's own checks of its input (register_job without a spec…) refuse it as invalid too
      else if (failure.body.statusCode === 400 && outcome === 'error') outcome = 'invalid';
    }
    const event: OperationEvent = {
      operation: def.name, principal: call.principal.name, transport: call.transport,
      namespace: facts.namespace ?? null, job: facts.job ?? null, outcome, status: done?.status ?? failure!.body.statusCode,
      duration_ms: Date.now() - started, eval_id: facts.evalId ?? null, error: failure?.body.message ?? null, at: new Date(started).toISOString(),
    };
    this.events.emit(event);
    // the trail has the call before its answer leaves: a change that cannot be recorded is not reported as done
    if (!def.annotations.readOnly || this.config.audit?.reads) await this.recordOrFail(event, rawInput, facts.approval);
    if (failure) throw failure;
    return done!;
  }

  private context(call: Call, facts: CallFacts): OperationContext {
    return {
      principal: call.principal,
      transport: call.transport,
      note: (f) => Object.assign(facts, f),
      namespace: (requested) => {
        const namespace = requested || this.config.defaultNamespace;
        facts.namespace = namespace;
        this.access.requireNamespace(call.principal, namespace);
        return namespace;
      },
      visible: (namespace) => this.access.visible(call.principal, namespace),
      seesEveryNamespace: () => this.access.seesEveryNamespace(call.principal),
      progress: (message, progress, total) => call.progress?.({ message, progress, total }),
      signal: call.signal,
    };
  }

  private async recordOrFail(e: OperationEvent, rawInput: unknown, approval?: CallFacts['approval']): Promise<void> {
    if (!this.audit) return;
    try {
      await this.audit.record({
        identity: e.principal, transport: e.transport, operation: e.operation, namespace: e.namespace, job: e.job,
        // an approved change names its approval and approver beside the arguments: the trail shows who asked and who agreed
        arguments: { ...(rawInput && typeof rawInput === 'object' ? (rawInput as object) : {}), ...(approval ? { approval } : {}) },
        outcome: e.outcome, status: e.status, eval_id: e.eval_id, duration_ms: e.duration_ms, error: e.error, time: e.at,
      });
    } catch (err) {
      this.logger.error(`audit trail: ${e.operation} by ${e.principal} could not be recorded: ${err instanceof Error ? err.message : String(err)}`);
      throw new OperationFailure({
        statusCode: 503, error: 'Service Unavailable',
        message: `${e.operation} ${e.outcome === 'ok' ? 'ran' : 'ended'} but could not be recorded in the audit trail${e.outcome === 'ok' && e.eval_id ? ` (evaluation ${e.eval_id})` : ''}; the service answers no change it cannot record.`,
        next_step: 'Do not retry the change: tell the user what was asked, and ask an operator to check the audit database (AUDIT_DB_PATH or DATABASE_URL).',
      });
    }
  }

  /** Every failure becomes an error body with a next step; unexpected ones are logged with their stack. */
  private mapError(def: OperationDefinition, err: unknown, facts: CallFacts): OperationFailure {
    if (err instanceof OperationFailure) return err;
    const body = nomadPermissionDenied(def, err, facts.namespace ?? this.config.defaultNamespace) ?? toErrorBody(err);
    if (err instanceof NomadError) this.logger.warn(`${def.name}: ${body.message}`);
    else if (!(err instanceof HttpException) && body.statusCode >= 500) {
      this.logger.error(`${def.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    const changeMayHaveApplied = !def.annotations.readOnly && writeMayHaveApplied(err);
    const jobMissing = body.statusCode === 404 && saysJobMissing(body.message);
    const step = nextStep(def.name, body.statusCode, facts.namespace ?? this.config.defaultNamespace, { changeMayHaveApplied, job: facts.job, jobMissing, namesNextCall: namesNextCall(body.message) });
    return new OperationFailure(step && body.next_step === undefined ? { ...body, next_step: step } : body);
  }
}

/** Namespace, job and evaluation of a call, read from its input and its answer (snake_case fields). */
function noteFrom(facts: CallFacts, data: object): void {
  const d = data as { namespace?: unknown; job_id?: unknown; eval_id?: unknown };
  if (typeof d.namespace === 'string') facts.namespace = d.namespace;
  if (typeof d.job_id === 'string') facts.job = d.job_id;
  if (typeof d.eval_id === 'string') facts.evalId = d.eval_id;
}

/**
 * The answer with its `message` as the first key, whichever order the operation built it in: what a model (or a
 * person with curl) reads first is the one sentence that says what matters.
 */
function messageFirst<O>(result: O): O {
  if (!result || typeof result !== 'object' || Array.isArray(result) || !('message' in result)) return result;
  const keys = Object.keys(result);
  if (keys[0] === 'message') return result;
  const { message, ...rest } = result as Record<string, unknown>;
  return { message, ...rest } as O;
}
