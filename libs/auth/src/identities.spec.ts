import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRing } from './api-keys';
import { globMatches, IdentitiesFileError, looksLikeIdentities, parseIdentities } from './identities';

const log = () => ({ warn: jest.fn(), log: jest.fn() });

describe('identities file', () => {
  it('reads YAML and JSON; names, scopes, namespaces and expiry reach the principal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ids-'));
    const yaml = join(dir, 'ids.yaml');
    writeFileSync(yaml, 'identities:\n  - name: ci-bot\n    key: ci-secret-key-1\n    scopes: [read, operate]\n    namespaces: [dev-*]\n    expires: 2030-01-01T00:00:00Z\n');
    const p = new ApiKeyRing([], yaml, Date.now, log()).identify('ci-secret-key-1');
    expect(p).toEqual({ name: 'ci-bot', kind: 'api-key', permissions: ['read', 'operate'], namespaces: ['dev-*'], expiresAt: new Date('2030-01-01T00:00:00Z') });
    const json = join(dir, 'ids.json');
    writeFileSync(json, JSON.stringify({ identities: [{ name: 'ro', key: 'read-only-key-22', scopes: ['read'] }] }));
    expect(new ApiKeyRing([], json, Date.now, log()).identify('read-only-key-22')).toMatchObject({ name: 'ro', permissions: ['read'] });
  });

  it('refuses a bad file with the entry and field named, never the key', () => {
    const bad = (text: string) => { try { parseIdentities(text, 'ids.yaml'); return ''; } catch (e) { expect(e).toBeInstanceOf(IdentitiesFileError); return (e as Error).message; } };
    expect(bad('identities:\n  - { name: a, key: short, scopes: [read] }')).toBe('ids.yaml: identities[0] (a) needs key_sha256 (64 hex characters) or key (at least 8 characters)');
    expect(bad('identities:\n  - { name: a, key: long-enough-key, scopes: [read, rule] }')).toBe("ids.yaml: identities[0] (a).scopes must list some of read, operate, write, destroy, admin, approve or '*' (unknown: rule)");
    expect(bad('identities:\n  - { name: a, key: long-enough-key, scopes: [read] }\n  - { name: a, key: other-long-key, scopes: [read] }')).toBe("ids.yaml: identities[1].name 'a' is used twice");
    expect(bad('identities:\n  - { name: a, key: long-enough-key, scopes: [read], expires: someday }')).toMatch(/expires must be a date/);
    for (const m of [bad('identities:\n  - { name: a, key: short, scopes: [read] }')]) expect(m).not.toContain('short,');
  });

  it('tells plain keys from identities, and warns once that plain keys are full-access', () => {
    expect(looksLikeIdentities('# keys\nidentities:\n  - name: a')).toBe(true);
    expect(looksLikeIdentities('[{"name":"a"}]')).toBe(true);
    expect(looksLikeIdentities('key-one\nkey-two # ci')).toBe(false);
    const l = log();
    const ring = new ApiKeyRing(['plain-key-1'], undefined, Date.now, l);
    expect(ring.identify('plain-key-1')).toEqual({ name: expect.stringMatching(/^key-[0-9a-f]{8}$/), kind: 'api-key' });
    expect(l.warn).toHaveBeenCalledTimes(1);
    expect(l.warn.mock.calls[0][0]).toMatch(/full-access keys .* An identities file/);
    expect(l.warn.mock.calls[0][0]).not.toContain('plain-key-1');
  });

  it('matches namespace globs with * only', () => {
    expect(globMatches('dev-*', 'dev-a')).toBe(true);
    expect(globMatches('dev-*', 'prod')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('*', 'anything')).toBe(true);
  });
});
