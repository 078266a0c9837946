import { Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Identity, looksLikeIdentities, parseIdentities } from './identities';
import { Principal, principalNameOfDigest } from './principal';
import { attachNomadToken } from './principal-nomad-token';

/** How often a keys file is checked for changes (rotation without a restart). */
export const KEYS_FILE_RECHECK_MS = 5000;

/** Where the ring reports a keys file that went missing or came back (never a key, only the path). */
export interface KeyRingLog {
  warn(message: string): void;
  log(message: string): void;
}

const nestLog = (): KeyRingLog => {
  const logger = new Logger('ApiKeys');
  return { warn: (m) => logger.warn(m), log: (m) => logger.log(m) };
};

interface KeyEntry {
  digest: Buffer;
  name: string;
  /** From the identities file; plain keys (API_KEYS, a one-key-per-line file) are full-access. */
  identity?: Identity;
}

/**
 * The accepted API keys, held as SHA-256 digests: comparing digests of equal length with timingSafeEqual
 * gives a constant-time check whatever the length of the presented key. Keys from a file are re-read when
 * the file changes, so a key can be added or retired without a restart.
 *
 * A keys file that disappears (or cannot be read) keeps the keys last read from it, with one warning:
 * a mistaken delete or the gap of an atomic rename must not lock every client out, and to retire keys one
 * edits the file. When the file is back it is read again.
 */
export class ApiKeyRing {
  private entries: KeyEntry[] = [];
  private fileStamp = '';
  private nextCheck = 0;
  private fileMissing = false;
  private warnedPlain = false;
  /** Decided once: a service started with keys never becomes open, even if its keys file empties. */
  readonly enabled: boolean;

  constructor(
    private readonly fixedKeys: string[],
    private readonly keysFile?: string,
    private readonly now: () => number = Date.now,
    private readonly logTo: KeyRingLog = nestLog(),
  ) {
    this.reload();
    this.enabled = this.entries.length > 0;
  }

  /** API_KEYS (comma-separated) plus API_KEYS_FILE (one key per line, # comments). */
  static fromSources(apiKeys: string | undefined, keysFile: string | undefined, logTo?: KeyRingLog): ApiKeyRing {
    return new ApiKeyRing((apiKeys ?? '').split(','), keysFile || undefined, Date.now, logTo);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Reads the keys; a keys file that cannot be read throws (at start-up: the service must not start). */
  private reload(): void {
    const keys = [...this.fixedKeys];
    let identities: Identity[] = [];
    if (this.keysFile) {
      const st = statSync(this.keysFile);
      const text = readFileSync(this.keysFile, 'utf8');
      this.fileStamp = `${st.mtimeMs}:${st.size}`;
      if (looksLikeIdentities(text)) identities = parseIdentities(text, this.keysFile);
      else for (const line of text.split(/\r?\n/)) keys.push(line.replace(/#.*/, ''));
    }
    const plain = [...new Set(keys.map((k) => k.trim()).filter(Boolean))].map((k): KeyEntry => {
      const d = digest(k);
      return { digest: d, name: principalNameOfDigest(d) };
    });
    if (plain.length && !this.warnedPlain) {
      this.warnedPlain = true;
      this.logTo.warn(
        `${plain.length} API key(s) from API_KEYS or a one-key-per-line API_KEYS_FILE are full-access keys (every operation, every namespace). ` +
          'An identities file (API_KEYS_FILE in YAML or JSON: name, key_sha256, scopes, namespaces, expires) gives each caller only what it needs; see README "Running it safely".',
      );
    }
    this.entries = [...plain, ...identities.map((i): KeyEntry => ({ digest: i.digest, name: i.name, identity: i }))];
  }

  private refresh(): void {
    if (!this.keysFile || this.now() < this.nextCheck) return;
    this.nextCheck = this.now() + KEYS_FILE_RECHECK_MS;
    try {
      const st = statSync(this.keysFile);
      if (`${st.mtimeMs}:${st.size}` !== this.fileStamp || this.fileMissing) this.reloadChanged();
      if (this.fileMissing) {
        this.fileMissing = false;
        this.logTo.log(`API_KEYS_FILE ${this.keysFile} is readable again; ${this.size} key(s) now accepted.`);
      }
    } catch (err) {
      if (this.fileMissing) return; // said once; keep quiet until it is back
      this.fileMissing = true;
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      this.logTo.warn(
        `API_KEYS_FILE ${this.keysFile} cannot be read (${code}); the keys last read from it stay accepted until the file is back. ` +
          'To retire keys, edit the file instead of deleting it (or restart the service).',
      );
    }
  }

  /** A changed file that cannot be used keeps the identities last read, with one warning (like a missing one). */
  private reloadChanged(): void {
    try {
      this.reload();
    } catch (err) {
      if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code) throw err;
      this.logTo.warn(`API_KEYS_FILE changed but cannot be used: ${err.message}; the identities last read stay in force.`);
    }
  }

  /** The principal a presented key stands for, or undefined when no configured key matches. */
  identify(candidate: string | undefined): Principal | undefined {
    this.refresh();
    if (!candidate) return undefined;
    const d = digest(candidate);
    let found: KeyEntry | undefined;
    // check every key so the time taken does not say which one matched
    for (const k of this.entries) if (timingSafeEqual(k.digest, d)) found = k;
    if (!found) return undefined;
    const id = found.identity;
    if (!id) return { name: found.name, kind: 'api-key' };
    // a new principal per request: the token attached to it goes with this call only
    const principal: Principal = { name: found.name, kind: 'api-key', permissions: id.scopes, namespaces: id.namespaces, expiresAt: id.expiresAt, confirm: id.confirm };
    const token = id.nomadToken;
    return token ? attachNomadToken(principal, { secret: token.secret, label: `the Nomad token of identity '${id.name}' (${token.source})` }) : principal;
  }

  /**
   * The principal of a caller by name, as its key would resolve now (the approval page's sessions keep a name,
   * never the key): undefined once its key is gone from the configuration. No Nomad token is attached.
   */
  principalNamed(name: string): Principal | undefined {
    this.refresh();
    const found = this.entries.find((k) => k.name === name);
    if (!found) return undefined;
    const id = found.identity;
    if (!id) return { name: found.name, kind: 'api-key' };
    return { name: found.name, kind: 'api-key', permissions: id.scopes, namespaces: id.namespaces, expiresAt: id.expiresAt, confirm: id.confirm };
  }

  matches(candidate: string | undefined): boolean {
    return this.identify(candidate) !== undefined;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Whether a presented secret equals the expected one, in constant time whatever either's length (their digests are compared). */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
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
