import type { EnvironmentVariables } from './env.schema';
import type { ConfirmPolicy } from '@nomad-mcp/auth';
import { commaList, parseOtlpHeaders } from './setting-formats';

/** How the service reaches Nomad: what NomadModule needs, plus the namespace used when a call names none. */
export interface NomadConfig {
  /** NOMAD_ADDR, as given: it may carry a password, so show it only through redactUrl. */
  address: string;
  token?: string;
  region?: string;
  /** DEFAULT_NAMESPACE, else NOMAD_NAMESPACE, else `development`. */
  defaultNamespace: string;
  caCertPath?: string;
  /** NOMAD_CAPATH: a PEM CA file or a folder of them (NOMAD_CACERT wins). */
  caPath?: string;
  /** NOMAD_TLS_SERVER_NAME: the name Nomad's certificate is checked against. */
  tlsServerName?: string;
  clientCertPath?: string;
  clientKeyPath?: string;
  skipVerify: boolean;
  timeoutMs: number;
}

/** Where and how the HTTP server listens and answers. */
export interface HttpConfig {
  /** HOST; unset: 0.0.0.0 when keys are configured, else 127.0.0.1 (see bootstrap's listen). */
  host?: string;
  port: number;
  publicUrl?: string;
  /** Per-client requests per minute; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** REDIS_URL: where replicas count rate limits together (else each counts its own). It may carry a password: show it only through redactUrl. */
  redisUrl?: string;
  /** RATE_LIMIT_REDIS_PREFIX: the prefix of the rate-limit keys in Redis. */
  rateLimitRedisPrefix: string;
  /** MCP_ALLOWED_ORIGINS: browser origins allowed besides the service's own. */
  allowedOrigins: string[];
  /** TLS_CERT_FILE and TLS_KEY_FILE (checked to be a matching PEM pair): the service answers HTTPS only. */
  tls?: { certFile: string; keyFile: string };
}

/** Where the accepted API keys come from. */
export interface AuthConfig {
  apiKeys?: string;
  apiKeysFile?: string;
  /** NOMAD_MCP_READ_ONLY: every change refused for everyone. */
  readOnly: boolean;
  /** NOMAD_MCP_ALLOWED_NAMESPACES: globs that bound every caller; undefined = no bound. */
  allowedNamespaces?: string[];
  /** NOMAD_MCP_CONFIRM: the confirmation policy for every caller; undefined = per caller (see ConfirmationGate). */
  confirmPolicy?: ConfirmPolicy;
  /** NOMAD_MCP_CONFIRM_SECRET: signs confirmation tokens (replicas share it); undefined = random per process. */
  confirmSecret?: string;
  /** NOMAD_MCP_CONFIRM_TTL_SECONDS: how long a confirmation token is valid. */
  confirmTtlSeconds: number;
  /** NOMAD_MCP_TOKEN_PASSTHROUGH: a request's own X-Nomad-Token is used for its calls. */
  tokenPassthrough: boolean;
  /** NOMAD_MCP_CONFIRM_BY: `human` turns confirmations into pending changes a person approves on /ui. */
  confirmBy?: 'caller' | 'human';
  /** NOMAD_MCP_APPROVAL_TTL_SECONDS: how long a pending change waits for a person. */
  approvalTtlSeconds?: number;
}

/** The service's own logs (pino, on stderr). */
export interface LogConfig {
  level: EnvironmentVariables['LOG_LEVEL'];
  format: EnvironmentVariables['LOG_FORMAT'];
}

/** Where the audit trail of operations is kept. */
export interface AuditConfig {
  /** AUDIT_DB_PATH: the embedded SQLite file used when no DATABASE_URL is set. */
  dbPath: string;
  /** DATABASE_URL: Postgres, shared by replicas. It may carry a password: show it only through redactUrl. */
  databaseUrl?: string;
  /** NOMAD_MCP_AUDIT_READS: record reads too (changes are always recorded). */
  reads: boolean;
}

/** GET /metrics (Prometheus). */
export interface MetricsConfig {
  /** METRICS_TOKEN: a bearer token that opens /metrics besides an API key with the scope `admin`; a secret. */
  token?: string;
}

/** OpenTelemetry traces (OTEL_* settings). */
export interface TracingConfig {
  /** Where spans are exported (OTLP/HTTP JSON, `…/v1/traces`); undefined: tracing is off and its packages are never loaded. */
  tracesUrl?: string;
  /** OTEL_EXPORTER_OTLP_HEADERS merged with OTEL_EXPORTER_OTLP_TRACES_HEADERS: sent with each export; secrets. */
  headers: Record<string, string>;
  serviceName: string;
  /** OTEL_BSP_SCHEDULE_DELAY: milliseconds between exports. */
  scheduleDelayMs: number;
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (the share for the ratio samplers). */
  sampler: { name: EnvironmentVariables['OTEL_TRACES_SAMPLER']; ratio: number };
}

/** The watch cache of hot reads (apps/nomad-mcp/src/cache). */
export interface CacheConfig {
  /** NOMAD_MCP_CACHE_MAX_STALE in milliseconds: the oldest an answer from the cache may be; 0 = no cache. */
  maxStaleMs: number;
  /** NOMAD_MCP_CACHE_MAX_JOBS: jobs whose details are kept (least recently asked dropped first). */
  maxJobs: number;
}

/** The settings grouped by the part of the service that consumes them. */
export interface ConfigSlices {
  nomad: NomadConfig;
  http: HttpConfig;
  auth: AuthConfig;
  log: LogConfig;
  audit: AuditConfig;
  metrics: MetricsConfig;
  tracing: TracingConfig;
  cache: CacheConfig;
}

/**
 * The whole configuration: the slices, plus the flat names code has used so far (kept so that code
 * written against them keeps working; new code should inject a slice).
 */
export interface AppConfig extends ConfigSlices {
  port: number;
  host?: string;
  apiKeys?: string;
  apiKeysFile?: string;
  publicUrl?: string;
  nomadAddr: string;
  nomadToken?: string;
  nomadRegion?: string;
  defaultNamespace: string;
  nomadCaCert?: string;
  nomadClientCert?: string;
  nomadClientKey?: string;
  nomadSkipVerify: boolean;
  nomadTimeoutMs: number;
  logLevel: string;
  logFormat: string;
  rateLimitPerMinute: number;
  allowedOrigins: string[];
}

/** Injection token of the whole AppConfig. */
export const APP_CONFIG = 'app';

/** Injection tokens of the slices: `@Inject(NOMAD_CONFIG) nomad: NomadConfig`. */
export const NOMAD_CONFIG = Symbol('NOMAD_CONFIG');
export const HTTP_CONFIG = Symbol('HTTP_CONFIG');
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const LOG_CONFIG = Symbol('LOG_CONFIG');
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
export const METRICS_CONFIG = Symbol('METRICS_CONFIG');
export const TRACING_CONFIG = Symbol('TRACING_CONFIG');
export const CACHE_CONFIG = Symbol('CACHE_CONFIG');

export const SLICE_TOKENS: Record<keyof ConfigSlices, symbol> = {
  nomad: NOMAD_CONFIG,
  http: HTTP_CONFIG,
  auth: AUTH_CONFIG,
  log: LOG_CONFIG,
  audit: AUDIT_CONFIG,
  metrics: METRICS_CONFIG,
  tracing: TRACING_CONFIG,
  cache: CACHE_CONFIG,
};

const deepFreeze = <T extends object>(o: T): Readonly<T> => {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
};

/** The validated variables, grouped; frozen, since every consumer shares the one object. */
export function toAppConfig(v: EnvironmentVariables): AppConfig {
  const nomad: NomadConfig = {
    address: v.NOMAD_ADDR,
    token: v.NOMAD_TOKEN || undefined,
    region: v.NOMAD_REGION || undefined,
    defaultNamespace: v.DEFAULT_NAMESPACE ?? v.NOMAD_NAMESPACE ?? 'development',
    caCertPath: v.NOMAD_CACERT,
    caPath: v.NOMAD_CAPATH,
    tlsServerName: v.NOMAD_TLS_SERVER_NAME,
    clientCertPath: v.NOMAD_CLIENT_CERT,
    clientKeyPath: v.NOMAD_CLIENT_KEY,
    skipVerify: v.NOMAD_SKIP_VERIFY,
    timeoutMs: v.NOMAD_TIMEOUT_MS,
  };
  const allowedOrigins = commaList(v.MCP_ALLOWED_ORIGINS ?? '').map((o) => new URL(o).origin);
  const tls = v.TLS_CERT_FILE && v.TLS_KEY_FILE ? { certFile: v.TLS_CERT_FILE, keyFile: v.TLS_KEY_FILE } : undefined;
  const http: HttpConfig = {
    host: v.HOST, port: v.PORT, publicUrl: v.PUBLIC_URL, rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE, allowedOrigins, tls,
    redisUrl: v.REDIS_URL, rateLimitRedisPrefix: v.RATE_LIMIT_REDIS_PREFIX,
  };
  const auth: AuthConfig = {
    apiKeys: v.API_KEYS, apiKeysFile: v.API_KEYS_FILE, readOnly: v.NOMAD_MCP_READ_ONLY,
    allowedNamespaces: v.NOMAD_MCP_ALLOWED_NAMESPACES === undefined ? undefined : commaList(v.NOMAD_MCP_ALLOWED_NAMESPACES),
    confirmPolicy: v.NOMAD_MCP_CONFIRM, confirmSecret: v.NOMAD_MCP_CONFIRM_SECRET, confirmTtlSeconds: v.NOMAD_MCP_CONFIRM_TTL_SECONDS,
    tokenPassthrough: v.NOMAD_MCP_TOKEN_PASSTHROUGH,
    confirmBy: v.NOMAD_MCP_CONFIRM_BY, approvalTtlSeconds: v.NOMAD_MCP_APPROVAL_TTL_SECONDS,
  };
  const log: LogConfig = { level: v.LOG_LEVEL, format: v.LOG_FORMAT };
  const audit: AuditConfig = { dbPath: v.AUDIT_DB_PATH, databaseUrl: v.DATABASE_URL, reads: v.NOMAD_MCP_AUDIT_READS };
  return deepFreeze({
    nomad, http, auth, log, audit, metrics: { token: v.METRICS_TOKEN }, tracing: tracingOf(v),
    cache: { maxStaleMs: v.NOMAD_MCP_CACHE_MAX_STALE, maxJobs: v.NOMAD_MCP_CACHE_MAX_JOBS },
    port: http.port,
    host: http.host,
    apiKeys: auth.apiKeys,
    apiKeysFile: auth.apiKeysFile,
    publicUrl: http.publicUrl,
    nomadAddr: nomad.address,
    nomadToken: nomad.token,
    nomadRegion: nomad.region,
    defaultNamespace: nomad.defaultNamespace,
    nomadCaCert: nomad.caCertPath,
    nomadClientCert: nomad.clientCertPath,
    nomadClientKey: nomad.clientKeyPath,
    nomadSkipVerify: nomad.skipVerify,
    nomadTimeoutMs: nomad.timeoutMs,
    logLevel: log.level,
    logFormat: log.format,
    rateLimitPerMinute: http.rateLimitPerMinute,
    allowedOrigins: http.allowedOrigins,
  });
}

/** The traces URL as OpenTelemetry's exporters derive it: the signal's own endpoint as it is, else `<endpoint>/v1/traces`. */
function tracingOf(v: EnvironmentVariables): TracingConfig {
  const off = v.OTEL_SDK_DISABLED || v.OTEL_TRACES_EXPORTER === 'none';
  const base = v.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = off ? undefined : (v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && `${base.replace(/\/+$/, '')}/v1/traces`));
  const headers = { ...parseOtlpHeaders(v.OTEL_EXPORTER_OTLP_HEADERS ?? ''), ...parseOtlpHeaders(v.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? '') };
  const sampler = { name: v.OTEL_TRACES_SAMPLER, ratio: v.OTEL_TRACES_SAMPLER_ARG };
  return { tracesUrl, headers, serviceName: v.OTEL_SERVICE_NAME, scheduleDelayMs: v.OTEL_BSP_SCHEDULE_DELAY, sampler };
}
