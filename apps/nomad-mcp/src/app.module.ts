import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ApiKeyModule } from '@nomad-mcp/auth';
import { NomadModule } from '@nomad-mcp/nomad';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { ClientRateLimitGuard, RATE_LIMIT_WINDOW_MS } from './common/client-rate-limit.guard';
import { AppConfig, APP_CONFIG, loadConfig } from './config/env.schema';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { McpModule } from './mcp/mcp.module';
import { OperationsModule } from './operations/operations.module';

export interface AppModuleOptions {
  /** Environment to read settings from; process.env when omitted (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** More folders of `*.op.ts` operation files besides the service's own. */
  operationDirs?: string[];
}

const REDACTED_HEADERS = ['authorization', 'x-api-key', 'x-nomad-token', 'cookie'];
/** Nest's module-wiring chatter at start-up: useful when debugging, noise otherwise. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

@Module({})
export class AppModule {
  static register(options: AppModuleOptions = {}): DynamicModule {
    const env = options.env ?? process.env;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ [APP_CONFIG]: loadConfig(env) })] }),
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const app = config.getOrThrow<AppConfig>(APP_CONFIG);
            const pretty = env.LOG_FORMAT === 'pretty';
            return {
              pinoHttp: {
                level: app.logLevel,
                // logs go to stderr: with --stdio, stdout belongs to the MCP protocol
                stream: pretty ? undefined : pino.destination({ dest: 2, sync: false }),
                transport: pretty ? { target: 'pino-pretty', options: { destination: 2, singleLine: true, ignore: 'pid,hostname,req,res' } } : undefined,
                redact: { paths: REDACTED_HEADERS.map((h) => `req.headers["${h}"]`), censor: '[redacted]' },
                serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) },
                autoLogging: { ignore: (req: { url?: string }) => req.url === '/health' },
                hooks: {
                  logMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn, level: number) {
                    const context = (args[0] as { context?: string } | undefined)?.context;
                    if (level === 30 && context && BOOT_CONTEXTS.has(context)) return this.debug(...args);
                    return method.apply(this, args);
                  },
                },
              },
            };
          },
        }),
        ThrottlerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const limit = config.getOrThrow<AppConfig>(APP_CONFIG).rateLimitPerMinute;
            return { throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: limit || 1 }], skipIf: () => limit === 0 };
          },
        }),
        NomadModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const app = config.getOrThrow<AppConfig>(APP_CONFIG);
            return {
              address: app.nomadAddr, token: app.nomadToken, region: app.nomadRegion, caCertPath: app.nomadCaCert,
              clientCertPath: app.nomadClientCert, clientKeyPath: app.nomadClientKey,
              skipVerify: app.nomadSkipVerify, timeoutMs: app.nomadTimeoutMs,
            };
          },
        }),
        ApiKeyModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const app = config.getOrThrow<AppConfig>(APP_CONFIG);
            return { apiKeys: app.apiKeys, apiKeysFile: app.apiKeysFile };
          },
        }),
        HealthModule,
        OperationsModule.register(options.operationDirs),
        JobsModule,
        McpModule,
      ],
      providers: [
        { provide: APP_CONFIG, inject: [ConfigService], useFactory: (c: ConfigService) => c.getOrThrow<AppConfig>(APP_CONFIG) },
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [APP_CONFIG],
      global: true,
    };
  }
}
