import type { ServerResponse } from 'node:http';
import { NomadHttpError, toJson } from '../wire';
import type { RequestContext } from './context';

/**
 * Answers as Nomad does: JSON (`?pretty` indents it), the meta headers of reads, only X-Nomad-Index on
 * writes, and errors as bare text with Nomad's status codes.
 */

export type Headers = Record<string, string | number>;

const JSON_TYPE = 'application/json';

export function sendJson(ctx: RequestContext, body: unknown, headers: Headers = {}): void {
  const pretty = ctx.query.has('pretty') && ctx.query.get('pretty') !== '0';
  const buf = Buffer.from(toJson(body, pretty) + (pretty ? '\n' : ''));
  ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': buf.length, ...headers });
  ctx.res.end(buf);
}

/** 200 with no body (namespace and ACL policy writes). */
export function sendEmpty(ctx: RequestContext, headers: Headers = {}): void {
  ctx.res.writeHead(200, { 'Content-Length': 0, ...headers }).end();
}

/** Unknown route: 404 with an empty body. */
export function sendNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Length': 0 }).end();
}

/** An error as Nomad's plain-text body; after the first byte of an answer only the connection can be cut. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e = err instanceof NomadHttpError ? err : new NomadHttpError(500, err instanceof Error ? err.message : String(err));
  const body = Buffer.from(e.message);
  res.writeHead(e.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}

/** The headers of a read: X-Nomad-Index, -Knownleader, -Lastcontact (Go's canonical spelling). */
export function metaHeaders(index: number): Headers {
  return { 'X-Nomad-Index': index, 'X-Nomad-Knownleader': 'true', 'X-Nomad-Lastcontact': 0 };
}

/** The headers of a write: X-Nomad-Index only (revert sends all three). */
export function writeHeaders(index: number, all = false): Headers {
  return all ? metaHeaders(index) : { 'X-Nomad-Index': index };
}

export const LOG_CONTENT_TYPES = { plain: 'text/plain; charset=utf-8', framed: JSON_TYPE };
