import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { API_KEY_RING, ApiKeyGuard, ApiKeyRing, NOMAD_TOKEN_PASSTHROUGH, sameSecret } from '@nomad-mcp/auth';
import type { FastifyRequest as Request } from 'fastify';
import { METRICS_CONFIG, MetricsConfig } from '../config/app-config';
import { AccessDenied, holds } from '../operations/core/access';

/** The bearer token of a request (Authorization: Bearer <token>), if any. */
function bearerOf(req: Request): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1].trim();
}

/**
 * Who may scrape GET /metrics: a Prometheus sending METRICS_TOKEN as its bearer token (when it is set; compared
 * in constant time), or a caller whose API key holds the scope `admin` (the same key check as every route:
 * 401 without an accepted key, 403 without the scope). The route is @Public() to the global guard so that
 * METRICS_TOKEN, which is not an API key, can reach this check.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly keyGuard: ApiKeyGuard;

  constructor(
    reflector: Reflector,
    @Inject(API_KEY_RING) keys: ApiKeyRing,
    @Inject(METRICS_CONFIG) private readonly config: MetricsConfig,
    @Optional() @Inject(NOMAD_TOKEN_PASSTHROUGH) passthrough = false,
  ) {
    this.keyGuard = new ApiKeyGuard(reflector, keys, passthrough);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (this.config.token && sameSecret(bearerOf(req), this.config.token)) return true;
    const principal = this.keyGuard.authenticate(context);
    if (!holds(principal, 'admin')) {
      throw new AccessDenied(`'${principal.name}' may not read /metrics: it needs the scope 'admin'${this.config.token ? ' (or send METRICS_TOKEN as the bearer token)' : ''}.`);
    }
    return true;
  }
}
