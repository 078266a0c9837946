import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard, API_KEY_RING } from './api-key.guard';
import { ApiKeyRing } from './api-keys';

export interface ApiKeyModuleAsyncOptions {
  imports?: any[];
  inject?: any[];
  useFactory: (...args: any[]) => ApiKeyRing;
}

/** Registers ApiKeyGuard globally with the key ring the factory builds (from config). */
@Module({})
export class ApiKeyModule {
  static forRootAsync(options: ApiKeyModuleAsyncOptions): DynamicModule {
    return {
      module: ApiKeyModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: API_KEY_RING, inject: options.inject ?? [], useFactory: options.useFactory },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [API_KEY_RING],
    };
  }
}
