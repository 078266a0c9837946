import 'reflect-metadata';
import { Expose, plainToInstance } from 'class-transformer';
import { IsOptional, ValidationError, validateSync } from 'class-validator';
import { CONFIRM_POLICIES, ConfirmPolicy } from '@nomad-mcp/auth';

/** Who confirms a change that needs confirmation: the caller itself (with a token), or a person on the approval page. */
export const CONFIRM_BY = ['caller', 'human'] as const;
export type ConfirmBy = (typeof CONFIRM_BY)[number];
import { AppConfig, toAppConfig } from './app-config';
import { redactUrl } from './redact-url';
import { resolveSettingAliases } from './setting-aliases';
import {
  IsBooleanSetting,
  IsDurationSetting,
  IsCaPathSetting,
  IsHostSetting,
  IsHttpUrlSetting,
  IsIntegerSetting,
  IsNamespaceSetting,
  IsNomadAddressSetting,
  IsOneOfSetting,
  IsNamespaceGlobListSetting,
  IsOriginListSetting,
  IsOtlpHeadersSetting,
  IsRatioSetting,
  IsPemCertificateFileSetting,
  IsPemPrivateKeyFileSetting,
  IsPostgresUrlSetting,
  IsRedisUrlSetting,
  IsReadableFileSetting,
  IsSecretSetting,
  IsStringSetting,
  RequiredWithSetting,
  ToBoolean,
  ToDurationMs,
  ToNumber,
} from './setting.validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export const OTEL_TRACES_EXPORTERS = ['otlp', 'none'] as const;
export const OTEL_TRACES_SAMPLERS = ['parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', 'always_on', 'always_off', 'traceidratio'] as const;

/**
 * Every environment variable the service reads, with its default, validated once at start-up. Nomad's own
 * variable names are used for the connection to Nomad, so a shell set up for the `nomad` CLI works as it is;
 * the names of HashiCorp's MCP servers are read too (setting-aliases.ts).
 * To add a setting: a property here, and where it goes in app-config.ts.
 */
export class EnvironmentVariables {
  @Expose() @ToNumber() @IsIntegerSetting({ port: true })
  PORT: number = 8000;

  @Expose() @IsOptional() @IsHostSetting()
  HOST?: string;

  @Expose() @IsOptional() @IsStringSetting()
  API_KEYS?: string;

  @Expose() @IsOptional() @IsReadableFileSetting()
  API_KEYS_FILE?: string;

  @Expose() @IsOptional() @IsHttpUrlSetting()
  PUBLIC_URL?: string;

  /** HTTPS for the service itself: its certificate (PEM; intermediates after it) and private key. Both or neither. */
  @Expose() @RequiredWithSetting('TLS_KEY_FILE') @IsPemCertificateFileSetting()
  TLS_CERT_FILE?: string;

  @Expose() @RequiredWithSetting('TLS_CERT_FILE') @IsPemPrivateKeyFileSetting('TLS_CERT_FILE')
  TLS_KEY_FILE?: string;

  @Expose() @IsNomadAddressSetting()
  NOMAD_ADDR: string = 'http://127.0.0.1:4646';

  @Expose() @IsOptional() @IsStringSetting()
  NOMAD_TOKEN?: string;

  @Expose() @IsOptional() @IsStringSetting()
  NOMAD_REGION?: string;

  @Expose() @IsOptional() @IsNamespaceSetting()
  NOMAD_NAMESPACE?: string;

  @Expose() @IsOptional() @IsNamespaceSetting()
  DEFAULT_NAMESPACE?: string;

  @Expose() @IsOptional() @IsReadableFileSetting()
  NOMAD_CACERT?: string;

  /** A PEM CA file or a folder of them (Nomad's own variable); NOMAD_CACERT wins when both are set, as in Nomad. */
  @Expose() @IsOptional() @IsCaPathSetting()
  NOMAD_CAPATH?: string;

  /** The name Nomad's certificate is checked against, and sent as SNI, instead of NOMAD_ADDR's host (e.g. server.global.nomad). */
  @Expose() @IsOptional() @IsHostSetting()
  NOMAD_TLS_SERVER_NAME?: string;

  @Expose() @RequiredWithSetting('NOMAD_CLIENT_KEY') @IsReadableFileSetting()
  NOMAD_CLIENT_CERT?: string;

  @Expose() @RequiredWithSetting('NOMAD_CLIENT_CERT') @IsReadableFileSetting()
  NOMAD_CLIENT_KEY?: string;

  @Expose() @ToBoolean() @IsBooleanSetting()
  NOMAD_SKIP_VERIFY: boolean = false;

  @Expose() @ToNumber() @IsIntegerSetting({ min: 100, max: 300000 })
  NOMAD_TIMEOUT_MS: number = 10000;

  @Expose() @IsOneOfSetting(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Expose() @IsOneOfSetting(LOG_FORMATS)
  LOG_FORMAT: (typeof LOG_FORMATS)[number] = 'json';

  @Expose() @ToNumber() @IsIntegerSetting({ min: 0 })
  RATE_LIMIT_PER_MINUTE: number = 600;

  /** Redis (redis://user:password@host:6379/0) where replicas keep their rate-limit counts together. */
  @Expose() @IsOptional() @IsRedisUrlSetting()
  REDIS_URL?: string;

  /** The prefix of those counts' keys in Redis: deployments that share one Redis each need their own. */
  @Expose() @IsStringSetting()
  RATE_LIMIT_REDIS_PREFIX: string = 'nomad-mcp:rl:';

  /** Browser origins (scheme://host[:port], comma-separated) allowed besides the service's own: web apps that call the API. */
  @Expose() @IsOptional() @IsOriginListSetting()
  MCP_ALLOWED_ORIGINS?: string;

  /** true: every operation that changes something is refused, for every caller. */
  @Expose() @ToBoolean() @IsBooleanSetting()
  NOMAD_MCP_READ_ONLY: boolean = false;

  /** Namespace globs (comma-separated) that bound every caller, e.g. `dev-*,staging`. */
  @Expose() @IsOptional() @IsNamespaceGlobListSetting()
  NOMAD_MCP_ALLOWED_NAMESPACES?: string;

  /**
   * Which changes need a confirmed second call, for every caller: `destructive` (stop, purge, restart, an update
   * of an existing job), `writes` (every change) or `off`. Unset: identities-file callers default to
   * `destructive` (or their own `confirm`), plain API_KEYS keys and keyless local use keep one-call changes.
   */
  @Expose() @IsOptional() @IsOneOfSetting(CONFIRM_POLICIES)
  NOMAD_MCP_CONFIRM?: ConfirmPolicy;

  /**
   * Who confirms a change that needs confirmation: `caller` (the caller repeats its call with the plan's
   * confirm_token, after asking its user) or `human` (the change waits as a pending change until a person with
   * the scope `approve` or `admin` approves it on the approval page, /ui; the caller's tokens are refused).
   */
  @Expose() @IsOneOfSetting(CONFIRM_BY)
  NOMAD_MCP_CONFIRM_BY: ConfirmBy = 'caller';

  /** How long a change waits for a person's approval (NOMAD_MCP_CONFIRM_BY=human), in seconds. */
  @Expose() @ToNumber() @IsIntegerSetting({ min: 60, max: 604800 })
  NOMAD_MCP_APPROVAL_TTL_SECONDS: number = 3600;

  /** Signs confirmation tokens; give every replica the same (at least 32 characters). Unset: random per process. */
  @Expose() @IsOptional() @IsSecretSetting({ minLength: 32 })
  NOMAD_MCP_CONFIRM_SECRET?: string;

  /** How long a confirmation token stays valid, in seconds. */
  @Expose() @ToNumber() @IsIntegerSetting({ min: 1, max: 3600 })
  NOMAD_MCP_CONFIRM_TTL_SECONDS: number = 300;

  /**
   * true: a caller may send its own Nomad token as X-Nomad-Token (REST and MCP over HTTP), used for its calls
   * instead of its identity's or NOMAD_TOKEN; it must still pass the API-key check. false: the header is ignored.
   */
  @Expose() @ToBoolean() @IsBooleanSetting()
  NOMAD_MCP_TOKEN_PASSTHROUGH: boolean = false;

  /** The audit trail's SQLite file (created with its folder), used when DATABASE_URL is not set. */
  @Expose() @IsStringSetting()
  AUDIT_DB_PATH: string = './data/audit.sqlite3';

  /** Postgres for the audit trail (postgres://user:password@host:5432/db), so that replicas share one trail. */
  @Expose() @IsOptional() @IsPostgresUrlSetting()
  DATABASE_URL?: string;

  /** true: reads (list, status, logs) are recorded in the audit trail too; changes always are. */
  @Expose() @ToBoolean() @IsBooleanSetting()
  NOMAD_MCP_AUDIT_READS: boolean = false;

  /**
   * How stale an answer of the watch cache may be (`1s`, `500ms`; a bare number is seconds); `0` turns the cache
   * off and every read asks Nomad. Held as milliseconds.
   */
  @Expose() @ToDurationMs() @IsDurationSetting({ maxMs: 60000 })
  NOMAD_MCP_CACHE_MAX_STALE: number = 1000;

  /** How many jobs the watch cache keeps the details of (status, allocations, deployments), least recently asked dropped first. */
  @Expose() @ToNumber() @IsIntegerSetting({ min: 1, max: 100000 })
  NOMAD_MCP_CACHE_MAX_JOBS: number = 500;

  /**
   * A bearer token (at least 32 characters) that also opens GET /metrics, for a Prometheus that holds no API key.
   * Unset: /metrics needs an API key with the scope `admin` (as it does anyway).
   */
  @Expose() @IsOptional() @IsSecretSetting({ minLength: 32 })
  METRICS_TOKEN?: string;

  /*
   * OpenTelemetry traces, by the standard OTEL_* names: with an endpoint set, a span per operation and a child
   * span per Nomad call are exported over OTLP/HTTP (JSON); unset, the OpenTelemetry packages are never loaded.
   */
  /** The collector's base URL; traces go to `<url>/v1/traces`. */
  @Expose() @IsOptional() @IsHttpUrlSetting()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The traces URL itself, used as it is (wins over OTEL_EXPORTER_OTLP_ENDPOINT). */
  @Expose() @IsOptional() @IsHttpUrlSetting()
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** Headers sent with every export, `key=value,key2=value2` (values URL-encoded); often a secret. */
  @Expose() @IsOptional() @IsOtlpHeadersSetting()
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  /** Like OTEL_EXPORTER_OTLP_HEADERS, for traces only; a key in both takes this value. */
  @Expose() @IsOptional() @IsOtlpHeadersSetting()
  OTEL_EXPORTER_OTLP_TRACES_HEADERS?: string;

  /** The `service.name` of every span. */
  @Expose() @IsStringSetting()
  OTEL_SERVICE_NAME: string = 'nomad-mcp';

  /** `none` turns traces off whatever the endpoint says; `otlp` (the default) exports them. */
  @Expose() @IsOneOfSetting(OTEL_TRACES_EXPORTERS)
  OTEL_TRACES_EXPORTER: (typeof OTEL_TRACES_EXPORTERS)[number] = 'otlp';

  /**
   * Which calls are traced: all (`parentbased_always_on`, the default) unless the caller's own trace is not
   * sampled; `*traceidratio`: a share of them (OTEL_TRACES_SAMPLER_ARG); `always_*` ignore the caller's choice.
   */
  @Expose() @IsOneOfSetting(OTEL_TRACES_SAMPLERS)
  OTEL_TRACES_SAMPLER: (typeof OTEL_TRACES_SAMPLERS)[number] = 'parentbased_always_on';

  /** The share of calls the `traceidratio` samplers trace, 0 to 1. */
  @Expose() @ToNumber() @IsRatioSetting()
  OTEL_TRACES_SAMPLER_ARG: number = 1;

  /** true: traces off (OpenTelemetry's switch for the whole SDK). */
  @Expose() @ToBoolean() @IsBooleanSetting()
  OTEL_SDK_DISABLED: boolean = false;

  /** Milliseconds between two exports of the finished spans (the batch processor's delay). */
  @Expose() @ToNumber() @IsIntegerSetting({ min: 1, max: 600000 })
  OTEL_BSP_SCHEDULE_DELAY: number = 5000;
}

/** Settings whose values are secrets: a bad one is named, never shown. */
const SECRET_SETTINGS = new Set(['NOMAD_TOKEN', 'API_KEYS', 'METRICS_TOKEN', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']);
/** Settings that are URLs and may carry a password (`http://user:pw@host`): shown without it. */
const URL_SETTINGS = new Set(['NOMAD_ADDR', 'PUBLIC_URL', 'DATABASE_URL', 'REDIS_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);

/** ` (got "…")` when the value may be shown; a secret, or a setting named like one, never is. */
function shownValue(name: string, value: unknown): string {
  if (value === undefined || SECRET_SETTINGS.has(name) || /TOKEN|SECRET|PASSWORD/i.test(name)) return '';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return '';
  const text = URL_SETTINGS.has(name) ? redactUrl(String(value)) : String(value);
  return ` (got "${text.length > 200 ? `${text.slice(0, 200)}…` : text}")`;
}

/** Thrown for a bad setting; its message is the one line the service prints before it stops. */
export class ConfigError extends Error {
  readonly name = 'ConfigError';
}

/**
 * Validates `env` and returns the typed config, or throws a ConfigError whose message is one clear line:
 * `Invalid configuration: "PORT" must be a number (got "eighty")`. An empty value counts as unset. A setting
 * read from an alias (TRANSPORT_PORT for PORT, …) is named by the alias that was set.
 */
export function loadConfig(env: Record<string, unknown>): AppConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const { env: resolved, from, invalid } = resolveSettingAliases(given);
  if (invalid) throw new ConfigError(`Invalid configuration: "${invalid.alias}" must be ${invalid.format}${shownValue(invalid.alias, given[invalid.alias])}`);
  const vars = plainToInstance(EnvironmentVariables, resolved, { excludeExtraneousValues: true, exposeDefaultValues: true });
  const [first] = validateSync(vars, { stopAtFirstError: true, forbidUnknownValues: false });
  if (first) throw configError(first, given, from);
  return toAppConfig(vars);
}

function configError(error: ValidationError, given: Record<string, unknown>, from: Record<string, string>): ConfigError {
  const name = from[error.property] ?? error.property;
  let reason = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
  // "TLS_KEY_FILE is required when TLS_CERT_FILE is set" names the variable that was set: MCP_TLS_CERT_FILE
  for (const [setting, alias] of Object.entries(from)) reason = reason.replace(new RegExp(`\\b${setting}\\b`, 'g'), alias);
  return new ConfigError(`Invalid configuration: "${name}" ${reason}${shownValue(name, given[name])}`);
}

// the names most of the service imports; see app-config.ts for the shape
export { APP_CONFIG } from './app-config';
export type { AppConfig } from './app-config';
