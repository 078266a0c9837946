import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The methods each registered route takes, collected as Fastify registers them: a request whose path a route
 * has but whose method it does not is answered 405 with Allow ("use POST"), not 404 "no route has this path".
 */
export class RouteMethods {
  private readonly routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];

  add(method: string | string[], url: string): void {
    // `:job_id` is one path segment; `*` (wildcards) any rest
    const source = url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
    const pattern = new RegExp(`^${source}/?$`);
    let route = this.routes.find((r) => r.pattern.source === pattern.source);
    if (!route) this.routes.push((route = { pattern, methods: new Set() }));
    for (const m of [method].flat()) route.methods.add(m.toUpperCase());
  }

  /** The methods routes take at this path (no query), sorted; empty when no route has it. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) r.methods.forEach((m) => methods.add(m));
    return [...methods].sort();
  }
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
