import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRing, KEYS_FILE_RECHECK_MS, presentedKey } from './api-keys';

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

  it('is disabled when no key is configured', () => {
    expect(ApiKeyRing.fromSources('', undefined).enabled).toBe(false);
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
