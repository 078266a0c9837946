import { IDENTITY_NAME, SCOPES } from '@nomad-mcp/auth/identities';
import { createHash, randomBytes } from 'node:crypto';
import { commaList, NAMESPACE_GLOB } from '../config/setting-formats';
import { CliUsageError } from './cli-options';

/*
 * `nomad-mcp key`: a new API key and the identities-file entry that accepts it. The key is printed once and
 * kept nowhere; the entry holds only its SHA-256, so the identities file never holds a key.
 */

/** What `nomad-mcp key` was asked for, as its options give it. */
export interface KeyRequest {
  name?: string;
  scopes?: string;
  namespaces?: string;
}

/** One entry of the identities file (libs/auth/identities.ts reads it). */
export interface IdentityEntry {
  name: string;
  key_sha256: string;
  scopes: string[];
  namespaces?: string[];
}

/** A recognisable prefix (secret scanners and people can tell what leaked), then 256 random bits. */
export const KEY_PREFIX = 'nmcp_';

/** `nmcp_` and 32 random bytes in base64url: 48 characters, nothing to escape in a header or a shell. */
export function newApiKey(random: (size: number) => Buffer = randomBytes): string {
  return `${KEY_PREFIX}${random(32).toString('base64url')}`;
}

/** The entry for `key`, after checking the request as the identities file would (each problem names its option). */
export function identityEntry(key: string, request: KeyRequest): IdentityEntry {
  const { name } = request;
  if (!name) throw new CliUsageError('--name is required: the identity\'s name, which logs and the audit trail show (e.g. --name ci-bot)');
  if (!IDENTITY_NAME.test(name)) throw new CliUsageError(`--name must be 1-64 letters, digits or . _ @ - (got "${name}")`);
  const scopes = commaList(request.scopes ?? 'read');
  const unknown = scopes.filter((s) => s !== '*' && !(SCOPES as readonly string[]).includes(s));
  if (!scopes.length || unknown.length) {
    throw new CliUsageError(`--scopes must be a comma-separated list of ${SCOPES.join(', ')} or '*'${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  const entry: IdentityEntry = { name, key_sha256: createHash('sha256').update(key, 'utf8').digest('hex'), scopes: [...new Set(scopes)] };
  if (request.namespaces !== undefined) {
    const namespaces = commaList(request.namespaces);
    const bad = namespaces.filter((n) => !NAMESPACE_GLOB.test(n));
    if (!namespaces.length || bad.length) {
      throw new CliUsageError(`--namespaces must be comma-separated namespace names or globs such as dev-*,staging${bad.length ? ` (not one: ${bad.join(', ')})` : ''}`);
    }
    entry.namespaces = [...new Set(namespaces)];
  }
  return entry;
}

/** A YAML flow list; `*` alone (or leading) would be an alias in YAML, so such items are quoted. */
const flowList = (items: string[]) => `[${items.map((i) => (/^[A-Za-z0-9_.@-][A-Za-z0-9_.@*-]*$/.test(i) ? i : `'${i}'`)).join(', ')}]`;

/** The entry as lines to add under `identities:` (indented as README's example). */
export function entryYaml(entry: IdentityEntry): string {
  return [
    `  - name: ${entry.name}`,
    `    key_sha256: ${entry.key_sha256}`,
    `    scopes: ${flowList(entry.scopes)}`,
    ...(entry.namespaces ? [`    namespaces: ${flowList(entry.namespaces)}`] : []),
  ].join('\n');
}

/** What the command prints: the key once, then its entry, each introduced by a comment line. */
export function keyReport(key: string, entry: IdentityEntry): string {
  const where = entry.namespaces ? `namespaces ${entry.namespaces.join(', ')}` : 'every namespace';
  return [
    `# API key of '${entry.name}' (scopes ${entry.scopes.join(', ')}; ${where}). Shown only now: hand it to the caller,`,
    '# who sends it as X-API-Key: <key> or Authorization: Bearer <key>. The service keeps only its SHA-256.',
    key,
    '',
    '# Its entry: add it under "identities:" in the file API_KEYS_FILE names (read again within 5 s, no restart).',
    entryYaml(entry),
    '',
  ].join('\n');
}
