import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { statusText } from './all-exceptions.filter';
import type { FieldError } from './validation';

const logger = new Logger('HttpEdge');

export const isMcpPath = (req: Request) => req.path === '/mcp' || req.path.startsWith('/mcp/');

/**
 * Answers a request refused before routing (cross-site, not JSON, too deep) in the shape its caller reads:
 * a JSON-RPC error on /mcp (MCP clients parse nothing else), `{statusCode, error, message}` elsewhere.
 * Refusals are logged (warn) because pino-http, registered later, never sees these requests.
 */
export function refuse(req: Request, res: Response, status: number, message: string, errors?: FieldError[]): void {
  logger.warn(`${req.method} ${req.path.slice(0, 200)} refused with ${status}: ${message}`);
  res.status(status);
  if (isMcpPath(req)) res.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
  else res.json({ statusCode: status, error: statusText(status), message, ...(errors ? { errors } : {}) });
}

/** Request headers as one string each (Node joins most repeated headers already). */
export function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
