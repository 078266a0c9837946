import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from './env.schema';

const tlsFixture = (name: string) => resolve(__dirname, '../../../../test/fixtures/tls', name);

const err = (env: Record<string, unknown>) => {
  try {
    loadConfig(env);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('loadConfig', () => {
  it("uses Nomad's own defaults and variables", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8000, nomadAddr: 'http://127.0.0.1:4646', defaultNamespace: 'development', nomadTimeoutMs: 10000, nomadSkipVerify: false, logLevel: 'info', logFormat: 'json', rateLimitPerMinute: 600 });
    expect(loadConfig({ NOMAD_NAMESPACE: 'prod' }).defaultNamespace).toBe('prod');
    expect(loadConfig({ NOMAD_NAMESPACE: 'prod', DEFAULT_NAMESPACE: 'dev' }).defaultNamespace).toBe('dev');
    expect(loadConfig({ NOMAD_SKIP_VERIFY: '1' }).nomadSkipVerify).toBe(true);
    expect(loadConfig({ NOMAD_SKIP_VERIFY: 'TRUE' }).nomadSkipVerify).toBe(true);
    expect(loadConfig({ NOMAD_SKIP_VERIFY: 'false' }).nomadSkipVerify).toBe(false);
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('reads the watch cache\'s staleness bound as a duration (a bare number is seconds; 0 turns it off)', () => {
    const stale = (v: string) => loadConfig({ NOMAD_MCP_CACHE_MAX_STALE: v }).cache.maxStaleMs;
    expect([stale('1s'), stale('500ms'), stale('0'), stale('2'), stale('1.5s'), stale('1m')]).toEqual([1000, 500, 0, 2000, 1500, 60000]);
    expect(err({ NOMAD_MCP_CACHE_MAX_STALE: 'soon' })).toBe('Invalid configuration: "NOMAD_MCP_CACHE_MAX_STALE" must be a duration such as 1s, 500ms or 0 (off) (got "soon")');
    expect(err({ NOMAD_MCP_CACHE_MAX_STALE: '2m' })).toBe('Invalid configuration: "NOMAD_MCP_CACHE_MAX_STALE" must be at most 60s (got "2m")');
    expect(loadConfig({ NOMAD_MCP_CACHE_MAX_JOBS: '50' }).cache.maxJobs).toBe(50);
    expect(err({ NOMAD_MCP_CACHE_MAX_JOBS: '0' })).toContain('"NOMAD_MCP_CACHE_MAX_JOBS" must be greater than or equal to 1');
  });

  it('groups the settings by consumer, with the flat names kept alongside', () => {
    const c = loadConfig({ NOMAD_ADDR: 'https://nomad:4646', NOMAD_TOKEN: 't', NOMAD_REGION: 'eu', PORT: '9000', HOST: 'localhost', API_KEYS: 'a,b', PUBLIC_URL: 'https://mcp.example', LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty', RATE_LIMIT_PER_MINUTE: '5', NOMAD_TIMEOUT_MS: '2000', MCP_ALLOWED_ORIGINS: 'https://app.example, http://localhost:3000' });
    expect(c.nomad).toEqual({ address: 'https://nomad:4646', token: 't', region: 'eu', defaultNamespace: 'development', skipVerify: false, timeoutMs: 2000, caCertPath: undefined, clientCertPath: undefined, clientKeyPath: undefined });
    expect(c.http).toEqual({ host: 'localhost', port: 9000, publicUrl: 'https://mcp.example', rateLimitPerMinute: 5, allowedOrigins: ['https://app.example', 'http://localhost:3000'], rateLimitRedisPrefix: 'nomad-mcp:rl:' });
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@redis.internal:6380/2', RATE_LIMIT_REDIS_PREFIX: 'staging:rl:' }).http).toMatchObject({ redisUrl: 'rediss://:pw@redis.internal:6380/2', rateLimitRedisPrefix: 'staging:rl:' });
    expect(() => loadConfig({ MCP_ALLOWED_ORIGINS: 'https://app.example/path' })).toThrow('Invalid configuration: "MCP_ALLOWED_ORIGINS" must be comma-separated origins such as https://app.example.com (got "https://app.example/path")');
    expect(c.auth).toEqual({ apiKeys: 'a,b', apiKeysFile: undefined, readOnly: false, allowedNamespaces: undefined, confirmPolicy: undefined, confirmSecret: undefined, confirmTtlSeconds: 300, tokenPassthrough: false, confirmBy: 'caller', approvalTtlSeconds: 3600 });
    expect(loadConfig({ NOMAD_MCP_CONFIRM_BY: 'human', NOMAD_MCP_APPROVAL_TTL_SECONDS: '600' }).auth).toMatchObject({ confirmBy: 'human', approvalTtlSeconds: 600 });
    expect(() => loadConfig({ NOMAD_MCP_CONFIRM_BY: 'robot' })).toThrow('"NOMAD_MCP_CONFIRM_BY"');
    expect(() => loadConfig({ NOMAD_MCP_APPROVAL_TTL_SECONDS: '5' })).toThrow('"NOMAD_MCP_APPROVAL_TTL_SECONDS"');
    expect(loadConfig({ NOMAD_MCP_READ_ONLY: 'true', NOMAD_MCP_ALLOWED_NAMESPACES: 'dev-*, staging', NOMAD_MCP_TOKEN_PASSTHROUGH: 'true' }).auth).toMatchObject({ readOnly: true, allowedNamespaces: ['dev-*', 'staging'], tokenPassthrough: true });
    expect(() => loadConfig({ NOMAD_MCP_TOKEN_PASSTHROUGH: 'yes please' })).toThrow('"NOMAD_MCP_TOKEN_PASSTHROUGH"');
    expect(() => loadConfig({ NOMAD_MCP_ALLOWED_NAMESPACES: 'dev/x' })).toThrow('"NOMAD_MCP_ALLOWED_NAMESPACES" must be comma-separated namespace names or globs');
    expect(c.log).toEqual({ level: 'debug', format: 'pretty' });
    expect(c.metrics).toEqual({ token: undefined });
    expect(loadConfig({ METRICS_TOKEN: 'm'.repeat(32) }).metrics).toEqual({ token: 'm'.repeat(32) });
    expect(() => loadConfig({ METRICS_TOKEN: 'short-SECRET' })).toThrow('Invalid configuration: "METRICS_TOKEN" must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)');
    expect(() => loadConfig({ METRICS_TOKEN: 'short-SECRET' })).not.toThrow(/SECRET"/);
    expect(c.cache).toEqual({ maxStaleMs: 1000, maxJobs: 500 });
    expect(c).toMatchObject({ audit: {}, metrics: {}, nomadAddr: c.nomad.address, nomadToken: 't', port: 9000, apiKeys: 'a,b', logLevel: 'debug' });
    expect(Object.isFrozen(c) && Object.isFrozen(c.nomad)).toBe(true);
  });

  it("takes NOMAD_ADDR as unix:///path (Nomad's Task API socket) as Nomad's own client does, with an absolute path only", () => {
    expect(loadConfig({ NOMAD_ADDR: 'unix:///secrets/api.sock' }).nomadAddr).toBe('unix:///secrets/api.sock');
    expect(err({ NOMAD_ADDR: 'unix://secrets/api.sock' })).toMatch(/^Invalid configuration: "NOMAD_ADDR" must be .* or unix:\/\/\/path\/to\/api.sock/);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', HOST: '', NOMAD_TOKEN: '', NOMAD_ADDR: '' })).toMatchObject({ port: 8000, host: undefined, nomadToken: undefined, nomadAddr: 'http://127.0.0.1:4646' });
  });

  it('stops on a bad value with one clear line naming it', () => {
    expect(err({ PORT: 'eighty' })).toBe('Invalid configuration: "PORT" must be a number (got "eighty")');
    expect(err({ PORT: '70000' })).toBe('Invalid configuration: "PORT" must be a valid port (got "70000")');
    expect(err({ PORT: '80.5' })).toBe('Invalid configuration: "PORT" must be an integer (got "80.5")');
    expect(err({ NOMAD_ADDR: 'nomad:4646' })).toBe('Invalid configuration: "NOMAD_ADDR" must be an http:// or https:// URL, e.g. http://127.0.0.1:4646, or unix:///path/to/api.sock (got "nomad:4646")');
    expect(err({ NOMAD_TIMEOUT_MS: '5' })).toBe('Invalid configuration: "NOMAD_TIMEOUT_MS" must be greater than or equal to 100 (got "5")');
    expect(err({ NOMAD_TIMEOUT_MS: '400000' })).toMatch(/"NOMAD_TIMEOUT_MS" must be less than or equal to 300000/);
    expect(err({ RATE_LIMIT_PER_MINUTE: '-1' })).toMatch(/"RATE_LIMIT_PER_MINUTE" must be greater than or equal to 0/);
    expect(err({ NOMAD_SKIP_VERIFY: 'yes' })).toBe('Invalid configuration: "NOMAD_SKIP_VERIFY" must be a boolean (got "yes")');
    expect(err({ LOG_LEVEL: 'loud' })).toBe('Invalid configuration: "LOG_LEVEL" must be one of [fatal, error, warn, info, debug, trace, silent] (got "loud")');
    expect(err({ HOST: 'not a host' })).toMatch(/^Invalid configuration: "HOST" must be a valid hostname or IP address/);
    expect(err({ NOMAD_NAMESPACE: 'a b' })).toMatch(/^Invalid configuration: "NOMAD_NAMESPACE" must be a namespace name/);
    expect(err({ PORT: 'x' }).split('\n')).toHaveLength(1);
    expect(err({ NOMAD_CACERT: '/nope/ca.pem' })).toBe('Invalid configuration: "NOMAD_CACERT" must be a readable file (got "/nope/ca.pem")');
    expect(err({ NOMAD_CLIENT_CERT: __filename })).toBe('Invalid configuration: "NOMAD_CLIENT_KEY" is required when NOMAD_CLIENT_CERT is set');
    expect(err({ NOMAD_CLIENT_KEY: __filename })).toBe('Invalid configuration: "NOMAD_CLIENT_CERT" is required when NOMAD_CLIENT_KEY is set');
    expect(err({ NOMAD_CLIENT_CERT: __filename, NOMAD_CLIENT_KEY: '/nope/key.pem' })).toBe('Invalid configuration: "NOMAD_CLIENT_KEY" must be a readable file (got "/nope/key.pem")');
  });

  it('TLS_CERT_FILE and TLS_KEY_FILE: both or neither, a matching PEM pair, the files never quoted', () => {
    const [cert, key] = [tlsFixture('server.pem'), tlsFixture('server.key')];
    expect(loadConfig({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key }).http.tls).toEqual({ certFile: cert, keyFile: key });
    expect(loadConfig({}).http.tls).toBeUndefined();
    expect(err({ TLS_CERT_FILE: cert })).toBe('Invalid configuration: "TLS_KEY_FILE" is required when TLS_CERT_FILE is set');
    expect(err({ TLS_KEY_FILE: key })).toBe('Invalid configuration: "TLS_CERT_FILE" is required when TLS_KEY_FILE is set');
    expect(err({ TLS_CERT_FILE: '/nope/cert.pem', TLS_KEY_FILE: key })).toBe('Invalid configuration: "TLS_CERT_FILE" must be a readable PEM certificate file (-----BEGIN CERTIFICATE-----) (got "/nope/cert.pem")');
    // a key where the certificate belongs, and the other way round
    expect(err({ TLS_CERT_FILE: key, TLS_KEY_FILE: key })).toMatch(/^Invalid configuration: "TLS_CERT_FILE" must be a readable PEM certificate file/);
    expect(err({ TLS_CERT_FILE: cert, TLS_KEY_FILE: cert })).toBe(`Invalid configuration: "TLS_KEY_FILE" must be a readable, unencrypted PEM private key file (-----BEGIN PRIVATE KEY-----) (got "${cert}")`);
    expect(err({ TLS_CERT_FILE: cert, TLS_KEY_FILE: tlsFixture('client.key') })).toBe(`Invalid configuration: "TLS_KEY_FILE" is not the private key of the certificate in TLS_CERT_FILE (got "${tlsFixture('client.key')}")`);
    const keyText = readFileSync(key, 'utf8').split('\n')[1];
    expect(err({ TLS_CERT_FILE: key, TLS_KEY_FILE: key })).not.toContain(keyText);
  });

  it('accepts host names, IP addresses and URLs as operators write them', () => {
    for (const HOST of ['0.0.0.0', '::', '127.0.0.1', 'localhost', 'svc_host', 'nomad-mcp.internal']) expect(err({ HOST })).toBe('');
    for (const NOMAD_ADDR of ['http://127.0.0.1:4646', 'https://nomad.service.consul:4646', 'http://[::1]:4646', 'http://nomad_dev:4646', 'http://user:pw@nomad:4646']) expect(err({ NOMAD_ADDR })).toBe('');
  });

  it('never echoes a secret value', () => {
    expect(err({ NOMAD_TOKEN: { bad: true } })).toBe('Invalid configuration: "NOMAD_TOKEN" must be a string');
    expect(err({ API_KEYS: ['key-SECRET'] })).toBe('Invalid configuration: "API_KEYS" must be a string');
    // a URL with a password, malformed: named and shown without the password
    const addr = err({ NOMAD_ADDR: 'admin:pw-SECRET@nomad:4646' });
    expect(addr).toBe('Invalid configuration: "NOMAD_ADDR" must be an http:// or https:// URL, e.g. http://127.0.0.1:4646, or unix:///path/to/api.sock (got "***@nomad:4646")');
    expect(err({ NOMAD_ADDR: 'ftp://admin:pw-SECRET@nomad' })).not.toContain('SECRET');
    expect(err({ REDIS_URL: 'http://:pw-SECRET@redis:6379' })).toBe('Invalid configuration: "REDIS_URL" must be a redis:// or rediss:// URL, e.g. redis://:password@127.0.0.1:6379/0 (got "http://***@redis:6379")');
    expect(err({ PUBLIC_URL: 'mcp://u:pw-SECRET@mcp.example' })).toMatch(/^Invalid configuration: "PUBLIC_URL" .* \(got "mcp:\/\/\*\*\*@mcp\.example"\)$/);
  });

  it('reads the OpenTelemetry settings by their standard names; no endpoint, no tracing', () => {
    expect(loadConfig({}).tracing).toEqual({ tracesUrl: undefined, headers: {}, serviceName: 'nomad-mcp', scheduleDelayMs: 5000, sampler: { name: 'parentbased_always_on', ratio: 1 } });
    expect(loadConfig({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).tracing.sampler).toEqual({ name: 'parentbased_traceidratio', ratio: 0.25 });
    expect(err({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toBe('Invalid configuration: "OTEL_TRACES_SAMPLER_ARG" must be a number from 0 to 1 (got "1.5")');
    expect(err({ OTEL_TRACES_SAMPLER: 'sometimes' })).toMatch(/^Invalid configuration: "OTEL_TRACES_SAMPLER" must be one of \[parentbased_always_on, /);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.tracesUrl).toBe('http://collector:4318/v1/traces');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/otlp' }).tracing.tracesUrl).toBe('http://collector:4318/otlp/v1/traces');
    // the signal's own endpoint is used as it is, and wins
    const own = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/ingest', OTEL_SERVICE_NAME: 'mcp-prod', OTEL_BSP_SCHEDULE_DELAY: '200' });
    expect(own.tracing).toMatchObject({ tracesUrl: 'https://b/ingest', serviceName: 'mcp-prod', scheduleDelayMs: 200 });
    const headers = loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-tenant=ops', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces' }).tracing.headers;
    expect(headers).toEqual({ authorization: 'Bearer abc', 'x-tenant': 'traces' });
    for (const off of [{ OTEL_SDK_DISABLED: 'true' }, { OTEL_TRACES_EXPORTER: 'none' }]) {
      expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', ...off }).tracing.tracesUrl).toBeUndefined();
    }
    expect(err({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toMatch(/^Invalid configuration: "OTEL_EXPORTER_OTLP_ENDPOINT" must be an http:\/\/ or https:\/\/ URL/);
    expect(err({ OTEL_TRACES_EXPORTER: 'jaeger' })).toBe('Invalid configuration: "OTEL_TRACES_EXPORTER" must be one of [otlp, none] (got "jaeger")');
    // headers carry credentials: a bad value is named, never shown
    expect(err({ OTEL_EXPORTER_OTLP_HEADERS: 'Bearer SECRET-abc' })).toBe('Invalid configuration: "OTEL_EXPORTER_OTLP_HEADERS" must be comma-separated key=value pairs, e.g. authorization=Bearer%20abc,x-tenant=ops');
    expect(err({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://u:pw-SECRET@c/v1/traces' })).not.toContain('SECRET');
  });
});
