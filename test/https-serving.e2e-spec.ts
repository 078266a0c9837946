import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../apps/nomad-mcp/src/bootstrap';
import { call, fetchTrusting } from './support/http';
import { Stack, startStack } from './support/stack';

const tls = (name: string) => resolve(__dirname, 'fixtures/tls', name);
const ca = readFileSync(tls('ca.pem'));
const KEY = 'https-key-123456';
const SERVING = { TLS_CERT_FILE: tls('server.pem'), TLS_KEY_FILE: tls('server.key'), API_KEYS: KEY };
const BIN = resolve(__dirname, '../bin/nomad-mcp.js');

/** The service serving HTTPS itself (TLS_CERT_FILE/TLS_KEY_FILE), with the test CA's server certificate (SAN 127.0.0.1). */
describe('the service serves HTTPS when TLS_CERT_FILE and TLS_KEY_FILE are set', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: SERVING, apiKey: KEY, ca });
  });
  afterAll(() => s?.close());

  it('reports an https:// URL and answers REST over it, reaching Nomad', async () => {
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
    expect(r.status).toBe(200);
    expect(r.json.count).toBe(3);
    expect(s.nomadTraffic).toContain('GET /v1/jobs?namespace=development&per_page=10');
    // the URLs it publishes for tools are https too
    const config = await s.api('GET', '/api/claude/tool-config');
    expect(config.text).toContain(`"${s.url}/api/claude/list-jobs`);
    expect(config.text).not.toContain('http://');
  });

  it('answers MCP initialize and tool calls at /mcp over HTTPS', async () => {
    const client = new Client({ name: 'e2e-https', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { fetch: fetchTrusting(ca), requestInit: { headers: { 'X-API-Key': KEY } } }));
    try {
      expect(client.getServerVersion()?.name).toBe('nomad-mcp');
      const listed = await client.callTool({ name: 'list_jobs', arguments: { namespace: 'development' } });
      expect(listed.isError).toBeFalsy();
      expect((listed.structuredContent as { count: number }).count).toBe(3);
    } finally {
      await client.close();
    }
  });

  it("takes the https:// origin as the service's own, not the http:// one", async () => {
    const own = await s.api('GET', '/api/claude/list-jobs', undefined, { Origin: s.url });
    expect(own.status).toBe(200);
    const plain = await s.api('GET', '/api/claude/list-jobs', undefined, { Origin: s.url.replace('https:', 'http:') });
    expect(plain.status).toBe(403);
  });

  it('refuses plain HTTP on the same port, and a client that does not trust the CA', async () => {
    await expect(call(s.url.replace('https:', 'http:'), 'GET', '/api/claude/list-jobs', { headers: { 'X-API-Key': KEY } })).rejects.toThrow();
    await expect(call(s.url, 'GET', '/api/claude/list-jobs', { headers: { 'X-API-Key': KEY } })).rejects.toThrow();
  });
});

describe('a bad TLS setting stops start-up with one line naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nomad-mcp-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const startFails = (env: Record<string, string>) => expect(createApp({ env: { PORT: '0', LOG_LEVEL: 'silent', ...env } })).rejects;

  it('one of the pair missing, unreadable, not PEM, or not a pair', async () => {
    await startFails({ TLS_CERT_FILE: tls('server.pem') }).toThrow('Invalid configuration: "TLS_KEY_FILE" is required when TLS_CERT_FILE is set');
    await startFails({ TLS_KEY_FILE: tls('server.key') }).toThrow('Invalid configuration: "TLS_CERT_FILE" is required when TLS_KEY_FILE is set');
    await startFails({ TLS_CERT_FILE: join(dir, 'nope.pem'), TLS_KEY_FILE: tls('server.key') }).toThrow(/^Invalid configuration: "TLS_CERT_FILE" must be a readable PEM certificate file/);
    await startFails({ TLS_CERT_FILE: tls('server.pem'), TLS_KEY_FILE: tls('client.key') }).toThrow(/^Invalid configuration: "TLS_KEY_FILE" is not the private key of the certificate in TLS_CERT_FILE/);
  });

  it('never shows what is in the files', async () => {
    const bogus = join(dir, 'bogus.key');
    writeFileSync(bogus, '-----BEGIN PRIVATE KEY-----\nkey-material-SECRET-1\n-----END PRIVATE KEY-----\n');
    const err = await createApp({ env: { PORT: '0', LOG_LEVEL: 'silent', TLS_CERT_FILE: tls('server.pem'), TLS_KEY_FILE: bogus } }).catch((e: Error) => e);
    expect((err as Error).message).toBe(`Invalid configuration: "TLS_KEY_FILE" must be a readable, unencrypted PEM private key file (-----BEGIN PRIVATE KEY-----) (got "${bogus}")`);
    expect((err as Error).message).not.toContain('SECRET');
  });

  it('the built service: the one line on stderr, exit code 1', () => {
    if (!existsSync(resolve(__dirname, '../dist/apps/nomad-mcp/src/main.js'))) throw new Error('the built service is missing: run "npx nest build nomad-mcp-demo" first (npm test does it)');
    const r = spawnSync(process.execPath, [BIN], { env: { PATH: process.env.PATH ?? '', TLS_CERT_FILE: tls('server.pem') }, encoding: 'utf8', timeout: 20000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('nomad-mcp: Invalid configuration: "TLS_KEY_FILE" is required when TLS_CERT_FILE is set\n');
  });
});
