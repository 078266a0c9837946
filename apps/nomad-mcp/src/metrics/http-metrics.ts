import type { NextFunction, Request, Response } from 'express';
import { routeOf, ServiceMetrics } from './service-metrics';

/**
 * Counts and times every answered request by method, route template and status. Registered first, so requests
 * refused at the edge (a foreign origin, a body that is not JSON) are counted too. The route is read when the
 * answer has been sent: only then has the router matched it. A request whose client left before its answer
 * finished is not counted.
 */
export function httpMetrics(metrics: ServiceMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.once('finish', () => metrics.http(req.method, routeOf(req), res.statusCode, (performance.now() - started) / 1000));
    next();
  };
}
