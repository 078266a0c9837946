import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyRing, presentedKey } from './api-keys';
import { LOCAL_PRINCIPAL, Principal } from './principal';
import { attachNomadToken } from './principal-nomad-token';
import { IS_PUBLIC } from './public.decorator';

export const API_KEY_RING = Symbol('API_KEY_RING');
/** true (NOMAD_MCP_TOKEN_PASSTHROUGH): a request's own X-Nomad-Token is used for its calls. */
export const NOMAD_TOKEN_PASSTHROUGH = Symbol('NOMAD_TOKEN_PASSTHROUGH');

/** What a 401 answers in WWW-Authenticate (RFC 6750): the key goes as a bearer token, or as X-API-Key. */
export const AUTH_CHALLENGE = 'Bearer realm="nomad-mcp"';

type Headers = Record<string, string | string[] | undefined>;

/** localhost, 127.x.x.x or [::1], with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * The caller a request stands for: the API key it presents (when that key is accepted), or the local user
 * when no key is configured. Undefined when keys are configured and none accepted is presented.
 */
export function principalOf(req: { headers: Headers }, keys: ApiKeyRing): Principal | undefined {
  if (!keys.enabled) return { ...LOCAL_PRINCIPAL };
  return keys.identify(presentedKey(req.headers));
}

/**
 * The Nomad token a request sends as X-Nomad-Token, for NOMAD_MCP_TOKEN_PASSTHROUGH. Only the guard reads
 * it, and only when passthrough is on: otherwise the header is never looked at, so never forwarded.
 */
export function presentedNomadToken(headers: Headers): string | undefined {
  const v = headers['x-nomad-token'];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
}

/**
 * Global guard: every route needs a valid key unless marked @Public(), and the caller it resolves is set
 * as `request.principal` for what runs after it. With no key configured the service listens on loopback
 * only, and this guard also refuses requests addressed to any other host name, so a web page cannot reach
 * it through DNS rebinding.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_RING) private readonly keys: ApiKeyRing,
    @Optional() @Inject(NOMAD_TOKEN_PASSTHROUGH) private readonly tokenPassthrough: boolean = false,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (!isPublic) this.authenticate(context);
    return true;
  }

  /**
   * The caller of the request, set as `request.principal`; throws 401 (no accepted key, or an expired one) or
   * 403 (keyless use addressed to a host that is not loopback). For routes that are @Public() to the global
   * guard but check a key themselves (GET /metrics also takes METRICS_TOKEN).
   */
  authenticate(context: ExecutionContext): Principal {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.keys.enabled) {
      const host = req.headers.host;
      if (!isLoopbackHost(host)) {
        throw new ForbiddenException(
          `Requests for host '${String(host ?? '').slice(0, 100)}' are refused: with no API key configured the service only answers requests addressed to localhost. Set API_KEYS to serve other host names.`,
        );
      }
    }
    const key = presentedKey(req.headers);
    const principal = principalOf(req, this.keys);
    if (principal && principal.expiresAt && principal.expiresAt.getTime() <= Date.now()) {
      context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', `${AUTH_CHALLENGE}, error="invalid_token"`);
      throw new UnauthorizedException(`The API key of '${principal.name}' expired at ${principal.expiresAt.toISOString()}; ask an operator for a new one. Do not retry with this key.`);
    }
    if (principal) {
      // the key decides who calls; the caller's own Nomad token (passthrough) only what Nomad lets those calls do
      const nomadToken = this.tokenPassthrough ? presentedNomadToken(req.headers) : undefined;
      req.principal = nomadToken ? attachNomadToken({ ...principal }, { secret: nomadToken, label: 'the Nomad token sent as X-Nomad-Token' }) : principal;
      return req.principal;
    }
    context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', key ? `${AUTH_CHALLENGE}, error="invalid_token"` : AUTH_CHALLENGE);
    throw new UnauthorizedException(
      key
        ? 'API key not accepted: send one of the keys in API_KEYS or API_KEYS_FILE as X-API-Key: <key> or Authorization: Bearer <key>.'
        : 'API key required: send it as X-API-Key: <key> or Authorization: Bearer <key>.',
    );
  }
}
