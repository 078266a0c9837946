import * as Joi from 'joi';
import { accessSync, constants } from 'node:fs';

/** A path that must name a readable file (certificates, keys, key lists): checked at start, not at first use. */
const readableFile = () =>
  Joi.string().custom((path: string, helpers) => {
    try {
      accessSync(path, constants.R_OK);
      return path;
    } catch {
      return helpers.message({ custom: '{{#label}} must be a readable file' });
    }
  });

function isOrigin(text: string): boolean {
  try {
    const u = new URL(text);
    return /^https?:$/.test(u.protocol) && u.pathname === '/' && !u.search && !u.hash && !u.username && !text.endsWith('/');
  } catch {
    return false;
  }
}

/**
 * Every setting the service reads, validated at start-up. Nomad's own variable names are used for the
 * connection to Nomad so that an existing shell set up for the `nomad` CLI works as it is.
 */
export const envSchema = Joi.object({
  PORT: Joi.number().port().default(8000),
  HOST: Joi.string().hostname().allow('0.0.0.0', '::').optional(),
  API_KEYS: Joi.string().allow('').optional(),
  API_KEYS_FILE: readableFile().optional(),
  PUBLIC_URL: Joi.string().uri({ scheme: ['http', 'https'] }).optional(),
  NOMAD_ADDR: Joi.string().uri({ scheme: ['http', 'https'] }).default('http://127.0.0.1:4646'),
  NOMAD_TOKEN: Joi.string().allow('').optional(),
  NOMAD_REGION: Joi.string().allow('').optional(),
  NOMAD_NAMESPACE: Joi.string().pattern(/^[a-zA-Z0-9-]{1,128}$/).optional(),
  DEFAULT_NAMESPACE: Joi.string().pattern(/^[a-zA-Z0-9-]{1,128}$/).optional(),
  NOMAD_CACERT: readableFile().optional(),
  NOMAD_CLIENT_CERT: readableFile().optional(),
  NOMAD_CLIENT_KEY: readableFile().when('NOMAD_CLIENT_CERT', { is: Joi.exist(), then: Joi.required() }),
  NOMAD_SKIP_VERIFY: Joi.boolean().truthy('1').falsy('0').default(false),
  NOMAD_TIMEOUT_MS: Joi.number().integer().min(100).max(300000).default(10000),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  LOG_FORMAT: Joi.string().valid('json', 'pretty').default('json'),
  RATE_LIMIT_PER_MINUTE: Joi.number().integer().min(0).default(600),
  // browser origins (scheme://host[:port]) allowed besides the service's own: web apps that call the API
  MCP_ALLOWED_ORIGINS: Joi.string().allow('').custom((v: string, helpers) =>
    v.split(',').every((o) => !o.trim() || isOrigin(o.trim())) ? v : helpers.message({ custom: '{{#label}} must be comma-separated origins such as https://app.example.com' })).optional(),
}).unknown(true);

export interface AppConfig {
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
  rateLimitPerMinute: number;
  allowedOrigins: string[];
}

/** Validates `env` and returns the typed config, or throws an Error whose message is one clear line. */
export function loadConfig(env: Record<string, unknown>): AppConfig {
  const { error, value } = envSchema.validate(env, { abortEarly: true, convert: true });
  if (error) {
    const detail = error.details[0];
    const name = detail?.path.join('.') ?? 'config';
    const got = name && env[name] !== undefined && !/KEY|TOKEN/.test(name) ? ` (got "${String(env[name])}")` : '';
    throw new Error(`Invalid configuration: ${detail?.message ?? error.message}${got}`);
  }
  return {
    port: value.PORT,
    host: value.HOST,
    apiKeys: value.API_KEYS,
    apiKeysFile: value.API_KEYS_FILE,
    publicUrl: value.PUBLIC_URL,
    nomadAddr: value.NOMAD_ADDR,
    nomadToken: value.NOMAD_TOKEN || undefined,
    nomadRegion: value.NOMAD_REGION || undefined,
    defaultNamespace: value.DEFAULT_NAMESPACE ?? value.NOMAD_NAMESPACE ?? 'development',
    nomadCaCert: value.NOMAD_CACERT,
    nomadClientCert: value.NOMAD_CLIENT_CERT,
    nomadClientKey: value.NOMAD_CLIENT_KEY,
    nomadSkipVerify: value.NOMAD_SKIP_VERIFY,
    nomadTimeoutMs: value.NOMAD_TIMEOUT_MS,
    logLevel: value.LOG_LEVEL,
    rateLimitPerMinute: value.RATE_LIMIT_PER_MINUTE,
    allowedOrigins: (value.MCP_ALLOWED_ORIGINS ?? '').split(',').map((o: string) => o.trim()).filter(Boolean).map((o: string) => new URL(o).origin),
  };
}

export const APP_CONFIG = 'app';
