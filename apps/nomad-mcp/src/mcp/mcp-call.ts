import { LOCAL_PRINCIPAL, Principal } from '@nomad-mcp/auth';
import { Executed, OperationExecutor, OperationFailure } from '../operations/core/operation.executor';
import { JsonRpcError } from './mcp-sdk';

/** What the SDK hands every request handler: the caller, as the HTTP transport put it into the auth info. */
export interface HandlerExtra {
  authInfo?: { extra?: Record<string, unknown> };
  requestInfo?: { headers: Record<string, string | string[] | undefined> };
}

/**
 * The caller's W3C trace context for an MCP request: `params._meta.traceparent` (how MCP carries it, so it also
 * works over stdio), else the HTTP request's `traceparent` header.
 */
export function traceparentOf(params: { _meta?: object } | undefined, extra: HandlerExtra): string | undefined {
  const meta = (params?._meta as { traceparent?: unknown } | undefined)?.traceparent;
  if (typeof meta === 'string') return meta;
  const header = extra.requestInfo?.headers.traceparent;
  return typeof header === 'string' ? header : undefined;
}

/** The caller of an MCP request: the identity of the HTTP request's key, or the local user over stdio. */
export function callerOf(extra: HandlerExtra): Principal {
  return (extra.authInfo?.extra as { principal?: Principal } | undefined)?.principal ?? LOCAL_PRINCIPAL;
}

/**
 * Runs an operation for an MCP request other than tools/call (a resource read, a completion, the resource list):
 * through the executor, so the caller's scopes, namespaces and Nomad token, the audit trail and the metrics apply
 * exactly as they do to the tool of the same name.
 */
export function runAs<O extends object>(executor: OperationExecutor, principal: Principal, operation: string, input: object, traceparent?: string): Promise<Executed<O & { message: string }>> {
  return executor.execute(operation, input, { principal, transport: 'mcp', traceparent });
}

/** MCP's code for a resource that does not exist (the specification's resources/read errors). */
export const RESOURCE_NOT_FOUND = -32002;

/**
 * A JSON-RPC error the SDK sends as it is: code, message and data (an McpError would put "MCP error <code>:"
 * into the message, and the client's SDK adds it again).
 */
export function mcpError(code: number, message: string, data?: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { code, ...(data ? { data } : {}) });
}

/**
 * An operation's failure as a JSON-RPC error: the message and what to do next in one text (as tool errors have
 * them), the HTTP status and next step also as data. Bad input is invalid params, a missing job a missing
 * resource, a refusal (scope, namespace) an invalid request, and Nomad's or the service's trouble internal.
 */
export function failureAsMcpError(failure: OperationFailure): Error {
  const { statusCode, message } = failure.body;
  const next_step = typeof failure.body.next_step === 'string' ? failure.body.next_step : undefined;
  const code = statusCode === 400 || statusCode === 422 ? JsonRpcError.InvalidParams
    : statusCode === 404 ? RESOURCE_NOT_FOUND
      : statusCode < 500 ? JsonRpcError.InvalidRequest : JsonRpcError.InternalError;
  return mcpError(code, joinNextStep(message, next_step), { status: statusCode, ...(next_step ? { next_step } : {}) });
}

/** "message. Next step." — how the failure reads as one text (tool errors read the same). */
export function joinNextStep(message: string, nextStep?: string): string {
  if (!nextStep) return message;
  const m = message.trim();
  return `${/[.!?]$/.test(m) ? m : `${m}.`} ${nextStep}`;
}
