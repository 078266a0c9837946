import { DynamicModule, Module, Provider } from '@nestjs/common';
import { AppConfig, APP_CONFIG, ConfigSlices, SLICE_TOKENS } from './app-config';

/**
 * Provides the configuration, parsed once by loadConfig before the app is built, to the whole app:
 * `@Inject(APP_CONFIG)` for all of it, or one slice by its token (`@Inject(NOMAD_CONFIG)` …).
 */
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const slices: Provider[] = (Object.keys(SLICE_TOKENS) as Array<keyof ConfigSlices>).map((k) => ({ provide: SLICE_TOKENS[k], useValue: config[k] }));
    const providers: Provider[] = [{ provide: APP_CONFIG, useValue: config }, ...slices];
    return { module: AppConfigModule, global: true, providers, exports: providers.map((p) => (p as { provide: string | symbol }).provide) };
  }
}
