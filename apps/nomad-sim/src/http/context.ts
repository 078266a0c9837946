import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AclToken } from '../acl';
import { NomadHttpError } from '../wire';
import type { QueryOptions } from './query-options';

/** One request as a route handler sees it. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** the decoded path: Nomad matches routes on it (BEHAVIOUR.md §6) */
  path: string;
  query: URLSearchParams;
  /** undefined: anonymous (or ACLs off) */
  token: AclToken | undefined;
  /** the parsed JSON body of a write (PUT/POST/DELETE); undefined when empty */
  body?: unknown;
  /** route parameters, decoded (a job ID may contain "/") */
  params: Record<string, string>;
  /** parsed once per request: a blocking query re-runs its read on every change */
  options?: QueryOptions;
}

export const WRITE_METHODS = new Set(['PUT', 'POST']);
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Splits the request URL; a malformed escape is Nomad's 400. */
export function parseUrl(rawUrl: string): { path: string; query: URLSearchParams } {
  const q = rawUrl.indexOf('?');
  let path: string;
  try {
    path = decodeURIComponent(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
  } catch {
    throw new NomadHttpError(400, 'invalid URL escape');
  }
  return { path, query: new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '') };
}

/** The token secret: X-Nomad-Token wins over Authorization: Bearer; whitespace is trimmed. */
export function tokenSecret(req: IncomingMessage): string | undefined {
  const header = req.headers['x-nomad-token'];
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return (Array.isArray(header) ? header[0] : header)?.trim() || bearer?.trim();
}

/** The JSON body (undefined when empty); invalid JSON gets Go's decoder text. */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  const text = (await readAll(req)).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    const ch = /Unexpected token '?(.)/.exec((e as Error).message)?.[1] ?? text.trim()[0];
    throw new NomadHttpError(400, `invalid character '${ch}' looking for beginning of value`);
  }
}

/**
 * The request's bytes, up to MAX_BODY_BYTES (413 past it). Plain 'data'/'end' listeners: an async iterator over
 * the request (what this was) costs a stream pipeline per request, several percent of a registration.
 */
function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error, body?: Buffer) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // as the iterator did when its loop threw: the rest of the request is not read
        req.destroy();
        done(new NomadHttpError(413, 'request body too large'));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => done(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onError = (e: Error) => done(e);
    // the client went away before sending all of it (the iterator rejected with ERR_STREAM_PREMATURE_CLOSE)
    const onClose = () => {
      if (!req.complete) done(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** A write's body as an object, or Nomad's 400 for an empty or non-object body. */
export function requireBody(body: unknown): Record<string, unknown> {
  if (body === undefined) throw new NomadHttpError(400, 'Request body is empty');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new NomadHttpError(400, `json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type struct`);
  }
  return body as Record<string, unknown>;
}
