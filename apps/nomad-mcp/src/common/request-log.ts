import type { NextFunction, Request, Response } from 'express';
import type pino from 'pino';

/** Probes poll these every few seconds: their answers are never logged. */
const HEALTH_PATHS = new Set(['/health', '/health/live', '/health/ready']);

/**
 * The level of a request's log line: failures at error, refusals (4xx) at info, and successes at debug.
 * Reads are the hot path; changes are still logged at info, once, by the operation log (with who, what, the
 * outcome and the evaluation), whichever transport they came over. LOG_LEVEL=debug logs every request.
 */
export function requestLogLevel(req: { url?: string }, res: { statusCode: number }, err?: unknown): pino.Level {
  if (err || res.statusCode >= 500) return 'error';
  // MCP clients ask for a server-sent event stream at the start of every session; 405 is the stateless answer
  if (res.statusCode === 405 && req.url === '/mcp') return 'debug';
  return res.statusCode >= 400 ? 'info' : 'debug';
}

/**
 * One line per finished request, at requestLogLevel's level: `req` (id, method, url), `res` (statusCode) and
 * `responseTime` in ms, as pino-http wrote them. It replaces pino-http, which made a child logger per request
 * (serializing the request) even when the line was then dropped: here a request whose level is off costs a
 * listener and a clock read, and the line is built only when it is written. Headers are never logged.
 */
export function requestLog(logger: pino.Logger) {
  let nextId = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    const url = req.originalUrl ?? req.url;
    if (HEALTH_PATHS.has(url)) return next();
    const started = performance.now();
    const id = ++nextId;
    res.once('finish', () => {
      const level = requestLogLevel({ url }, res);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { req: { id, method: req.method, url }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) },
        res.statusCode >= 500 ? 'request errored' : 'request completed',
      );
    });
    next();
  };
}
