import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';
import { ALL_TOOLS, READ_TOOLS } from './support/tool-names';

const KEYS = { reader: 'reader-key-0001', operator: 'operator-key-0002', expired: 'expired-key-0003', admin: 'admin-key-0004' };
const sha = (k: string) => createHash('sha256').update(k).digest('hex');

/** Identities, scopes, namespaces and read-only mode, over REST and MCP, through the one pipeline. */
describe('who may do what: identities file, scopes, namespaces, read-only mode', () => {
  let s: Stack;
  let dir: string;
  const as = (who: keyof typeof KEYS) => ({ 'X-API-Key': KEYS[who] });
  const mcp = async (who: keyof typeof KEYS) => {
    const client = new Client({ name: `e2e-${who}`, version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: as(who) } }));
    return client;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'identities-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, [
      'identities:',
      `  - { name: dashboard, key_sha256: ${sha(KEYS.reader)}, scopes: [read], namespaces: [dev*] }`,
      `  - { name: ci-bot, key: ${KEYS.operator}, scopes: [read, operate], namespaces: [development] }`,
      `  - { name: old-bot, key_sha256: ${sha(KEYS.expired)}, scopes: ['*'], expires: 2020-01-01T00:00:00Z }`,
      `  - { name: ops-admin, key_sha256: ${sha(KEYS.admin)}, scopes: ['*'] }`,
    ].join('\n'));
    s = await startStack({ env: { API_KEYS_FILE: file } });
    await waitFor('example-job running', async () => (await s.api('GET', '/api/claude/list-jobs?namespace=development', undefined, as('admin'))).json.jobs?.find((j: any) => j.id === 'example-job')?.allocations.running === 2, 20000);
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a read-only identity reads, and is refused a change with 403 naming the scope (nothing reaches Nomad)', async () => {
    expect((await s.api('GET', '/api/claude/list-jobs?namespace=development', undefined, as('reader'))).status).toBe(200);
    const before = s.nomadTraffic.length;
    const stop = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'stop', namespace: 'development' }, as('reader'));
    expect(stop.status).toBe(403);
    expect(stop.json).toMatchObject({ message: "'dashboard' may not call stop_job: it needs the scope 'operate'.", next_step: expect.stringMatching(/^Do not retry/) });
    expect(s.nomadTraffic.slice(before).filter((l) => !l.startsWith('GET'))).toEqual([]);
  });

  it('MCP shows a caller only the tools it may call, and a refused call is a tool error that says not to retry', async () => {
    const reader = await mcp('reader');
    try {
      expect((await reader.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
      const r = (await reader.callTool({ name: 'restart_job', arguments: { job_id: 'example-job' } })) as any;
      expect(r.isError).toBe(true);
      expect(r.content[0].text).toBe("'dashboard' may not call restart_job: it needs the scope 'operate'. Do not retry or work around it: tell the user, and ask an operator if the access is needed.");
    } finally {
      await reader.close();
    }
    const admin = await mcp('admin');
    try {
      expect((await admin.listTools()).tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    } finally {
      await admin.close();
    }
    const exported = await s.api('GET', '/api/claude/tools', undefined, as('reader'));
    expect(exported.json.map((t: any) => t.name)).toEqual(READ_TOOLS);
  });

  it('an identity stays in its namespaces: 403 elsewhere, and namespace "*" lists only what it may see', async () => {
    const other = await s.api('POST', '/api/claude/jobs', { job_id: 'hello-world', action: 'status', namespace: 'default' }, as('operator'));
    expect(other.status).toBe(403);
    expect(other.json.message).toBe("'ci-bot' may not use namespace 'default' (allowed: development).");
    const all = await s.api('GET', '/api/claude/list-jobs?namespace=*', undefined, as('operator'));
    expect(all.status).toBe(200);
    expect(new Set(all.json.jobs.map((j: any) => j.namespace))).toEqual(new Set(['development']));
    const allAdmin = await s.api('GET', '/api/claude/list-jobs?namespace=*', undefined, as('admin'));
    expect(allAdmin.json.jobs.map((j: any) => j.namespace)).toContain('default');
  });

  it('its pages over "*" are full and its next_token names only jobs it may see: Nomad filters by its namespaces', async () => {
    // Nomad's own order over every namespace: default's and the others' jobs come before development's
    const visibleIds = ((await s.nomad('GET', '/v1/jobs?namespace=*')).json as any[]).filter((j) => j.Namespace === 'development').map((j) => j.ID).sort();
    expect(visibleIds.length).toBeGreaterThanOrEqual(3);
    const from = s.nomadTraffic.length;
    const walked: string[] = [];
    let token: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r: { status: number; json: any } = await s.api('GET', `/api/claude/list-jobs?namespace=*&limit=2${token ? `&next_token=${encodeURIComponent(token)}` : ''}`, undefined, as('operator'));
      expect(r.status).toBe(200);
      walked.push(...r.json.jobs.map((j: any) => `${j.namespace}/${j.id}`));
      token = r.json.next_token;
      expect(r.json.message).toMatch(page === 0 ? /^First page: / : token ? /^Next page: / : /^Last page: /);
      if (!token) break;
      expect(r.json.jobs).toHaveLength(2);
      expect(token).toMatch(/^development\./);
    }
    expect(walked).toEqual(visibleIds.map((id) => `development/${id}`));
    const filter = encodeURIComponent('(Namespace == "development")').replace(/%20/g, '+');
    expect(s.nomadTraffic.slice(from)).toContain(`GET /v1/jobs?namespace=*&filter=${filter}&per_page=2`);
  });

  it('operate allows a restart (confirmed, as identities are by default) but not a purge (destroy)', async () => {
    const purge = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'stop', namespace: 'development', purge: true }, as('operator'));
    expect(purge.status).toBe(403);
    expect(purge.json.message).toBe("'ci-bot' may not call stop_job: it needs the scope 'destroy'.");
    const body = { job_id: 'example-job', action: 'restart', namespace: 'development' };
    const planned = await s.api('POST', '/api/claude/jobs', body, as('operator'));
    expect(planned.status).toBe(428);
    const restart = await s.api('POST', '/api/claude/jobs', { ...body, confirm_token: planned.json.confirmation.confirm_token }, as('operator'));
    expect(restart.status).toBe(200);
  });

  it('an expired identity is refused with 401 that says so', async () => {
    const r = await s.api('GET', '/api/claude/list-jobs', undefined, as('expired'));
    expect(r.status).toBe(401);
    expect(r.json.message).toMatch(/^The API key of 'old-bot' expired at 2020-01-01T00:00:00\.000Z/);
    expect(r.text).not.toContain(KEYS.expired);
  });
});

describe('service-wide bounds: NOMAD_MCP_READ_ONLY and NOMAD_MCP_ALLOWED_NAMESPACES', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: { NOMAD_MCP_READ_ONLY: 'true', NOMAD_MCP_ALLOWED_NAMESPACES: 'dev*' } });
  });
  afterAll(() => s.close());

  it('refuses every change for everyone, lists only read tools, and keeps every caller in the allowed namespaces', async () => {
    expect((await s.api('GET', '/api/claude/list-jobs?namespace=development')).status).toBe(200);
    const create = await s.api('POST', '/api/claude/create-job', { job_id: 'nope', docker_image: 'nginx:1.27' });
    expect(create.status).toBe(403);
    expect(create.json.message).toBe('The service is read-only (NOMAD_MCP_READ_ONLY=true): create_job changes Nomad and is refused for everyone.');
    expect(s.nomadTraffic.some((l) => l.startsWith('PUT /v1/jobs'))).toBe(false);
    // the local caller holds every scope, so it also reads the audit trail (admin, read-only)
    expect((await s.api('GET', '/api/claude/tools')).json.map((t: any) => t.name)).toEqual([...READ_TOOLS, 'list_audit_records']);
    const other = await s.api('GET', '/api/claude/list-jobs?namespace=default');
    expect(other.status).toBe(403);
    expect(other.json.message).toBe("'local' may not use namespace 'default' (allowed: dev*).");
  });
});
