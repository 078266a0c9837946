import FindMyWay from 'find-my-way';
import type { RequestContext } from './context';

/**
 * Routes on find-my-way, fed with Nomad's own path rules (BEHAVIOUR.md §6): Nomad matches the *decoded*
 * path, and everything after `/v1/job/` up to a known sub-resource suffix is the job ID, slashes included
 * (so `/v1/job/a%2Fb/summary` and `/v1/job/a/b/summary` both address job `a/b`). Namespace and ACL policy
 * names likewise run to the end of the path. routingPath() turns the decoded path into one where each such
 * name is a single encoded segment, so routes are declared plainly as `/v1/job/:id/summary`.
 *
 * A path known for other methods answers 405 `Invalid method`; an unknown path 404 with an empty body.
 */

export type Handler = (ctx: RequestContext) => void | Promise<void>;
export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** The methods the simulator serves; a path registered for one of them exists (another method on it is 405). */
const SERVED: Method[] = ['GET', 'PUT', 'POST', 'DELETE'];

const JOB_PREFIX = '/v1/job/';
/** Nomad's job sub-resources, found by suffix (command/agent/job_endpoint.go JobSpecificRequest). */
export const JOB_SUB_RESOURCES = [
  'allocations', 'evaluations', 'deployments', 'deployment', 'summary', 'versions', 'plan', 'scale', 'revert',
  'dispatch', 'stable', 'evaluate', 'periodic/force', 'services', 'submission',
];
/** Endpoints whose name is the whole rest of the path. */
const NAME_PREFIXES = ['/v1/namespace/', '/v1/acl/policy/'];

export function routingPath(path: string): string {
  if (path.startsWith(JOB_PREFIX) && path.length > JOB_PREFIX.length) {
    const rest = path.slice(JOB_PREFIX.length);
    const sub = JOB_SUB_RESOURCES.find((s) => rest.endsWith(`/${s}`) && rest.length > s.length + 1);
    const id = sub ? rest.slice(0, -(sub.length + 1)) : rest;
    return `${JOB_PREFIX}${encodeURIComponent(id)}${sub ? `/${sub}` : ''}`;
  }
  const named = NAME_PREFIXES.find((p) => path.startsWith(p) && path.length > p.length);
  if (named) return `${named}${encodeURIComponent(path.slice(named.length))}`;
  return path.split('/').map(encodeURIComponent).join('/');
}

export interface RouteOptions {
  /**
   * The endpoint answers whatever token is sent: Nomad authenticates it there only for rate metrics
   * (status leader and peers, regions, ACL bootstrap), so an unknown token is not refused.
   */
  anyToken?: boolean;
}

export type Route = { handler: Handler; params: Record<string, string>; anyToken: boolean };
export type RouteMatch = Route | 'method-not-allowed' | undefined;

export class Router {
  // IDs and names are not limited in length (find-my-way's default cap is 100 characters)
  private readonly routes = FindMyWay({ maxParamLength: 1_000_000 });
  private readonly anyToken = new WeakSet<Handler>();

  /** Registers `handler` for `path` (find-my-way syntax, `:param`) under each of `methods`. */
  on(methods: Method | Method[], path: string, handler: Handler, opts: RouteOptions = {}): this {
    if (opts.anyToken) this.anyToken.add(handler);
    this.routes.on(methods, path, handler as unknown as FindMyWay.Handler<FindMyWay.HTTPVersion.V1>);
    return this;
  }

  get(path: string, handler: Handler, opts?: RouteOptions): this {
    return this.on('GET', path, handler, opts);
  }

  /** Nomad takes writes as PUT and POST alike (the Go client uses PUT). */
  write(path: string, handler: Handler, opts?: RouteOptions): this {
    return this.on(['PUT', 'POST'], path, handler, opts);
  }

  delete(path: string, handler: Handler): this {
    return this.on('DELETE', path, handler);
  }

  /** The handler for a decoded path, 'method-not-allowed' when only other methods serve it, or undefined. */
  match(method: string, decodedPath: string): RouteMatch {
    const path = routingPath(decodedPath);
    const found = this.find(method, path);
    if (found) return found;
    return SERVED.some((m) => m !== method && this.find(m, path)) ? 'method-not-allowed' : undefined;
  }

  private find(method: string, path: string): Route | undefined {
    const found = this.routes.find(method as FindMyWay.HTTPMethod, path);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(found.params)) {
      // a parameter is never empty: `/v1/job/` is an unknown path, not job ""
      if (!v) return undefined;
      params[k] = v;
    }
    const handler = found.handler as unknown as Handler;
    return { handler, params, anyToken: this.anyToken.has(handler) };
  }
}
