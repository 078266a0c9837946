import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard, API_KEY_RING, NOMAD_TOKEN_PASSTHROUGH } from './api-key.guard';
import { ApiKeyRing } from './api-keys';

/** Where the accepted keys come from (API_KEYS and API_KEYS_FILE); neither set means no key is required. */
export interface ApiKeyModuleOptions {
  /** Comma-separated keys. */
  apiKeys?: string;
  /** A file with one key per line (# comments), re-read when it changes. */
  apiKeysFile?: string;
  /** A request's own X-Nomad-Token is used for its Nomad calls (NOMAD_MCP_TOKEN_PASSTHROUGH); otherwise ignored. */
  nomadTokenPassthrough?: boolean;
}

export const {
  ConfigurableModuleClass: ApiKeyConfigurableModule,
  MODULE_OPTIONS_TOKEN: API_KEY_MODULE_OPTIONS,
  OPTIONS_TYPE: API_KEY_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: API_KEY_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ApiKeyModuleOptions>()
  .setClassMethodName('forRoot')
  // the guard is an APP_GUARD and the ring is read by the rate limiter and bootstrap: one instance for the app
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

export type ApiKeyModuleAsyncOptions = typeof API_KEY_MODULE_ASYNC_OPTIONS_TYPE;

/** Registers ApiKeyGuard globally with the key ring built from the options (forRoot / forRootAsync). */
@Module({
  providers: [
    {
      provide: API_KEY_RING,
      inject: [API_KEY_MODULE_OPTIONS],
      useFactory: (options: ApiKeyModuleOptions) => ApiKeyRing.fromSources(options.apiKeys, options.apiKeysFile),
    },
    { provide: NOMAD_TOKEN_PASSTHROUGH, inject: [API_KEY_MODULE_OPTIONS], useFactory: (options: ApiKeyModuleOptions) => !!options.nomadTokenPassthrough },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [API_KEY_RING],
})
export class ApiKeyModule extends ApiKeyConfigurableModule {}
