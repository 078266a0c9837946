import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { NomadApiError, NomadError, NomadProtocolError, NomadTimeoutError, NomadUnavailableError } from '@nomad-mcp/nomad';
import { NomadBadResponseError, NomadResponseTooLargeError, NomadTruncatedResponseError } from '@nomad-mcp/nomad';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactUrl } from '../config/redact-url';
import { isMcpPath } from './edge-refusal';
import { BodyNotJsonException, MAX_JSON_BYTES } from './json-body';
import { routeMethodsOf } from './route-methods';
import { statusText } from './status-text';

export { statusText };

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [extra: string]: unknown;
}

/**
 * Maps any failure to `{statusCode, error, message}` (BEHAVIOUR of the contract in issue 3):
 * Nomad 404 -> 404, unreachable -> 503, timeout -> 504, 403 -> 502 (our token lacks permission),
 * other Nomad errors -> 502 with Nomad's text. Stack traces stay in the server log.
 */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse();
    const body = typeof res === 'string' ? { message: res } : (res as Record<string, unknown>);
    const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? exception.message);
    // Nest's answer for a path no route takes: most often a job ID with `/` (a dispatched child) sent unencoded
    const noRoute = status === 404 && /^Cannot (GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) \//.test(message) && body.next_step === undefined;
    const nextStep = noRoute ? { next_step: 'No route has this path: percent-encode IDs in it (a job ID\'s / as %2F, as encodeURIComponent does); /api/docs lists the routes.' } : {};
    return { ...body, ...nextStep, statusCode: status, error: statusText(status), message };
  }
  if (exception instanceof NomadUnavailableError) {
    return { statusCode: 503, error: statusText(503), message: `Nomad is unreachable at ${redactUrl(exception.address)} (${exception.cause}). Check NOMAD_ADDR and that the Nomad agent is running.` };
  }
  if (exception instanceof NomadTimeoutError) {
    return { statusCode: 504, error: statusText(504), message: `Nomad did not answer within ${exception.timeoutMs} ms (${exception.operation}).` };
  }
  if (exception instanceof NomadProtocolError) {
    return { statusCode: 502, error: statusText(502), message: exception.message.split(exception.address).join(redactUrl(exception.address)) };
  }
  // Nomad answered, but unusably (wrong shape, too large, cut off): 502; each message says what to do
  if (exception instanceof NomadBadResponseError || exception instanceof NomadResponseTooLargeError || exception instanceof NomadTruncatedResponseError) {
    return { statusCode: 502, error: statusText(502), message: exception.message };
  }
  if (exception instanceof NomadApiError) {
    if (exception.isNotFound) {
      return { statusCode: 404, error: statusText(404), message: `Nomad: ${exception.nomadMessage || 'not found'}`, nomad_status: 404 };
    }
    if (exception.isPermissionDenied) {
      return {
        statusCode: 502, error: statusText(502), nomad_status: 403,
        message: `The service's Nomad token lacks permission for ${exception.operation} (Nomad said: ${exception.nomadMessage || 'Permission denied'}). Give NOMAD_TOKEN a policy that allows it.`,
      };
    }
    return {
      statusCode: 502, error: statusText(502), nomad_status: exception.status,
      message: `Nomad rejected ${exception.operation} with ${exception.status}: ${exception.nomadMessage.trim() || '(no message)'}`,
    };
  }
  const clientError = httpClientError(exception);
  if (clientError) return clientError;
  return { statusCode: 500, error: statusText(500), message: 'Internal server error; the server log has the details.' };
}

/** What to do about the HTTP layer's refusals, by Fastify's error code. */
const HTTP_ERROR_ADVICE: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: `JSON bodies may be ${MAX_JSON_BYTES / 1024} KB at most: send a smaller one`,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'the body is not as long as its Content-Length says: send it again whole',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'send the body with Content-Type: application/json',
};

/** The HTTP layer's own refusals (Fastify's FST_ERR_* client errors: too large, cut short) are safe to show. */
function httpClientError(exception: unknown): ErrorBody | undefined {
  const e = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (!e || typeof e.statusCode !== 'number' || e.statusCode < 400 || e.statusCode > 499 || typeof e.code !== 'string' || !e.code.startsWith('FST_')) return undefined;
  const advice = HTTP_ERROR_ADVICE[e.code];
  return { statusCode: e.statusCode, error: statusText(e.statusCode), message: `${String(e.message)}${advice ? `; ${advice}.` : ''}` };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = (host.getType() === 'http' && wrongMethod(exception, host.switchToHttp().getRequest<FastifyRequest>())) || toErrorBody(exception);
    if (body.statusCode >= 500) {
      if (exception instanceof NomadError || exception instanceof HttpException) this.logger.warn(body.message);
      else this.logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    }
    if (host.getType() !== 'http') return;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // a stream under way: the answer can only be cut short
    if (reply.raw.headersSent) {
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    // a reply its handler took over (MCP) and failed before writing: Fastify no longer sends it
    if (reply.sent) {
      reply.raw.writeHead(body.statusCode, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      return;
    }
    // MCP clients parse nothing but JSON-RPC: a body that is not JSON, too large, or over the rate limit on /mcp
    // is answered in its shape, as the edge's refusals there are (edge-refusal.ts)
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    if (isMcpPath(req)) {
      // JSON-RPC's own code for a body that is not JSON; the server-defined one for the rest
      const code = exception instanceof BodyNotJsonException ? -32700 : -32000;
      reply.code(body.statusCode).send({ jsonrpc: '2.0', id: null, error: { code, message: body.message } });
      return;
    }
    if (body.statusCode === 405) reply.header('allow', String(body.allow));
    reply.code(body.statusCode).send(body);
  }
}

/** "Cannot GET /api/claude/create-job" where a route takes the path with other methods: 405 saying which. */
function wrongMethod(exception: unknown, req: FastifyRequest): ErrorBody | undefined {
  if (!(exception instanceof HttpException) || exception.getStatus() !== 404 || !/^Cannot [A-Z]+ \//.test(exception.message)) return undefined;
  const path = req.url.split('?')[0];
  const allow = routeMethodsOf(req)?.allowed(path).filter((m) => m !== 'HEAD' && m !== 'OPTIONS') ?? [];
  if (!allow.length) return undefined;
  return {
    statusCode: 405, error: statusText(405), message: `${path} takes ${allow.join(' or ')}, not ${req.method}.`, allow: allow.join(', '),
    next_step: `Send it again as ${allow.join(' or ')}${allow.includes('POST') ? ' with a JSON body' : ''}; /api/docs lists every route.`,
  };
}
