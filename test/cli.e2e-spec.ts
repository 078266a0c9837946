import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_URL, SKIP_POSTGRES } from '../apps/nomad-mcp/src/audit/testing/audit-test-databases';
import { redactUrl } from '../apps/nomad-mcp/src/config/redact-url';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { BUILT_MAIN, requireBuild, runCli, runCommand } from './support/built-service';
import { call } from './support/http';
import { closedPortUrl } from './support/stack';

const MGMT = 'cli-mgmt-token-SECRET-1';

/** The built `nomad-mcp`: what each command loads, and `check` against simulators with ACLs and with bad settings. */
describe('nomad-mcp (built)', () => {
  let dir: string;
  let acl: RunningSimulator;
  let clientToken = '';
  /** Every output of check here, searched for secrets at the end. */
  const outputs: string[] = [];
  const check = async (env: Record<string, string>) => {
    const r = await runCli(['check'], env, dir, 60000);
    outputs.push(r.stdout + r.stderr);
    return r;
  };

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
    acl = await startSimulator({ port: 0, seed: true, acl: true, bootstrapToken: MGMT });
    const mgmt = { 'X-Nomad-Token': MGMT };
    const rules = 'namespace "development" { policy = "read" }';
    expect((await call(acl.url, 'PUT', '/v1/acl/policy/dev-read', { headers: mgmt, body: { Name: 'dev-read', Rules: rules } })).status).toBe(200);
    clientToken = (await call(acl.url, 'PUT', '/v1/acl/token', { headers: mgmt, body: { Name: 'claude', Type: 'client', Policies: ['dev-read'] } })).json.SecretID;
  });
  afterAll(async () => {
    await acl?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const o of outputs) {
      expect(o).not.toMatch(/SECRET|pw-/);
      expect(o).not.toContain(clientToken);
    }
  });

  it('--help, every command\'s --help and key answer without loading Nest', async () => {
    // a preload that reports, as the process ends, which modules it loaded. The build's main.js, not bin/: the
    // bundle bin/ runs holds Nest in the one file whether it runs or not (it runs the same code, so the same requires)
    const probe = join(dir, 'loaded-modules.js');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache))));");
    for (const args of [['--help'], ['serve', '--help'], ['stdio', '--help'], ['check', '--help'], ['demo', '--help'], ['sim', '--help'], ['key', '--name', 'ci-bot']]) {
      const r = await runCommand([process.execPath, '-r', probe, BUILT_MAIN, ...args], {}, dir);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 0]);
      const loaded: string[] = JSON.parse(r.stderr.slice(r.stderr.indexOf('LOADED ') + 7));
      expect([args.join(' '), loaded.filter((m) => /node_modules\/(@nestjs|class-validator|kysely|better-sqlite3|pg)\//.test(m))]).toEqual([args.join(' '), []]);
    }
  });

  it('check names a management token as such, and passes', async () => {
    const r = await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: MGMT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok       Nomad        NOMAD_TOKEN 'Bootstrap Token' is a management token: it may do everything in Nomad");
  });

  it('check gives a client token\'s policies, and fails where the token may not go', async () => {
    const denied = await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: clientToken, DEFAULT_NAMESPACE: 'default' });
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain("ok       Nomad        NOMAD_TOKEN 'claude' is a client token with policies dev-read: Nomad allows what they grant and answers 403 otherwise.\n");
    expect(denied.stdout).toContain("problem  Nomad        NOMAD_TOKEN may not use the default namespace 'default' (403 Permission denied): grant its policy a capability there, or set DEFAULT_NAMESPACE to a namespace it may use.\n");
    expect((await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: clientToken })).code).toBe(0);
  });

  it('check fails without a token where ACLs are on, and for a refused one, never showing it', async () => {
    const none = await check({ NOMAD_ADDR: acl.url });
    expect(none.code).toBe(1);
    expect(none.stdout).toContain(`problem  Nomad        Nomad at ${acl.url} has ACLs enabled and NOMAD_TOKEN is not set`);
    const wrong = await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: 'wrong-SECRET-2' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('refused NOMAD_TOKEN (403 Permission denied)');
  });

  it('check names an identities file that cannot be used, and the entry at fault', async () => {
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, 'identities:\n  - { name: ci-bot, key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, scopes: [deploy] }\n');
    const r = await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: MGMT, API_KEYS_FILE: file });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`problem  API keys     API_KEYS_FILE ${file} cannot be used: ${file}: identities[0] (ci-bot).scopes must list some of read, operate, write, destroy, admin, approve or '*' (unknown: deploy)\n`);
    // the rest is still checked
    expect(r.stdout).toContain("ok       Nomad        NOMAD_TOKEN 'Bootstrap Token' is a management token");
  });

  it('check notes full-access keys, and an expired identity', async () => {
    const file = join(dir, 'keys.yaml');
    writeFileSync(file, 'identities:\n  - { name: old-bot, key: old-bot-key-SECRET-3, scopes: [read], expires: 2020-01-01T00:00:00Z }\n');
    const r = await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: MGMT, API_KEYS_FILE: file, API_KEYS: 'plain-key-SECRET-4' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ok       API keys     2 accepted; identities from ${file}: old-bot (read)\n`);
    expect(r.stdout).toMatch(/note     API keys     1 API key\(s\) from API_KEYS or a one-key-per-line API_KEYS_FILE are full-access keys/);
    expect(r.stdout).toContain("note     API keys     identity 'old-bot' expired at 2020-01-01T00:00:00.000Z: its key gets 401 until \"expires\" is moved\n");
  });

  it('check says when the audit trail\'s Postgres does not answer, without its password', async () => {
    const closed = new URL(await closedPortUrl());
    const url = `postgres://nomad:pw-SECRET-5@127.0.0.1:${closed.port}/audit`;
    const r = await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: MGMT, DATABASE_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`problem  audit trail  Postgres at postgres://***@127.0.0.1:${closed.port}/audit cannot be used: connect ECONNREFUSED 127.0.0.1:${closed.port}; check DATABASE_URL\n`);
  });

  (SKIP_POSTGRES ? it.skip : it)('check finds the audit trail\'s Postgres answering', async () => {
    const r = await check({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: MGMT, DATABASE_URL: PG_URL });
    expect(r.stdout).toContain(`ok       audit trail  Postgres at ${redactUrl(PG_URL).replace(/[?#].*$/, '')} answers\n`);
    expect(r.code).toBe(0);
  });

  it('check says when Nomad is not there', async () => {
    const closed = await closedPortUrl();
    const r = await check({ NOMAD_ADDR: closed });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`problem  Nomad        Nomad at ${closed} is unreachable (ECONNREFUSED): connection refused; is Nomad running there, and is NOMAD_ADDR right?\n`);
  });
});
