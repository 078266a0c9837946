import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ApiKeyModule } from '@nomad-mcp/auth';
import { NomadModule } from '@nomad-mcp/nomad';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AuditModule } from './audit/audit.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { ClientRateLimitGuard, RATE_LIMIT_WINDOW_MS } from './common/client-rate-limit.guard';
import { RedisThrottlerStorage } from './common/redis-throttler.storage';
import { AppConfig, AppConfigModule, LogConfig, loadConfig } from './config';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { McpModule } from './mcp/mcp.module';
import { MetricsModule } from './metrics/metrics.module';
import { OperationsModule } from './operations/operations.module';
import { UiModule } from './ui/ui.module';

export interface AppModuleOptions {
  /** The configuration, already loaded (main and the demo load it first, to stop early on a bad value). */
  config?: AppConfig;
  /** Otherwise the environment to load it from; process.env when omitted (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** More folders of `*.op.ts` operation files besides the service's own. */
  operationDirs?: string[];
}

const REDACTED_HEADERS = ['authorization', 'x-api-key', 'x-nomad-token', 'cookie'];
/** Nest's module-wiring chatter at start-up: useful when debugging, noise otherwise. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/** Probes poll these every few seconds: their answers are never logged. */
const HEALTH_PATHS = new Set(['/health', '/health/live', '/health/ready']);

/**
 * The level of a request's log line: failures at error, refusals (4xx) at info as before, and successes at debug.
 * Reads are the hot path and a line each is serialized and written for every one; changes are still
 * logged at info, once, by the operation log (with who, what, the outcome and the evaluation), whichever transport
 * they came over. LOG_LEVEL=debug logs every request.
 */
export function requestLogLevel(req: { url?: string }, res: { statusCode: number }, err?: unknown): pino.LevelWithSilent {
  if (err || res.statusCode >= 500) return 'error';
  // MCP clients ask for a server-sent event stream at the start of every session; 405 is the stateless answer
  if (res.statusCode === 405 && req.url === '/mcp') return 'debug';
  return res.statusCode >= 400 ? 'info' : 'debug';
}

function pinoOptions(log: LogConfig) {
  const pretty = log.format === 'pretty';
  return {
    pinoHttp: {
      level: log.level,
      // logs go to stderr: with --stdio, stdout belongs to the MCP protocol
      stream: pretty ? undefined : pino.destination({ dest: 2, sync: false }),
      transport: pretty ? { target: 'pino-pretty', options: { destination: 2, singleLine: true, ignore: 'pid,hostname,req,res' } } : undefined,
      // res: the approval page's Set-Cookie carries a session id (logged with the response at debug)
      redact: { paths: [...REDACTED_HEADERS.map((h) => `req.headers["${h}"]`), 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) },
      autoLogging: { ignore: (req: { url?: string }) => HEALTH_PATHS.has(req.url ?? '') },
      customLogLevel: requestLogLevel,
      hooks: {
        logMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn, level: number) {
          const context = (args[0] as { context?: string } | undefined)?.context;
          if (level === 30 && context && BOOT_CONTEXTS.has(context)) return this.debug(...args);
          return method.apply(this, args);
        },
      },
    },
  };
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions = {}): DynamicModule {
    // parsed once, here or by the caller; every module below gets its slice from this one object
    const config = options.config ?? loadConfig(options.env ?? process.env);
    const { rateLimitPerMinute: limit, redisUrl, rateLimitRedisPrefix } = config.http;
    // with REDIS_URL the replicas count together; it connects at init, not here, and closes at shutdown (Nest's hooks)
    const storage = redisUrl && limit > 0 ? new RedisThrottlerStorage(redisUrl, rateLimitRedisPrefix) : undefined;
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(pinoOptions(config.log)),
        ThrottlerModule.forRoot({ throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: limit || 1 }], skipIf: () => limit === 0, storage }),
        NomadModule.forRootAsync({ useFactory: () => config.nomad }),
        ApiKeyModule.forRootAsync({
          useFactory: () => ({ apiKeys: config.auth.apiKeys, apiKeysFile: config.auth.apiKeysFile, nomadTokenPassthrough: config.auth.tokenPassthrough }),
        }),
        AuditModule,
        HealthModule,
        OperationsModule.register(options.operationDirs),
        JobsModule,
        McpModule,
        MetricsModule,
        UiModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
