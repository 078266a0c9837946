import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { acceptedHost, HostPolicy } from './accepted-host';
import { header, refuse } from './edge-refusal';

export interface OriginPolicy extends HostPolicy {
  /** MCP_ALLOWED_ORIGINS, normalised (`scheme://host[:port]`, lower-case, default port dropped). */
  allowedOrigins: string[];
}

/** `scheme://host[:port]` as URL normalises it, or undefined for `null` and anything that is not an origin. */
function normalOrigin(text: string): string | undefined {
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

const shown = (text: string) => (text.length > 100 ? `${text.slice(0, 100)}...` : text);
const HOW_TO_ALLOW = 'Web pages of other sites may not call this API; to let a web app call it, add its origin to MCP_ALLOWED_ORIGINS.';

/**
 * A link followed from another site (a top-level GET navigation, e.g. to Swagger UI): it changes nothing,
 * and its answer goes to the user's tab, where the other site cannot read it.
 */
function isLinkFollowed(req: FastifyRequest): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && header(req, 'sec-fetch-mode') === 'navigate';
}

/**
 * Why a browser request from another site must be refused, or undefined when it may pass. Without keys any
 * page the user opens could otherwise drive the API (the browser addresses 127.0.0.1, so the Host check
 * passes). Browsers send `Origin` on every cross-origin request that can change something and on CORS reads;
 * `Sec-Fetch-Site: cross-site` also marks the ones without it. Requests with neither (curl, SDKs, MCP
 * clients) are not browser requests and pass.
 */
export function crossSiteRefusal(req: FastifyRequest, policy: OriginPolicy): string | undefined {
  const origin = header(req, 'origin');
  if (origin === undefined) {
    if (header(req, 'sec-fetch-site') !== 'cross-site' || isLinkFollowed(req)) return undefined;
    return `Cross-site request refused: the browser marked it Sec-Fetch-Site: cross-site (a page of another site sent it). ${HOW_TO_ALLOW}`;
  }
  const normal = normalOrigin(origin);
  if (!normal) return `Cross-site request refused: Origin '${shown(origin)}' (a sandboxed page or a local file) is not this service's own origin. ${HOW_TO_ALLOW}`;
  if (policy.allowedOrigins.includes(normal)) return undefined;
  if (policy.publicUrl && new URL(policy.publicUrl).origin === normal) return undefined;
  const own = normalOrigin(`${req.protocol}://${header(req, 'host') ?? ''}`);
  if (own === normal) {
    if (acceptedHost(req, policy)) return undefined;
    return `Cross-site request refused: Origin '${shown(origin)}' names a host this service does not answer to as itself (DNS rebinding?). Set PUBLIC_URL to the URL clients use, or add the origin to MCP_ALLOWED_ORIGINS.`;
  }
  return `Cross-site request refused: Origin '${shown(origin)}' is not this service's own origin (${shown(own ?? 'unknown')}). ${HOW_TO_ALLOW}`;
}

/** onRequest: 403 for cross-site browser requests on every route, before anything reads the body. */
export function browserOriginCheck(policy: OriginPolicy) {
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const why = crossSiteRefusal(req, policy);
    if (why) refuse(req, reply, 403, why);
    else done();
  };
}
