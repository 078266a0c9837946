import { ExecutionContext, HttpException, HttpStatus, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { API_KEY_RING, ApiKeyRing, IS_PUBLIC, principalOf } from '@nomad-mcp/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeOf, ServiceMetrics } from '../metrics/service-metrics';

/** The window RATE_LIMIT_PER_MINUTE counts in. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * RATE_LIMIT_PER_MINUTE per client over all routes together (the throttler's default counts per route):
 * a client is its API key's principal, or its remote address when it presents no accepted key (so
 * key-guessing and keyless use are limited too). MCP calls arrive as POST /mcp and count alike.
 * @Public() routes (/health) are not limited: monitors poll them and they need no key.
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(API_KEY_RING) private readonly keys: ApiKeyRing,
    @Optional() private readonly metrics?: ServiceMetrics,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
  }

  protected override async getTracker(req: FastifyRequest): Promise<string> {
    const principal = req.principal ?? principalOf(req, this.keys);
    return principal?.kind === 'api-key' ? principal.name : `addr:${normalizeIp(req.ip ?? req.socket.remoteAddress ?? '')}`;
  }

  /** One bucket per client, whatever the route. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    this.metrics?.rateLimitRefusal(routeOf(context.switchToHttp().getRequest<FastifyRequest>()));
    context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(seconds));
    throw new HttpException(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `Rate limit of ${detail.limit} requests per minute exceeded; retry in ${seconds} seconds.`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
