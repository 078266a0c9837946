import type { FastifyInstance } from 'fastify';
import { routeOf, ServiceMetrics } from './service-metrics';

/**
 * Counts and times every answered request by method, route template and status, refusals at the edge (a
 * foreign origin, a body that is not JSON) included: Fastify runs onResponse for every request whose answer was
 * sent, whichever hook or handler sent it. A request whose client left before its answer finished is not counted.
 */
export function addHttpMetrics(fastify: FastifyInstance, metrics: ServiceMetrics): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.http(req.method, routeOf(req), reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
