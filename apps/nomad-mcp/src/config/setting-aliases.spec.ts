import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from './env.schema';
import { SETTING_ALIASES } from './setting-aliases';

const tls = (name: string) => resolve(__dirname, '../../../../test/fixtures/tls', name);
const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(env)} was accepted`);
};

/** HashiCorp's MCP server names (TRANSPORT_PORT, MCP_TLS_CERT_FILE, …) read as ours; ours win; errors name what was set. */
describe('setting aliases', () => {
  it('reads TRANSPORT_HOST and TRANSPORT_PORT as HOST and PORT', () => {
    expect(loadConfig({ TRANSPORT_HOST: '0.0.0.0', TRANSPORT_PORT: '8080' }).http).toMatchObject({ host: '0.0.0.0', port: 8080 });
  });

  it('our own name wins when both are set; an empty one counts as unset', () => {
    expect(loadConfig({ HOST: '127.0.0.1', TRANSPORT_HOST: '0.0.0.0', PORT: '9000', TRANSPORT_PORT: '8080' }).http).toMatchObject({ host: '127.0.0.1', port: 9000 });
    expect(loadConfig({ PORT: '', TRANSPORT_PORT: '8080' }).port).toBe(8080);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0', MCP_RATE_LIMIT_SESSION: '5:10' }).http.rateLimitPerMinute).toBe(0);
  });

  it('reads MCP_TLS_CERT_FILE and MCP_TLS_KEY_FILE as the service\'s own certificate and key, checked as ours are', () => {
    expect(loadConfig({ MCP_TLS_CERT_FILE: tls('server.pem'), MCP_TLS_KEY_FILE: tls('server.key') }).http.tls).toEqual({ certFile: tls('server.pem'), keyFile: tls('server.key') });
    expect(loadConfig({ MCP_TLS_CERT_FILE: tls('server.pem'), TLS_KEY_FILE: tls('server.key') }).http.tls).toEqual({ certFile: tls('server.pem'), keyFile: tls('server.key') });
    expect(refusal({ MCP_TLS_CERT_FILE: tls('server.pem') })).toBe('Invalid configuration: "TLS_KEY_FILE" is required when MCP_TLS_CERT_FILE is set');
    expect(refusal({ MCP_TLS_CERT_FILE: tls('server.pem'), MCP_TLS_KEY_FILE: tls('client.key') })).toBe(
      `Invalid configuration: "MCP_TLS_KEY_FILE" is not the private key of the certificate in MCP_TLS_CERT_FILE (got "${tls('client.key')}")`,
    );
  });

  it('names the alias that was set when its value is bad', () => {
    expect(refusal({ TRANSPORT_PORT: 'eighty' })).toBe('Invalid configuration: "TRANSPORT_PORT" must be a number (got "eighty")');
    expect(refusal({ TRANSPORT_HOST: 'not a host' })).toMatch(/^Invalid configuration: "TRANSPORT_HOST" must be a valid hostname or IP address/);
  });

  it('reads MCP_RATE_LIMIT_SESSION (rps:burst) as requests per minute per client', () => {
    const perMinute = (v: string) => loadConfig({ MCP_RATE_LIMIT_SESSION: v }).http.rateLimitPerMinute;
    expect(perMinute('5:10')).toBe(300);
    expect(perMinute('0.5:1')).toBe(30);
    expect(perMinute('2')).toBe(120);
    for (const bad of ['fast', '0:10', '5:', '-1:2', '0.001:1']) {
      expect(refusal({ MCP_RATE_LIMIT_SESSION: bad })).toBe(
        `Invalid configuration: "MCP_RATE_LIMIT_SESSION" must be requests per second and burst as rps:burst, e.g. 5:10 (at least 1 request a minute) (got "${bad}")`,
      );
    }
  });

  it('has one entry per alias, each to a setting the schema reads', () => {
    const aliases = SETTING_ALIASES.map((a) => a.alias);
    expect(new Set(aliases).size).toBe(aliases.length);
    expect(aliases).toEqual(['TRANSPORT_HOST', 'TRANSPORT_PORT', 'MCP_TLS_CERT_FILE', 'MCP_TLS_KEY_FILE', 'MCP_RATE_LIMIT_SESSION']);
  });
});

/** Nomad's own NOMAD_CAPATH and NOMAD_TLS_SERVER_NAME, checked at start-up as Nomad's client would use them. */
describe('NOMAD_CAPATH and NOMAD_TLS_SERVER_NAME', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'capath-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a PEM file or a folder of PEM files (sub-folders too)', () => {
    mkdirSync(join(dir, 'more'));
    copyFileSync(tls('ca.pem'), join(dir, 'more', 'ca.crt'));
    expect(loadConfig({ NOMAD_CAPATH: dir }).nomad.caPath).toBe(dir);
    expect(loadConfig({ NOMAD_CAPATH: tls('ca.pem') }).nomad.caPath).toBe(tls('ca.pem'));
  });

  it('refuses a folder with a file that holds no certificate, an empty one, or a path that is not there, naming it', () => {
    const prefix = 'Invalid configuration: "NOMAD_CAPATH" must be a PEM CA certificate file or a folder of them:';
    expect(refusal({ NOMAD_CAPATH: dir })).toBe(`${prefix} ${dir} holds no file; put the PEM certificate(s) of the CA that signed Nomad's certificate there (got "${dir}")`);
    copyFileSync(tls('ca.pem'), join(dir, 'ca.pem'));
    writeFileSync(join(dir, 'README'), 'the cluster CA');
    expect(refusal({ NOMAD_CAPATH: dir })).toBe(`${prefix} ${join(dir, 'README')} holds no PEM certificate (-----BEGIN CERTIFICATE-----) (got "${dir}")`);
    expect(refusal({ NOMAD_CAPATH: join(dir, 'nope') })).toBe(`${prefix} cannot read ${join(dir, 'nope')} (ENOENT) (got "${join(dir, 'nope')}")`);
  });

  it('takes a host name for NOMAD_TLS_SERVER_NAME', () => {
    expect(loadConfig({ NOMAD_TLS_SERVER_NAME: 'server.global.nomad' }).nomad.tlsServerName).toBe('server.global.nomad');
    expect(refusal({ NOMAD_TLS_SERVER_NAME: 'server global' })).toMatch(/^Invalid configuration: "NOMAD_TLS_SERVER_NAME" must be a valid hostname or IP address/);
  });
});
