import { applyDecorators, Injectable, SetMetadata, Type } from '@nestjs/common';
import type { Principal } from '@nomad-mcp/auth';

/**
 * An operation is one thing a caller can ask of Nomad (list jobs, restart a job, ...). Each lives in its own
 * `*.op.ts` file: a class decorated with @Operation({...}) that says what it is, and a `run` that does it. The
 * executor runs every call of every transport (REST, MCP over HTTP or stdio) through the same pipeline.
 */

/** What an operation needs the caller to be allowed. Enforced by the executor for every transport. */
export type Permission =
  | 'read' // list, status, logs, plan
  | 'operate' // start, stop without purge, restart, scale, alloc restart, deployment promote/fail/pause
  | 'write' // create / register, revert, dispatch
  | 'destroy' // purge
  | 'admin' // node drain / eligibility, the audit trail
  | 'approve'; // the approval page: approve or deny changes waiting for a person (admin may too)

export type Transport = 'rest' | 'mcp';

/**
 * Nomad's ACL capabilities in a namespace (Nomad's ACL policy specification, namespace rules) that job
 * operations use. `read` policies hold list-jobs and read-job; `write` policies hold all of these. Operations on
 * the cluster itself need a policy of a non-namespaced rule instead: `node:write` is `node { policy = "write" }`.
 */
export type NomadCapability =
  | 'list-jobs' | 'read-job' | 'parse-job' | 'submit-job' | 'dispatch-job' | 'scale-job'
  | 'read-logs' | 'read-fs' | 'alloc-lifecycle' | 'alloc-exec'
  | 'node:read' | 'node:write' | 'agent:read';

export interface OperationAnnotations {
  /** Changes nothing in Nomad. */
  readOnly: boolean;
  /** May stop or remove something that serves (MCP clients ask the user before calling). */
  destructive: boolean;
  /** Calling it twice with the same input has the effect of calling it once. */
  idempotent: boolean;
}

/** Where the operation is served over REST: under /api/claude, or at a path starting with `/`. `:name` segments are input fields. */
export interface RestRoute {
  method: 'GET' | 'POST';
  path: string;
  /** HTTP status of a success; 200 when omitted (e.g. create_job answers 201 for a new job). */
  status?: (result: any) => number;
  /**
   * The body Swagger's "Try it out" sends, for a POST whose fields' own examples do not make one valid request
   * together (plan_job takes a job or HCL, never both).
   */
  example?: Record<string, unknown>;
  /**
   * A long call that reports progress (ctx.progress): a REST caller sending `Accept: text/event-stream` gets it
   * as Server-Sent Events (`progress` events, then one `result` or `error` event) instead of one JSON answer.
   */
  stream?: boolean;
}

export interface OperationDefinition<I extends object = any, O extends OperationResult = any> {
  /** Tool name (snake_case): MCP tools/list, /api/claude/tools, events. */
  name: string;
  /** Short human title (MCP annotations.title, Swagger summary). */
  title: string;
  /** What a model needs to know to choose and call it. */
  description: string;
  /** DTO class: validates REST and MCP input alike, and is the source of every published schema. */
  input: Type<I>;
  /** Answer class: Swagger response schema and MCP outputSchema. */
  output: Type<O>;
  annotations: OperationAnnotations;
  /** Needed permission; a function when it depends on the input (stop with purge needs destroy). */
  permission: Permission | ((input: I) => Permission);
  /**
   * The Nomad ACL capability (in the call's namespace) the operation's Nomad calls need beyond reading the
   * job: a Nomad 403 is answered naming it, so the token's policy can be fixed. Absent for operations that
   * do not call Nomad.
   */
  nomadCapability?: NomadCapability;
  /** Position in tool lists, which stay in a fixed order (lower first). */
  order: number;
  rest: RestRoute;
}

/** Every answer starts with one sentence that says what matters. */
export interface OperationResult {
  message: string;
}

/** Facts of one call that the operation reports for the call's event (audit, metrics). */
export interface CallFacts {
  namespace?: string;
  job?: string;
  evalId?: string | null;
  /** The person's approval a change was applied with (NOMAD_MCP_CONFIRM_BY=human): recorded with the call. */
  approval?: { approval_id: string; approved_by: string };
}

export interface OperationContext {
  readonly principal: Principal;
  readonly transport: Transport;
  /** Adds facts to this call's event; namespace, job and evaluation ID are also read from input and result. */
  note(facts: CallFacts): void;
  /**
   * The namespace the call means (the one asked for, else the service default), after checking that the
   * caller may use it (403 otherwise). Every operation that touches a namespace gets it from here.
   */
  namespace(requested?: string): string;
  /** Whether the caller may see a namespace: lists over `*` keep only what it may see. */
  visible(namespace: string): boolean;
  /** Whether the caller may see every namespace: a list over `*` then needs no filtering for it. */
  seesEveryNamespace(): boolean;
  /**
   * Tells the caller how a long call is going ("web: 2/3 healthy"): MCP progress notifications when the client
   * sent a progress token, REST Server-Sent Events when it asked for them; otherwise nothing.
   */
  progress(message: string, done?: number, total?: number): void;
  /** Aborted when the caller goes away (connection closed, MCP cancellation): long calls stop waiting then. */
  readonly signal?: AbortSignal;
}

/** One progress report of a long call. */
export interface ProgressUpdate {
  message: string;
  progress?: number;
  total?: number;
}

/** What a change would do, told before it is done (confirmed changes); read from Nomad, nothing changed. */
export interface ChangePlan {
  /** What applying would do, in a sentence or two a person can agree to (allocations that stop, fields that change). */
  summary: string;
  /** Stops or replaces something that serves (stop, purge, restart, an update of an existing job, scale to zero). */
  destructive: boolean;
  /** The job's JobModifyIndex the plan was read at (null: no job yet); an apply is refused when it has moved. */
  modify_index: number | null;
  /** Compact facts behind the summary: allocation IDs, field changes, Nomad's plan per group. */
  details?: Record<string, unknown>;
}

export interface OperationHandler<I extends object = any, O extends OperationResult = any> {
  run(ctx: OperationContext, input: I): Promise<O>;
  /**
   * What run() would do, without doing it. Change operations have one: the executor answers it (with a
   * confirmation token) instead of running when the caller's confirmation policy asks for it.
   */
  plan?(ctx: OperationContext, input: I): Promise<ChangePlan>;
  /**
   * Text for models that read `content` only: the sentence, then a compact rendering of the data — never a
   * second copy of the JSON. The default renders the message and the top-level scalars.
   */
  render?(result: O): string;
}

export const OPERATION = Symbol('nomad-mcp:operation');

/** Marks a class as an operation (and an injectable provider) and attaches its definition. */
export function Operation<I extends object, O extends OperationResult>(def: OperationDefinition<I, O>): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(OPERATION, def));
}

export function definitionOf(cls: Function): OperationDefinition | undefined {
  return Reflect.getMetadata(OPERATION, cls) as OperationDefinition | undefined;
}

export type OperationClass = Type<OperationHandler> & Function;
