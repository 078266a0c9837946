import { ConfigurableModuleBuilder } from '@nestjs/common';
import { NomadClientOptions } from './nomad.options';

/**
 * NomadModule.forRoot(options) / forRootAsync({ imports, inject, useFactory }) with Nest's builder. The
 * module is global unless `isGlobal: false` is passed: one Nomad client serves the whole app.
 */
export const {
  ConfigurableModuleClass: NomadConfigurableModule,
  MODULE_OPTIONS_TOKEN: NOMAD_CLIENT_OPTIONS,
  OPTIONS_TYPE: NOMAD_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: NOMAD_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NomadClientOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

export type NomadModuleOptions = typeof NOMAD_MODULE_OPTIONS_TYPE;
export type NomadModuleAsyncOptions = typeof NOMAD_MODULE_ASYNC_OPTIONS_TYPE;
