import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRing, presentedKey } from './api-keys';
import { IS_PUBLIC } from './public.decorator';

export const API_KEY_RING = Symbol('API_KEY_RING');

/** Global guard: every route needs a valid key unless marked @Public() or no key is configured. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_RING) private readonly keys: ApiKeyRing,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.enabled) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const key = presentedKey(req.headers);
    if (this.keys.matches(key)) return true;
    throw new UnauthorizedException(
      key ? 'API key not accepted' : 'API key required: send it as X-API-Key: <key> or Authorization: Bearer <key>',
    );
  }
}
