import { parseIdentities } from '@nomad-mcp/auth';
import { createHash } from 'node:crypto';
import { CliUsageError } from './cli-options';
import { entryYaml, identityEntry, KEY_PREFIX, keyReport, newApiKey } from './key';

const refused = (request: Parameters<typeof identityEntry>[1]) => {
  try {
    identityEntry('nmcp_x', request);
  } catch (err) {
    expect(err).toBeInstanceOf(CliUsageError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(request)} was accepted`);
};

/** `nomad-mcp key`: a strong key, and an identities-file entry the service itself accepts for it. */
describe('nomad-mcp key', () => {
  it('makes a new 256-bit key each time: nmcp_ and 43 base64url characters', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newApiKey()));
    expect(keys.size).toBe(50);
    for (const k of keys) expect(k).toMatch(/^nmcp_[A-Za-z0-9_-]{43}$/);
    // the random part is the 32 bytes drawn, whole
    const bytes = Buffer.alloc(32, 0xfb);
    expect(newApiKey(() => bytes)).toBe(`${KEY_PREFIX}${bytes.toString('base64url')}`);
  });

  it('prints an entry that the identities file accepts, with the key\'s SHA-256 and not the key', () => {
    const key = newApiKey();
    const entry = identityEntry(key, { name: 'ci-bot', scopes: 'read, operate', namespaces: 'dev-*,staging,*' });
    expect(entry).toEqual({ name: 'ci-bot', key_sha256: createHash('sha256').update(key).digest('hex'), scopes: ['read', 'operate'], namespaces: ['dev-*', 'staging', '*'] });
    const file = `identities:\n${entryYaml(entry)}\n`;
    expect(file).not.toContain(key);
    const [identity] = parseIdentities(file, 'identities.yaml', {});
    expect(identity).toMatchObject({ name: 'ci-bot', scopes: ['read', 'operate'], namespaces: ['dev-*', 'staging', '*'] });
    expect(identity.digest.equals(createHash('sha256').update(key).digest())).toBe(true);
    // '*' alone would be a YAML alias: quoted, it is the every-scope entry
    const all = parseIdentities(`identities:\n${entryYaml(identityEntry(key, { name: 'admin', scopes: '*' }))}\n`, 'f', {});
    expect(all[0].scopes).toEqual(['*']);
    expect(all[0].namespaces).toBeUndefined();
  });

  it('defaults to the read scope in every namespace', () => {
    expect(identityEntry('k', { name: 'viewer' })).toMatchObject({ scopes: ['read'] });
    expect(identityEntry('k', { name: 'viewer' })).not.toHaveProperty('namespaces');
  });

  it('shows the key once, then the entry', () => {
    const key = newApiKey();
    const report = keyReport(key, identityEntry(key, { name: 'ci-bot', scopes: 'read' }));
    expect(report.split(key)).toHaveLength(2);
    expect(report).toContain(`\n${key}\n`);
    expect(report).toContain('  - name: ci-bot\n    key_sha256: ');
  });

  it('names the option of a bad request', () => {
    expect(refused({})).toMatch(/^--name is required/);
    expect(refused({ name: 'ci bot' })).toBe('--name must be 1-64 letters, digits or . _ @ - (got "ci bot")');
    expect(refused({ name: 'x', scopes: 'read,deploy' })).toBe("--scopes must be a comma-separated list of read, operate, write, destroy, admin, approve or '*' (unknown: deploy)");
    expect(refused({ name: 'x', scopes: ' , ' })).toMatch(/^--scopes must be/);
    expect(refused({ name: 'x', namespaces: 'dev_*' })).toBe('--namespaces must be comma-separated namespace names or globs such as dev-*,staging (not one: dev_*)');
    expect(refused({ name: 'x', namespaces: '' })).toMatch(/^--namespaces must be/);
  });
});
