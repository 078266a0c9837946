import { Transform } from 'class-transformer';
import { isFQDN, isIP, ValidateBy, ValidationArguments } from 'class-validator';
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { unixSocketPath } from '@nomad-mcp/nomad';
import { readCaPath } from '@nomad-mcp/nomad/transport/nomad-ca-path';
import { NAMESPACE_GLOB, parseOtlpHeaders } from './setting-formats';

/*
 * class-validator decorators for environment settings. Each one checks one kind of value completely
 * (type first, then range) and says what is wrong in Joi's familiar words ("must be a number"), so the
 * first failure is always the most basic one whatever order decorators run in. Messages never contain
 * the value: loadConfig decides whether a value may be shown.
 */

/** Environment values are strings; a numeric string becomes a number, anything else stays as it is (and fails). */
export const ToNumber = () =>
  Transform(({ value }) => (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value));

const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);
/** `true`/`false` (any case) or `1`/`0`, as NOMAD_SKIP_VERIFY takes them. */
export const ToBoolean = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    return TRUE.has(v) ? true : FALSE.has(v) ? false : value;
  });

function integerProblem(value: unknown, o: { min?: number; max?: number; port?: boolean }): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'must be a number';
  if (!Number.isInteger(value)) return 'must be an integer';
  if (o.port && (value < 0 || value > 65535)) return 'must be a valid port';
  if (o.min !== undefined && value < o.min) return `must be greater than or equal to ${o.min}`;
  if (o.max !== undefined && value > o.max) return `must be less than or equal to ${o.max}`;
  return undefined;
}

/** A whole number, optionally bounded; `port: true` means 0..65535 (0 = any free port). */
export const IsIntegerSetting = (o: { min?: number; max?: number; port?: boolean } = {}) =>
  ValidateBy({
    name: 'isIntegerSetting',
    validator: {
      validate: (value) => integerProblem(value, o) === undefined,
      defaultMessage: (args?: ValidationArguments) => integerProblem(args?.value, o) ?? 'is invalid',
    },
  });

/** Go-style durations as Nomad's settings take them (`1s`, `500ms`, `2m`); a bare number is seconds. */
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60000 };

/** A duration becomes milliseconds; anything else stays as it is (and fails IsDurationSetting). */
export const ToDurationMs = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const m = DURATION.exec(value.trim());
    return m ? Math.round(Number(m[1]) * DURATION_UNIT_MS[m[2] ?? 's']) : value;
  });

/** A duration (after ToDurationMs: whole milliseconds) of at most `maxMs`. */
export const IsDurationSetting = (o: { maxMs: number }) =>
  ValidateBy({
    name: 'isDurationSetting',
    validator: {
      validate: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= o.maxMs,
      defaultMessage: (args?: ValidationArguments) =>
        typeof args?.value === 'number' ? `must be at most ${o.maxMs / 1000}s` : 'must be a duration such as 1s, 500ms or 0 (off)',
    },
  });

export const IsBooleanSetting = () =>
  ValidateBy({ name: 'isBooleanSetting', validator: { validate: (v) => typeof v === 'boolean', defaultMessage: () => 'must be a boolean' } });

export const IsStringSetting = () =>
  ValidateBy({ name: 'isStringSetting', validator: { validate: (v) => typeof v === 'string', defaultMessage: () => 'must be a string' } });

/** A secret string of at least minLength characters (its value is never shown in the error). */
export const IsSecretSetting = (o: { minLength: number }) =>
  ValidateBy({
    name: 'isSecretSetting',
    validator: {
      validate: (v) => typeof v === 'string' && v.length >= o.minLength,
      defaultMessage: () => `must be at least ${o.minLength} characters (e.g. the output of \`openssl rand -hex 32\`)`,
    },
  });

export const IsOneOfSetting = (values: readonly string[]) =>
  ValidateBy({
    name: 'isOneOfSetting',
    validator: { validate: (v) => typeof v === 'string' && values.includes(v), defaultMessage: () => `must be one of [${values.join(', ')}]` },
  });

/** An absolute URL with a host and one of `protocols` (each with its colon, `http:`). */
function isUrlOf(v: unknown, protocols: string[]): boolean {
  if (typeof v !== 'string') return false;
  try {
    const url = new URL(v);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

const IsUrlSetting = (name: string, protocols: string[], message: string) =>
  ValidateBy({ name, validator: { validate: (v) => isUrlOf(v, protocols), defaultMessage: () => message } });

/** An absolute http:// or https:// URL with a host (PUBLIC_URL). */
export const IsHttpUrlSetting = () =>
  IsUrlSetting('isHttpUrlSetting', ['http:', 'https:'], 'must be an http:// or https:// URL, e.g. http://127.0.0.1:4646');

/**
 * NOMAD_ADDR: an http(s) URL with a host, or `unix:///path/api.sock` as Nomad's own client reads it (the Task
 * API socket a Nomad task reaches at `${NOMAD_SECRETS_DIR}/api.sock`, the way Nomad's docs want workloads to
 * call Nomad).
 */
export const IsNomadAddressSetting = () =>
  ValidateBy({
    name: 'isNomadAddressSetting',
    validator: {
      validate: (v) => isUrlOf(v, ['http:', 'https:']) || (typeof v === 'string' && unixSocketPath(v) !== undefined),
      defaultMessage: () => 'must be an http:// or https:// URL, e.g. http://127.0.0.1:4646, or unix:///path/to/api.sock',
    },
  });

/** A postgres:// or postgresql:// URL with a host (DATABASE_URL). */
export const IsPostgresUrlSetting = () =>
  IsUrlSetting('isPostgresUrlSetting', ['postgres:', 'postgresql:'], 'must be a postgres:// URL, e.g. postgres://audit:password@127.0.0.1:5432/audit');

/** A redis:// or rediss:// (TLS) URL with a host (REDIS_URL). */
export const IsRedisUrlSetting = () =>
  IsUrlSetting('isRedisUrlSetting', ['redis:', 'rediss:'], 'must be a redis:// or rediss:// URL, e.g. redis://:password@127.0.0.1:6379/0');

/** A host name or an IP address to listen on (HOST). */
export const IsHostSetting = () =>
  ValidateBy({
    name: 'isHostSetting',
    validator: {
      validate: (v) => typeof v === 'string' && (isIP(v) || isFQDN(v, { require_tld: false, allow_underscores: true })),
      defaultMessage: () => 'must be a valid hostname or IP address',
    },
  });

/** A Nomad namespace name, as Nomad accepts them. */
export const IsNamespaceSetting = () =>
  ValidateBy({
    name: 'isNamespaceSetting',
    validator: {
      validate: (v) => typeof v === 'string' && /^[a-zA-Z0-9-]{1,128}$/.test(v),
      defaultMessage: () => 'must be a namespace name (letters, digits and "-", at most 128)',
    },
  });

/**
 * A path that must name a readable file (certificates, keys, key lists): checked at start, not at first use.
 * An unset value passes; whether it must be set is RequiredWithSetting's or IsOptional's call.
 */
export const IsReadableFileSetting = () =>
  ValidateBy({
    name: 'isReadableFileSetting',
    validator: {
      validate: (v) => {
        if (v === undefined) return true;
        if (typeof v !== 'string') return false;
        try {
          accessSync(v, constants.R_OK);
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be a readable file',
    },
  });

function caPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'must be a path';
  try {
    readCaPath(path);
    return undefined;
  } catch (err) {
    return `must be a PEM CA certificate file or a folder of them: ${(err as Error).message}`;
  }
}

/** NOMAD_CAPATH: a PEM CA file or a folder of them, read now as the Nomad client will read it. */
export const IsCaPathSetting = () =>
  ValidateBy({
    name: 'isCaPathSetting',
    validator: {
      validate: (v) => v === undefined || caPathProblem(v) === undefined,
      defaultMessage: (args?: ValidationArguments) => caPathProblem(args?.value) ?? 'is invalid',
    },
  });

/** The PEM text of a file, or undefined when it cannot be read or holds no PEM block of `label`. */
function pemFile(path: unknown, label: RegExp): string | undefined {
  if (typeof path !== 'string') return undefined;
  try {
    const text = readFileSync(path, 'utf8');
    return label.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

function certificateIn(path: unknown): X509Certificate | undefined {
  const pem = pemFile(path, /-----BEGIN CERTIFICATE-----/);
  try {
    return pem === undefined ? undefined : new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function privateKeyIn(path: unknown): KeyObject | undefined {
  const pem = pemFile(path, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  try {
    return pem === undefined ? undefined : createPrivateKey(pem);
  } catch {
    return undefined; // malformed, or encrypted (a passphrase the service is never given)
  }
}

/*
 * The service's own certificate and key (TLS_CERT_FILE, TLS_KEY_FILE) are checked at start-up, so that a
 * wrong file is one line naming the setting instead of an OpenSSL error when the server is created. The
 * messages never quote the files: a key file's contents are a secret.
 */

/** A readable PEM certificate file (the server's certificate first, any intermediates after it). */
export const IsPemCertificateFileSetting = () =>
  ValidateBy({
    name: 'isPemCertificateFileSetting',
    validator: {
      validate: (v) => v === undefined || certificateIn(v) !== undefined,
      defaultMessage: () => 'must be a readable PEM certificate file (-----BEGIN CERTIFICATE-----)',
    },
  });

function keyProblem(args: ValidationArguments | undefined, cert: string): string | undefined {
  if (args?.value === undefined) return undefined;
  const key = privateKeyIn(args.value);
  if (!key) return 'must be a readable, unencrypted PEM private key file (-----BEGIN PRIVATE KEY-----)';
  const certificate = certificateIn((args.object as Record<string, unknown>)[cert]);
  if (certificate && !certificate.checkPrivateKey(key)) return `is not the private key of the certificate in ${cert}`;
  return undefined;
}

/** A readable, unencrypted PEM private key that belongs to the certificate named by the setting `cert`. */
export const IsPemPrivateKeyFileSetting = (cert: string) =>
  ValidateBy({
    name: 'isPemPrivateKeyFileSetting',
    constraints: [cert],
    validator: {
      validate: (_v, args) => keyProblem(args, cert) === undefined,
      defaultMessage: (args?: ValidationArguments) => keyProblem(args, cert) ?? 'is invalid',
    },
  });

/** Set when `other` is set: a client certificate needs its key and the other way round. */
export const RequiredWithSetting = (other: string) =>
  ValidateBy({
    name: 'requiredWithSetting',
    constraints: [other],
    validator: {
      validate: (v, args) => v !== undefined || (args?.object as Record<string, unknown>)[other] === undefined,
      defaultMessage: () => `is required when ${other} is set`,
    },
  });

function isOrigin(text: string): boolean {
  try {
    const u = new URL(text);
    return /^https?:$/.test(u.protocol) && u.pathname === '/' && !u.search && !u.hash && !u.username && !text.endsWith('/');
  } catch {
    return false;
  }
}


/** A comma-separated setting whose every (trimmed) item passes `item`. */
const IsCommaListSetting = (name: string, item: (text: string) => boolean, message: string) =>
  ValidateBy({
    name,
    validator: {
      validate: (v) => typeof v === 'string' && v.split(',').every((i) => item(i.trim())),
      defaultMessage: () => message,
    },
  });

/** Comma-separated browser origins such as `https://app.example.com` (MCP_ALLOWED_ORIGINS); empty items pass. */
export const IsOriginListSetting = () =>
  IsCommaListSetting('isOriginListSetting', (o) => !o || isOrigin(o), 'must be comma-separated origins such as https://app.example.com');

/** Comma-separated namespace globs (NOMAD_MCP_ALLOWED_NAMESPACES). */
export const IsNamespaceGlobListSetting = () =>
  IsCommaListSetting('isNamespaceGlobListSetting', (g) => NAMESPACE_GLOB.test(g), 'must be comma-separated namespace names or globs such as dev-*,staging');

/** OTEL_EXPORTER_OTLP_HEADERS: `key=value` pairs, comma-separated (the message never shows them: they are secrets). */
export const IsOtlpHeadersSetting = () =>
  ValidateBy({
    name: 'isOtlpHeadersSetting',
    validator: { validate: (v) => typeof v === 'string' && parseOtlpHeaders(v) !== undefined, defaultMessage: () => 'must be comma-separated key=value pairs, e.g. authorization=Bearer%20abc,x-tenant=ops' },
  });

/** A number from 0 to 1 (OTEL_TRACES_SAMPLER_ARG). */
export const IsRatioSetting = () =>
  ValidateBy({
    name: 'isRatioSetting',
    validator: { validate: (v) => typeof v === 'number' && v >= 0 && v <= 1, defaultMessage: () => 'must be a number from 0 to 1' },
  });
