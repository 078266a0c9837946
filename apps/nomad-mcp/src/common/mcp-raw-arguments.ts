import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, of } from 'rxjs';
import { isMcpPath } from './edge-refusal';
import { inspectInput } from './input-inspection';
import type { FieldError } from './validation';

/**
 * The problems of a raw `tools/call` message's arguments, checked before the MCP SDK parses the message:
 * its schemas rebuild `arguments` key by key, and a key named `__proto__` does not survive that, so the
 * tool would run as if it had not been sent. (Over stdio the SDK parses each line itself; a transport that
 * wants the same check must call this on the raw message.)
 */
export function rawToolArgumentProblems(message: unknown): FieldError[] {
  const m = message as { method?: unknown; params?: { arguments?: unknown } } | null;
  if (!m || typeof m !== 'object' || m.method !== 'tools/call' || !m.params || typeof m.params !== 'object') return [];
  const args = m.params.arguments;
  return args && typeof args === 'object' && !Array.isArray(args) ? inspectInput(args) : [];
}

type Refusal =
  | { jsonrpc: '2.0'; id: unknown; result: { isError: true; content: Array<{ type: 'text'; text: string }> } }
  | { jsonrpc: '2.0'; id: unknown; error: { code: number; message: string } };

/**
 * What is wrong with a tools/call's params themselves, before the SDK's schema would answer it with an internal
 * error and a dump of its validation: a protocol error (-32602) for params or a name that are not there, a tool
 * error for arguments that are not an object (the model fixes those, as any other argument).
 */
function callShapeRefusal(m: { id?: unknown; params?: unknown }): Refusal | undefined {
  const id = m.id ?? null;
  const invalid = (message: string): Refusal => ({ jsonrpc: '2.0', id, error: { code: -32602, message } });
  if (!m.params || typeof m.params !== 'object' || Array.isArray(m.params)) {
    return invalid('Invalid params: tools/call takes params {"name": <tool>, "arguments": {…}}; tools/list names the tools.');
  }
  const { name, arguments: args } = m.params as { name?: unknown; arguments?: unknown };
  if (typeof name !== 'string' || !name) return invalid('Invalid params: params.name must be the name of a tool (a string); tools/list names them.');
  if (args !== undefined && args !== null && (typeof args !== 'object' || Array.isArray(args))) {
    const text = `Invalid request: arguments must be a JSON object of the tool's fields (got ${Array.isArray(args) ? 'an array' : typeof args}). Fix those arguments and call the tool again.`;
    return { jsonrpc: '2.0', id, result: { isError: true, content: [{ type: 'text', text }] } };
  }
  return undefined;
}

/**
 * A tools/call with `"arguments": null` (some clients send it for a tool that takes none) made `{}`, which the
 * SDK's schema takes (it refuses null with an internal error). Changes the message; true when it did.
 */
export function normalizeToolCall(message: unknown): boolean {
  const m = message as { method?: unknown; params?: { arguments?: unknown } } | null;
  if (!m || typeof m !== 'object' || m.method !== 'tools/call' || !m.params || typeof m.params !== 'object' || m.params.arguments !== null) return false;
  m.params.arguments = {};
  return true;
}

/**
 * The JSON-RPC answer to a tools/call the SDK must not see as it is: params that are not a call (a -32602 that
 * says what to send), or raw arguments that fail the check (the tool error the tool itself would give, which a
 * model reads and fixes its arguments by). Undefined when the message passes. Both transports use it: this
 * interceptor over HTTP, and the stdio input guard.
 */
export function rawArgumentRefusal(message: unknown): Refusal | undefined {
  const m = message as { method?: unknown; id?: unknown; params?: unknown } | null;
  if (!m || typeof m !== 'object' || m.method !== 'tools/call') return undefined;
  const shape = callShapeRefusal(m);
  if (shape) return shape;
  const problems = rawToolArgumentProblems(message);
  if (!problems.length) return undefined;
  const text = `Invalid request: ${problems.map((p) => `${p.field}: ${p.reasons.join(', ')}`).join('; ')}. Fix those arguments and call the tool again.`;
  return { jsonrpc: '2.0', id: m.id ?? null, result: { isError: true, content: [{ type: 'text', text }] } };
}

/**
 * On POST /mcp: a tools/call whose arguments fail the raw-input check is answered here, as the tool error
 * the tool itself would give (a model reads those and fixes its arguments), without running the tool.
 * An interceptor, so the API key guard and the rate limit have run first.
 */
@Injectable()
export class McpRawArgumentInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (req.method !== 'POST' || !isMcpPath(req) || !req.body || Array.isArray(req.body)) return next.handle();
    const refusal = rawArgumentRefusal(req.body);
    if (!refusal) {
      normalizeToolCall(req.body);
      return next.handle();
    }
    void context.switchToHttp().getResponse<FastifyReply>().code(200).send(refusal);
    return of(undefined);
  }
}
