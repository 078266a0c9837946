import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRing, presentedKey } from './api-keys';
import { IS_PUBLIC } from './public.decorator';

export const API_KEY_RING = Symbol('API_KEY_RING');

/** localhost, 127.x.x.x or [::1], with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * Global guard: every route needs a valid key unless marked @Public(). With no key configured the service
 * listens on loopback only, and this guard also refuses requests addressed to any other host name, so a
 * web page cannot reach it through DNS rebinding.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_RING) private readonly keys: ApiKeyRing,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    if (!this.keys.enabled) {
      const host = req.headers.host as string | undefined;
      if (isLoopbackHost(host)) return true;
      throw new ForbiddenException(
        `Requests for host '${String(host ?? '').slice(0, 100)}' are refused: with no API key configured the service only answers requests addressed to localhost. Set API_KEYS to serve other host names.`,
      );
    }
    const key = presentedKey(req.headers);
    if (this.keys.matches(key)) return true;
    throw new UnauthorizedException(
      key ? 'API key not accepted' : 'API key required: send it as X-API-Key: <key> or Authorization: Bearer <key>',
    );
  }
}
