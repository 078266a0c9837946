import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** How often a keys file is checked for changes (rotation without a restart). */
export const KEYS_FILE_RECHECK_MS = 5000;

/**
 * The accepted API keys, held as SHA-256 digests: comparing digests of equal length with timingSafeEqual
 * gives a constant-time check whatever the length of the presented key. Keys from a file are re-read when
 * the file changes, so a key can be added or retired without a restart.
 */
export class ApiKeyRing {
  private digests: Buffer[] = [];
  private fileStamp = '';
  private nextCheck = 0;
  /** Decided once: a service started with keys never becomes open, even if its keys file empties. */
  readonly enabled: boolean;

  constructor(
    private readonly fixedKeys: string[],
    private readonly keysFile?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.reload();
    this.enabled = this.digests.length > 0;
  }

  /** API_KEYS (comma-separated) plus API_KEYS_FILE (one key per line, # comments). */
  static fromSources(apiKeys: string | undefined, keysFile: string | undefined): ApiKeyRing {
    return new ApiKeyRing((apiKeys ?? '').split(','), keysFile || undefined);
  }

  get size(): number {
    return this.digests.length;
  }

  private reload(): void {
    const keys = [...this.fixedKeys];
    if (this.keysFile) {
      const st = statSync(this.keysFile);
      this.fileStamp = `${st.mtimeMs}:${st.size}`;
      for (const line of readFileSync(this.keysFile, 'utf8').split(/\r?\n/)) keys.push(line.replace(/#.*/, ''));
    }
    this.digests = [...new Set(keys.map((k) => k.trim()).filter(Boolean))].map(digest);
  }

  private refresh(): void {
    if (!this.keysFile || this.now() < this.nextCheck) return;
    this.nextCheck = this.now() + KEYS_FILE_RECHECK_MS;
    try {
      const st = statSync(this.keysFile);
      if (`${st.mtimeMs}:${st.size}` !== this.fileStamp) this.reload();
    } catch {
      // the file is being replaced or is gone for a moment: keep the last keys read
    }
  }

  matches(candidate: string | undefined): boolean {
    this.refresh();
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
