import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { header, refuse } from './edge-refusal';
import { nestingDeeperThan } from './input-inspection';

/** Deepest JSON body any route takes (DTO fields are validated at a smaller depth, naming the field). */
export const MAX_BODY_DEPTH = 64;

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** The approval page (/ui): its HTML forms post urlencoded bodies, the one place a form body is read. */
export const isUiPath = (req: Request) => req.path === '/ui' || req.path.startsWith('/ui/');

/** Whether a request carries a body (as type-is/body-parser decide it). */
function hasBody(req: Request): boolean {
  const length = header(req, 'content-length');
  return header(req, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/**
 * 415 for any body that is not `application/json`, before a parser could read it. Form and text bodies are
 * what a web page can send cross-site without a CORS preflight; the API has no use for them, so they are
 * never parsed (no text parser is registered; the urlencoded one serves /ui alone, see isUiPath).
 */
export const jsonOnly: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  const type = header(req, 'content-type');
  if (!hasBody(req) || JSON_TYPE.test(type ?? '')) return next();
  // the page's forms; foreign origins were refused before this, and every form carries a CSRF token
  if (req.method === 'POST' && FORM_TYPE.test(type ?? '') && isUiPath(req)) return next();
  refuse(req, res, 415, `This API takes JSON only: send the body with Content-Type: application/json (got ${type ? `'${type.slice(0, 100)}'` : 'no Content-Type'}). Form and text bodies are never read.`);
};

/**
 * 400 for JSON nested deeper than MAX_BODY_DEPTH: JSON.parse copes, but recursive code after it (class
 * transformation, JSON.stringify, schema checks) would overflow the stack and answer 500.
 */
export const jsonDepthLimit: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  const field = nestingDeeperThan(req.body, MAX_BODY_DEPTH);
  if (field === undefined) return next();
  const reason = `nested deeper than ${MAX_BODY_DEPTH} levels`;
  refuse(req, res, 400, `Invalid request: ${field || 'body'}: ${reason}`, [{ field: field || 'body', reasons: [reason] }]);
};
