import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRing, KEYS_FILE_RECHECK_MS, presentedKey, sameSecret } from './api-keys';
import { principalNameOfKey } from './principal';

describe('ApiKeyRing', () => {
  it('accepts any configured key (rotation) and nothing else', () => {
    const ring = new ApiKeyRing(['old-key', ' new-key ', '']);
    expect(ring.size).toBe(2);
    expect(ring.matches('old-key')).toBe(true);
    expect(ring.matches('new-key')).toBe(true);
    expect(ring.matches('new-ke')).toBe(false);
    expect(ring.matches('')).toBe(false);
    expect(ring.matches(undefined)).toBe(false);
  });

  it('reads API_KEYS and a keys file with comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, '# team keys\nfile-key-1\n\nfile-key-2  # ci\n');
    const ring = ApiKeyRing.fromSources('env-key', file);
    expect(['env-key', 'file-key-1', 'file-key-2'].every((k) => ring.matches(k))).toBe(true);
    expect(ring.matches('# team keys')).toBe(false);
  });

  it('picks up a rotated keys file without a restart, and never opens up when it empties', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, 'first-key\n');
    let now = 1_000_000;
    const ring = new ApiKeyRing([], file, () => now);
    expect(ring.matches('first-key')).toBe(true);
    writeFileSync(file, 'second-key-longer\n');
    expect(ring.matches('second-key-longer')).toBe(false); // not re-checked yet
    now += KEYS_FILE_RECHECK_MS;
    expect(ring.matches('second-key-longer')).toBe(true);
    expect(ring.matches('first-key')).toBe(false);
    writeFileSync(file, '# all keys retired\n');
    now += KEYS_FILE_RECHECK_MS;
    expect(ring.matches('second-key-longer')).toBe(false);
    expect(ring.enabled).toBe(true);
  });

  it('keeps the last keys when the keys file disappears, warns once naming the file (never a key), and reads it again when it is back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, 'kept-key-123\n');
    let now = 1_000_000;
    const warnings: string[] = [];
    const infos: string[] = [];
    const ring = new ApiKeyRing(['env-key-456'], file, () => now, { warn: (m) => warnings.push(m), log: (m) => infos.push(m) });
    rmSync(file);
    for (let i = 0; i < 3; i++) {
      now += KEYS_FILE_RECHECK_MS;
      expect(ring.matches('kept-key-123')).toBe(true);
      expect(ring.matches('env-key-456')).toBe(true);
    }
    // the first warning, at start-up, says that plain keys are full-access; then one for the missing file
    expect(warnings).toEqual([expect.stringMatching(/full-access keys/), expect.stringMatching(/^API_KEYS_FILE .*keys cannot be read \(ENOENT\); the keys last read from it stay accepted/)]);
    expect(warnings[1]).toContain(file);
    expect(warnings.join()).not.toMatch(/kept-key|env-key/);
    writeFileSync(file, 'new-key-789\n'); // e.g. the second half of an atomic rename
    now += KEYS_FILE_RECHECK_MS;
    expect(ring.matches('new-key-789')).toBe(true);
    expect(ring.matches('kept-key-123')).toBe(false);
    expect(infos).toEqual([`API_KEYS_FILE ${file} is readable again; 2 key(s) now accepted.`]);
    rmSync(file);
    now += KEYS_FILE_RECHECK_MS;
    expect(ring.matches('new-key-789')).toBe(true);
    expect(warnings).toHaveLength(3); // a second disappearance is reported again
  });

  it('names the principal of each key by the first 8 hex characters of its SHA-256, and nothing when no key matches', () => {
    const ring = new ApiKeyRing(['alpha-key', 'beta-key']);
    const sha = (k: string) => createHash('sha256').update(k).digest('hex').slice(0, 8);
    expect(ring.identify('alpha-key')).toEqual({ name: `key-${sha('alpha-key')}`, kind: 'api-key' });
    expect(ring.identify('beta-key')).toEqual({ name: `key-${sha('beta-key')}`, kind: 'api-key' });
    expect(ring.identify('beta-key')!.name).toBe(principalNameOfKey('beta-key'));
    expect(ring.identify('gamma-key')).toBeUndefined();
    expect(ring.identify(undefined)).toBeUndefined();
  });

  it('is disabled when no key is configured', () => {
    expect(ApiKeyRing.fromSources('', undefined).enabled).toBe(false);
  });
});

describe('sameSecret', () => {
  it('is true only for the very secret, whatever the lengths', () => {
    const secret = 'metrics-token-0123456789abcdef0123456789';
    expect(sameSecret(secret, secret)).toBe(true);
    for (const other of [undefined, '', secret.slice(0, -1), `${secret}x`, secret.toUpperCase(), 'x']) expect(sameSecret(other, secret)).toBe(false);
  });
});

describe('presentedKey', () => {
  it('reads X-API-Key first, then Authorization: Bearer', () => {
    expect(presentedKey({ 'x-api-key': ' k1 ' })).toBe('k1');
    expect(presentedKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({ 'x-api-key': 'k1', authorization: 'Bearer k2' })).toBe('k1');
  });
});

describe('isLoopbackHost', () => {
  it('accepts only loopback names', async () => {
    const { isLoopbackHost } = await import('./api-key.guard');
    for (const h of ['localhost', 'localhost:8000', '127.0.0.1:8000', '127.1.2.3', '[::1]:8000']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['evil.example', 'localhost.evil.example', '127.0.0.1.evil.example', '10.0.0.1:8000', '', undefined]) expect(isLoopbackHost(h)).toBe(false);
  });
});
