import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The methods each registered route takes, collected as Fastify registers them: a request whose path a route
 * has but whose method it does not is answered 405 with Allow ("use POST"), not 404 "no route has this path".
 */
export class RouteMethods {
  /** Route URL -> its methods, as registered; matched as patterns only when a request needs it (not at start-up). */
  private readonly byUrl = new Map<string, Set<string>>();
  private patterns?: Array<{ pattern: RegExp; methods: Set<string> }>;

  add(method: string | string[], url: string): void {
    const methods = this.byUrl.get(url) ?? new Set<string>();
    for (const m of [method].flat()) methods.add(m.toUpperCase());
    this.byUrl.set(url, methods);
    this.patterns = undefined;
  }

  /** The methods routes take at this path (no query), sorted; empty when no route has it. */
  allowed(path: string): string[] {
    this.patterns ??= [...this.byUrl].map(([url, methods]) => ({ pattern: routePattern(url), methods }));
    const methods = new Set<string>();
    for (const r of this.patterns) if (r.pattern.test(path)) r.methods.forEach((m) => methods.add(m));
    return [...methods].sort();
  }
}

/** A route URL as a pattern of request paths: `:job_id` is one path segment, `*` any rest. */
function routePattern(url: string): RegExp {
  const source = url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${source}/?$`);
}

const KEY = 'routeMethods';

/** Collects every route registered on `fastify` from now on (call before the routes are registered). */
export function collectRouteMethods(fastify: FastifyInstance): RouteMethods {
  const table = new RouteMethods();
  fastify.decorate(KEY, table);
  fastify.addHook('onRoute', (r) => table.add(r.method, r.url ?? r.path));
  return table;
}

/** The table collectRouteMethods made for the server this request came to, if any. */
export const routeMethodsOf = (req: FastifyRequest): RouteMethods | undefined => (req.server as unknown as Record<string, RouteMethods | undefined>)[KEY];
