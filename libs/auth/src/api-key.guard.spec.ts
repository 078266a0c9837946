import { Controller, Get, INestApplication, Req } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyRequest as Request } from 'fastify';
import { AddressInfo } from 'node:net';
import { API_KEY_RING } from './api-key.guard';
import { ApiKeyModule } from './api-key.module';
import { ApiKeyRing } from './api-keys';
import { principalNameOfKey } from './principal';
import { nomadTokenOf } from './principal-nomad-token';
import { Public } from './public.decorator';

@Controller()
class WhoAmIController {
  @Get('whoami')
  whoami(@Req() req: Request) {
    return req.principal ?? null;
  }

  @Get('nomad-token')
  nomadToken(@Req() req: Request) {
    return { principal: req.principal, token: req.principal && (nomadTokenOf(req.principal) ?? null) };
  }

  @Get('open')
  @Public()
  open(@Req() req: Request) {
    return { principal: req.principal ?? null };
  }
}

/** A real Nest app with the module as app.module.ts uses it (forRootAsync), over a real socket. */
async function appWith(module: ReturnType<typeof ApiKeyModule.forRoot>): Promise<{ app: INestApplication; url: string }> {
  const ref = await Test.createTestingModule({ imports: [module], controllers: [WhoAmIController] }).compile();
  const app = ref.createNestApplication(new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

describe('ApiKeyGuard and ApiKeyModule', () => {
  it('attaches the API key principal to the request, and answers 401 with WWW-Authenticate otherwise', async () => {
    const { app, url } = await appWith(ApiKeyModule.forRootAsync({ useFactory: async () => ({ apiKeys: 'first-key-1234,second-key-5678' }) }));
    try {
      expect(app.get<ApiKeyRing>(API_KEY_RING).size).toBe(2);
      const me = await fetch(`${url}/whoami`, { headers: { Authorization: 'Bearer second-key-5678' } });
      expect(await me.json()).toEqual({ name: principalNameOfKey('second-key-5678'), kind: 'api-key' });
      const none = await fetch(`${url}/whoami`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="nomad-mcp"');
      const wrong = await fetch(`${url}/whoami`, { headers: { 'X-API-Key': 'third-key' } });
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="nomad-mcp", error="invalid_token"');
      expect(await (await fetch(`${url}/open`)).json()).toEqual({ principal: null });
    } finally {
      await app.close();
    }
  });

  it("is the 'local' principal when no key is configured (forRoot)", async () => {
    const { app, url } = await appWith(ApiKeyModule.forRoot({}));
    try {
      expect(await (await fetch(`${url}/whoami`)).json()).toEqual({ name: 'local', kind: 'local' });
    } finally {
      await app.close();
    }
  });

  it('with passthrough on, a request that passes the key check runs with the X-Nomad-Token it sent; with it off the header is ignored', async () => {
    const sent = { 'X-API-Key': 'first-key-1234', 'X-Nomad-Token': ' caller-nomad-token-7 ' };
    const tokenSeen = async (url: string, headers: Record<string, string>) => ((await (await fetch(`${url}/nomad-token`, { headers })).json()) as { token: unknown }).token;
    const on = await appWith(ApiKeyModule.forRootAsync({ useFactory: () => ({ apiKeys: 'first-key-1234', nomadTokenPassthrough: true }) }));
    try {
      const me = await (await fetch(`${on.url}/nomad-token`, { headers: sent })).json();
      expect(me).toEqual({ principal: { name: principalNameOfKey('first-key-1234'), kind: 'api-key' }, token: { secret: 'caller-nomad-token-7', label: 'the Nomad token sent as X-Nomad-Token' } });
      expect(await tokenSeen(on.url, { 'X-API-Key': 'first-key-1234' })).toBeNull();
      // the token does not stand in for the key
      expect((await fetch(`${on.url}/nomad-token`, { headers: { 'X-Nomad-Token': 'caller-nomad-token-7' } })).status).toBe(401);
    } finally {
      await on.app.close();
    }
    const off = await appWith(ApiKeyModule.forRoot({ apiKeys: 'first-key-1234' }));
    try {
      expect(await tokenSeen(off.url, sent)).toBeNull();
    } finally {
      await off.app.close();
    }
  });
});
