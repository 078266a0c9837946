import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ApiKeyRing, KEYS_FILE_RECHECK_MS } from './api-keys';
import { IdentitiesFileError, parseIdentities } from './identities';
import { nomadTokenOf } from './principal-nomad-token';

const TOKEN = 'b1946ac9-2f45-4d1b-9c5e-token-value-1';
const quiet = () => ({ warn: jest.fn(), log: jest.fn() });

describe('a Nomad token per identity (nomad_token_env, nomad_token_file)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ids-token-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the token from the named variable; the principal carries it where no log, answer or inspect can see it', () => {
    const file = join(dir, 'ids.yaml');
    writeFileSync(file, 'identities:\n  - { name: ci-bot, key: ci-secret-key-1, scopes: [read], nomad_token_env: CI_NOMAD_TOKEN }\n  - { name: plain, key: plain-key-22, scopes: [read] }\n');
    const ids = parseIdentities(readFileSync(file, 'utf8'), file, { CI_NOMAD_TOKEN: `  ${TOKEN}\n` });
    expect(ids[0].nomadToken).toEqual({ secret: TOKEN, source: 'nomad_token_env CI_NOMAD_TOKEN' });
    expect(JSON.stringify(ids)).not.toContain(TOKEN);
    expect(inspect(ids, { depth: 5 })).not.toContain(TOKEN);

    process.env.NOMAD_MCP_SPEC_TOKEN = TOKEN;
    try {
      writeFileSync(file, 'identities:\n  - { name: ci-bot, key: ci-secret-key-1, scopes: [read], nomad_token_env: NOMAD_MCP_SPEC_TOKEN }\n  - { name: plain, key: plain-key-22, scopes: [read] }\n');
      const ring = new ApiKeyRing([], file, Date.now, quiet());
      const p = ring.identify('ci-secret-key-1')!;
      expect(nomadTokenOf(p)).toEqual({ secret: TOKEN, label: "the Nomad token of identity 'ci-bot' (nomad_token_env NOMAD_MCP_SPEC_TOKEN)" });
      expect(p).toEqual({ name: 'ci-bot', kind: 'api-key', permissions: ['read'], namespaces: undefined, expiresAt: undefined });
      for (const shown of [JSON.stringify(p), inspect(p, { showHidden: true, depth: 5 }), JSON.stringify({ ...p })]) expect(shown).not.toContain(TOKEN);
      // each request its own principal; an identity without a token uses the service's
      expect(ring.identify('ci-secret-key-1')).not.toBe(p);
      expect(nomadTokenOf(ring.identify('plain-key-22')!)).toBeUndefined();
    } finally {
      delete process.env.NOMAD_MCP_SPEC_TOKEN;
    }
  });

  it('reads the token from a file (trimmed, relative to the identities file), again each time the identities file is re-read', () => {
    const file = join(dir, 'ids.yaml');
    writeFileSync(join(dir, 'ci.token'), `${TOKEN}\n`);
    writeFileSync(file, 'identities:\n  - { name: ci-bot, key: ci-secret-key-1, scopes: [read], nomad_token_file: ci.token }\n');
    let now = 1_000_000;
    const ring = new ApiKeyRing([], file, () => now, quiet());
    expect(nomadTokenOf(ring.identify('ci-secret-key-1')!)).toEqual({ secret: TOKEN, label: `the Nomad token of identity 'ci-bot' (nomad_token_file ${join(dir, 'ci.token')})` });
    writeFileSync(join(dir, 'ci.token'), 'rotated-token-2\n');
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later); // the identities file changes: it and the token file are read again
    now += KEYS_FILE_RECHECK_MS;
    expect(nomadTokenOf(ring.identify('ci-secret-key-1')!)?.secret).toBe('rotated-token-2');
  });

  it('refuses a token written in the file, and names the entry and the variable or path (never a value) when the token cannot be read', () => {
    const bad = (entry: string, env: NodeJS.ProcessEnv = {}) => {
      try {
        parseIdentities(`identities:\n  - { name: ci-bot, key: ci-secret-key-1, scopes: [read], ${entry} }\n`, join(dir, 'ids.yaml'), env);
      } catch (e) {
        expect(e).toBeInstanceOf(IdentitiesFileError);
        expect((e as Error).message).not.toContain(TOKEN);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(`nomad_token: ${TOKEN}`)).toBe(
      `${join(dir, 'ids.yaml')}: identities[0] (ci-bot).nomad_token is refused: a Nomad token must not be written in the keys file. Put it in an environment variable (nomad_token_env: VARIABLE) or a file (nomad_token_file: /path)`,
    );
    expect(bad('nomad_token_env: CI_NOMAD_TOKEN')).toBe(`${join(dir, 'ids.yaml')}: identities[0] (ci-bot).nomad_token_env: environment variable CI_NOMAD_TOKEN is not set (or empty); set it to the identity's Nomad token`);
    expect(bad('nomad_token_env: CI_NOMAD_TOKEN', { CI_NOMAD_TOKEN: '  ' })).toMatch(/CI_NOMAD_TOKEN is not set \(or empty\)/);
    expect(bad('nomad_token_file: /nonexistent/ci.token')).toBe(`${join(dir, 'ids.yaml')}: identities[0] (ci-bot).nomad_token_file: cannot read /nonexistent/ci.token (ENOENT)`);
    expect(bad('nomad_token_env: A, nomad_token_file: /b', { A: TOKEN })).toMatch(/\(ci-bot\) has both nomad_token_env and nomad_token_file; keep one$/);
    expect(bad('nomad_token_env: "not a name"')).toMatch(/\.nomad_token_env must be the name of an environment variable/);
    expect(bad('nomad_token_env: CI_NOMAD_TOKEN', { CI_NOMAD_TOKEN: `${TOKEN} extra` })).toMatch(/\.nomad_token_env: the token holds spaces or characters an HTTP header cannot carry$/);
  });

  it('keeps the identities last read, with one warning naming the variable, when a re-read finds the token gone', () => {
    const file = join(dir, 'ids.yaml');
    process.env.NOMAD_MCP_SPEC_TOKEN = TOKEN;
    try {
      writeFileSync(file, 'identities:\n  - { name: ci-bot, key: ci-secret-key-1, scopes: [read], nomad_token_env: NOMAD_MCP_SPEC_TOKEN }\n');
      let now = 1_000_000;
      const log = quiet();
      const ring = new ApiKeyRing([], file, () => now, log);
      delete process.env.NOMAD_MCP_SPEC_TOKEN;
      writeFileSync(file, 'identities:\n  - { name: ci-bot, key: ci-secret-key-1, scopes: [read, operate], nomad_token_env: NOMAD_MCP_SPEC_TOKEN }\n');
      now += KEYS_FILE_RECHECK_MS;
      const p = ring.identify('ci-secret-key-1')!;
      expect(p.permissions).toEqual(['read']);
      expect(nomadTokenOf(p)?.secret).toBe(TOKEN);
      expect(log.warn).toHaveBeenCalledWith(expect.stringMatching(/^API_KEYS_FILE changed but cannot be used: .*environment variable NOMAD_MCP_SPEC_TOKEN is not set/));
      expect(log.warn.mock.calls.join()).not.toContain(TOKEN);
    } finally {
      delete process.env.NOMAD_MCP_SPEC_TOKEN;
    }
  });
});
