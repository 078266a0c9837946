import { HttpModule } from '@nestjs/axios';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { NOMAD_CLIENT_OPTIONS, NomadClientOptions } from './nomad.options';
import { NomadService } from './nomad.service';

export interface NomadModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: any[];
  useFactory: (...args: any[]) => NomadClientOptions | Promise<NomadClientOptions>;
}

/** Axios settings for one Nomad agent: keep-alive sockets, TLS per NOMAD_CACERT/NOMAD_SKIP_VERIFY, token. */
export function axiosConfigFor(o: NomadClientOptions) {
  return {
    baseURL: o.address.replace(/\/+$/, ''),
    timeout: o.timeoutMs,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new https.Agent({
      keepAlive: true,
      maxSockets: 64,
      ca: o.caCertPath ? readFileSync(o.caCertPath) : undefined,
      cert: o.clientCertPath ? readFileSync(o.clientCertPath) : undefined,
      key: o.clientKeyPath ? readFileSync(o.clientKeyPath) : undefined,
      rejectUnauthorized: !o.skipVerify,
    }),
    headers: o.token ? { 'X-Nomad-Token': o.token } : {},
    // Nomad's errors are plain text; every status is handled by NomadService itself.
    responseType: 'text' as const,
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    proxy: false as const,
  };
}

@Module({})
export class NomadModule {
  static forRootAsync(options: NomadModuleAsyncOptions): DynamicModule {
    return {
      module: NomadModule,
      global: true,
      imports: [
        ...(options.imports ?? []),
        HttpModule.registerAsync({
          imports: options.imports,
          inject: options.inject,
          useFactory: async (...args: unknown[]) => axiosConfigFor(await options.useFactory(...args)),
        }),
      ],
      providers: [{ provide: NOMAD_CLIENT_OPTIONS, inject: options.inject, useFactory: options.useFactory }, NomadService],
      exports: [NomadService, NOMAD_CLIENT_OPTIONS],
    };
  }
}
