import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ApiKeyModule } from '@nomad-mcp/auth';
import { NomadModule } from '@nomad-mcp/nomad';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AuditModule } from './audit/audit.module';
import { CacheModule } from './cache/cache.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { ClientRateLimitGuard, RATE_LIMIT_WINDOW_MS } from './common/client-rate-limit.guard';
import { RedisThrottlerStorage } from './common/redis-throttler.storage';
import { AppConfig, AppConfigModule, LogConfig, loadConfig } from './config';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { McpModule } from './mcp/mcp.module';
import { MetricsModule } from './metrics/metrics.module';
import { OperationsModule } from './operations/operations.module';
import { TracingModule } from './tracing/tracing.module';
import { UiModule } from './ui/ui.module';

export interface AppModuleOptions {
  /** The configuration, already loaded (main and the demo load it first, to stop early on a bad value). */
  config?: AppConfig;
  /** Otherwise the environment to load it from; process.env when omitted (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** More folders of `*.op.ts` operation files besides the service's own. */
  operationDirs?: string[];
}

/** Nest's module-wiring chatter at start-up: useful when debugging, noise otherwise. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/** The service's one pino logger; requests are logged by common/request-log.ts, not per-request child loggers. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

function rootLogger(log: LogConfig): pino.Logger {
  const options: pino.LoggerOptions = {
    level: log.level,
    hooks: {
      logMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn, level: number) {
        const context = (args[0] as { context?: string } | undefined)?.context;
        if (level === 30 && context && BOOT_CONTEXTS.has(context)) return this.debug(...args);
        return method.apply(this, args);
      },
    },
  };
  // logs go to stderr: with --stdio, stdout belongs to the MCP protocol
  if (log.format === 'pretty') {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2, singleLine: true, ignore: 'pid,hostname,req,res' } } });
  }
  return pino(options, pino.destination({ dest: 2, sync: false }));
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions = {}): DynamicModule {
    // parsed once, here or by the caller; every module below gets its slice from this one object
    const config = options.config ?? loadConfig(options.env ?? process.env);
    const { rateLimitPerMinute: limit, redisUrl, rateLimitRedisPrefix } = config.http;
    // with REDIS_URL the replicas count together; it connects at init, not here, and closes at shutdown (Nest's hooks)
    const storage = redisUrl && limit > 0 ? new RedisThrottlerStorage(redisUrl, rateLimitRedisPrefix) : undefined;
    const logger = rootLogger(config.log);
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        // the existing logger, bound to no route: nestjs-pino adds no per-request middleware (request-log.ts logs requests)
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
        ThrottlerModule.forRoot({ throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: limit || 1 }], skipIf: () => limit === 0, storage }),
        NomadModule.forRootAsync({ useFactory: () => config.nomad }),
        ApiKeyModule.forRootAsync({
          useFactory: () => ({ apiKeys: config.auth.apiKeys, apiKeysFile: config.auth.apiKeysFile, nomadTokenPassthrough: config.auth.tokenPassthrough }),
        }),
        AuditModule,
        CacheModule,
        HealthModule,
        OperationsModule.register(options.operationDirs),
        JobsModule,
        McpModule,
        MetricsModule,
        TracingModule,
        UiModule,
      ],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [ROOT_LOGGER],
    };
  }
}
