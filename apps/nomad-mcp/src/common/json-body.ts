import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { parse as parseForm } from 'node:querystring';
import { header, isUnder, refuse } from './edge-refusal';
import { nestingDeeperThan } from './input-inspection';

/** Deepest JSON body any route takes (DTO fields are validated at a smaller depth, naming the field). */
export const MAX_BODY_DEPTH = 64;
/** Largest JSON body any route takes (a job specification with room to spare). */
export const MAX_JSON_BYTES = 100 * 1024;
/** The approval page's forms: a CSRF token, a reason, a key. */
const MAX_FORM_BYTES = 8 * 1024;
const MAX_FORM_FIELDS = 20;

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** A body sent as JSON that does not parse: its own class, so /mcp can answer it with JSON-RPC's parse error. */
export class BodyNotJsonException extends BadRequestException {}

/** The approval page (/ui): its HTML forms post urlencoded bodies, the one place a form body is read. */
export const isUiPath = (req: { url: string }) => isUnder(req, '/ui');

/** Whether a request carries a body (as the HTTP parsers decide it). */
function hasBody(req: FastifyRequest): boolean {
  const length = header(req, 'content-length');
  return header(req, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/**
 * onRequest: 415 for any body that is not `application/json`, before a parser could read it. Form and text
 * bodies are what a web page can send cross-site without a CORS preflight; the API has no use for them, so they
 * are never parsed (there is no text parser; the form parser serves /ui alone, see isUiPath).
 */
export function jsonOnly(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const type = header(req, 'content-type');
  if (!hasBody(req) || JSON_TYPE.test(type ?? '')) return done();
  // the page's forms; foreign origins were refused before this, and every form carries a CSRF token
  if (req.method === 'POST' && FORM_TYPE.test(type ?? '') && isUiPath(req)) return done();
  refuse(req, reply, 415, `This API takes JSON only: send the body with Content-Type: application/json (got ${type ? `'${type.slice(0, 100)}'` : 'no Content-Type'}). Form and text bodies are never read.`);
}

/**
 * onRequest: 400 for a query string on a write under /api. Those routes read their input from the JSON body
 * alone; a `?namespace=default` the route never reads would let the change land in the default namespace
 * instead (Nomad's own API reads ?namespace on writes, so callers used to it send one).
 */
export function bodyOnlyWrites(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const q = req.url.indexOf('?');
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || q < 0 || !isUnder(req, '/api')) return done();
  const names = [...new Set(Object.keys(parseForm(req.url.slice(q + 1))).filter((n) => n !== ''))];
  if (!names.length) return done();
  const reason = 'sent in the query string: this route reads its input from the JSON body only';
  const shown = names.slice(0, 5).map((n) => n.slice(0, 64));
  refuse(req, reply, 400, `Invalid request: ${shown.join(', ')}: ${reason}. Send ${shown.length === 1 ? 'it' : 'them'} as fields of the JSON body; nothing was done.`, shown.map((field) => ({ field, reasons: [reason] })));
}

/**
 * preValidation: 400 for JSON nested deeper than MAX_BODY_DEPTH: JSON.parse copes, but recursive code after it
 * (class transformation, JSON.stringify, schema checks) would overflow the stack and answer 500.
 */
export function jsonDepthLimit(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const field = nestingDeeperThan(req.body, MAX_BODY_DEPTH);
  if (field === undefined) return done();
  const reason = `nested deeper than ${MAX_BODY_DEPTH} levels`;
  refuse(req, reply, 400, `Invalid request: ${field || 'body'}: ${reason}`, [{ field: field || 'body', reasons: [reason] }]);
}

/**
 * The only bodies the server parses: JSON (with JSON.parse itself, so a `__proto__` key arrives as a field that
 * input inspection names, rather than being dropped or refused without saying which field), and the approval
 * page's forms. An empty JSON body is an empty object, as a client sending `{}` would mean; a body that is not
 * an object or an array is refused (400), as Express's JSON parser refused it.
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_JSON_BYTES }, (_req, text, done) => {
    if (text === '') return done(null, {});
    let body: unknown;
    try {
      body = JSON.parse(text as string);
    } catch (err) {
      return done(new BodyNotJsonException(`The body is not valid JSON (${(err as Error).message}); send one JSON object with Content-Type: application/json.`), undefined);
    }
    // a bare null, string or number would pass for "no input" further on: every route takes an object (MCP, a batch)
    if (body === null || typeof body !== 'object') return done(new BadRequestException(`The body is ${body === null ? 'JSON null' : `a JSON ${typeof body}`}; send one JSON object.`), undefined);
    done(null, body);
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_req, text, done) => {
    done(null, { ...parseForm(text as string, '&', '=', { maxKeys: MAX_FORM_FIELDS }) });
  });
}
