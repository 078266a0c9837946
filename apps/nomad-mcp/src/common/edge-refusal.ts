import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusText } from './all-exceptions.filter';
import type { FieldError } from './validation';

const logger = new Logger('HttpEdge');

/** A request's path: its URL without the query. */
export function pathOf(req: { url: string }): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}

export const isMcpPath = (req: { url: string }) => {
  const path = pathOf(req);
  return path === '/mcp' || path.startsWith('/mcp/');
};

/**
 * Answers a request refused before routing (cross-site, not JSON, too deep) in the shape its caller reads:
 * a JSON-RPC error on /mcp (MCP clients parse nothing else), `{statusCode, error, message}` elsewhere.
 * Refusals are logged (warn) here, with their reason; the request log skips them (see request-log.ts).
 */
export function refuse(req: FastifyRequest, reply: FastifyReply, status: number, message: string, errors?: FieldError[]): FastifyReply {
  logger.warn(`${req.method} ${pathOf(req).slice(0, 200)} refused with ${status}: ${message}`);
  reply.code(status);
  if (isMcpPath(req)) return reply.send({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
  return reply.send({ statusCode: status, error: statusText(status), message, ...(errors ? { errors } : {}) });
}

/** Request headers as one string each (Node joins most repeated headers already). */
export function header(req: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
