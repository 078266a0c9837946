import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The accepted API keys, held as SHA-256 digests: comparing digests of equal length with timingSafeEqual
 * gives a constant-time check whatever the length of the presented key.
 */
export class ApiKeyRing {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = [...new Set(keys.map((k) => k.trim()).filter(Boolean))].map(digest);
  }

  /** API_KEYS (comma-separated) plus API_KEYS_FILE (one key per line, # comments). */
  static fromSources(apiKeys: string | undefined, keysFile: string | undefined): ApiKeyRing {
    const keys = (apiKeys ?? '').split(',');
    if (keysFile) {
      for (const line of readFileSync(keysFile, 'utf8').split(/\r?\n/)) {
        const k = line.replace(/#.*/, '').trim();
        if (k) keys.push(k);
      }
    }
    return new ApiKeyRing(keys);
  }

  get size(): number {
    return this.digests.length;
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  matches(candidate: string | undefined): boolean {
    if (!candidate) return false;
    const d = digest(candidate);
    let ok = false;
    // check every key so the time taken does not say which one matched
    for (const k of this.digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The key a request presents: X-API-Key, or Authorization: Bearer <key>. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-api-key'];
  const xKey = Array.isArray(x) ? x[0] : x;
  if (xKey) return xKey.trim();
  const auth = headers['authorization'];
  const m = /^Bearer\s+(.+)$/i.exec((Array.isArray(auth) ? auth[0] : auth) ?? '');
  return m?.[1].trim();
}
