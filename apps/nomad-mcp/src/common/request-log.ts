import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pino from 'pino';
import { loggableUrl } from './secret-names';

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

/** The request's number in the log, set once it has passed the edge's checks. */
const LOG_ID = Symbol('requestLogId');
type Logged = FastifyRequest & { [LOG_ID]?: number };

/**
 * One line per finished request, at requestLogLevel's level: `req` (id, method, url), `res` (statusCode) and
 * `responseTime` in ms, as pino-http wrote them; a request whose level is off costs a hook call and the line is
 * built only when it is written. Headers are never logged, nor the values of credential-like query parameters. Added after the edge's checks: the requests they
 * refuse are logged where they are refused (edge-refusal.ts), with the reason, and not again here.
 */
export function addRequestLog(fastify: FastifyInstance, logger: pino.Logger): void {
  let nextId = 0;
  fastify.addHook('onRequest', (req: Logged, _reply, done) => {
    if (!HEALTH_PATHS.has(req.url)) req[LOG_ID] = ++nextId;
    done();
  });
  fastify.addHook('onResponse', (req: Logged, reply: FastifyReply, done) => {
    const id = req[LOG_ID];
    if (id !== undefined) {
      const level = requestLogLevel(req, reply);
      if (logger.isLevelEnabled(level)) {
        logger[level](
          { req: { id, method: req.method, url: loggableUrl(req.url) }, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) },
          reply.statusCode >= 500 ? 'request errored' : 'request completed',
        );
      }
    }
    done();
  });
}
