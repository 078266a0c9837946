import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusText } from './status-text';
import type { FieldError } from './validation';

const logger = new Logger('HttpEdge');

/** A request's path: its URL without the query. */
export function pathOf(req: { url: string }): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}

/** Whether a request's path is `prefix` or below it (`/mcp`, `/mcp/…`; not `/mcpx`). */
export function isUnder(req: { url: string }, prefix: string): boolean {
  const path = pathOf(req);
  return path === prefix || path.startsWith(`${prefix}/`);
}

export const isMcpPath = (req: { url: string }) => isUnder(req, '/mcp');

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

/** The longest path segment routed (a job ID is far shorter): longer ones are refused before routing. */
export const MAX_PATH_SEGMENT = 2048;

/**
 * Fastify's answers to URLs it cannot route (bad percent-encoding, a segment over MAX_PATH_SEGMENT), in the
 * service's error shape: Fastify's own would echo the whole URL back and name no next step.
 */
export function unroutableUrl(error: { code?: string }, req: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_BAD_URL') {
    refuse(req, reply, 400, "The URL's path is not valid percent-encoding (a % must start %XX): percent-encode IDs and names in the path, as encodeURIComponent does.");
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    refuse(req, reply, 414, `A segment of the URL's path is over ${MAX_PATH_SEGMENT} characters; no Nomad ID or name is that long: check the URL.`);
  } else {
    refuse(req, reply, 500, 'Internal server error; the server log has the details.');
  }
}
