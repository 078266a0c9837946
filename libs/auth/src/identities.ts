import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type * as JsYaml from 'js-yaml';

/**
 * The identities file: who may call, with what. API_KEYS_FILE may hold it (YAML or JSON) instead of plain
 * keys, one per line:
 *
 *   identities:
 *     - name: ci-bot                      # what logs and the audit trail show; never the key
 *       key_sha256: 9f86d081884c7d65…     # or `key: <the key>` (the hash keeps the key out of the file)
 *       scopes: [read, operate]           # read | operate | write | destroy | admin | approve | '*'
 *       namespaces: [dev-*, staging]      # globs; absent = every namespace
 *       expires: 2027-01-31T00:00:00Z     # optional
 *       confirm: destructive              # destructive (default) | writes | off: which changes need a confirmed second call
 *       nomad_token_env: CI_NOMAD_TOKEN   # optional: its calls use this Nomad token instead of NOMAD_TOKEN,
 *                                         # read from that environment variable, or
 *       nomad_token_file: /run/secrets/ci # from that file (trimmed; relative to this file's folder)
 *
 * A Nomad token is never written in this file (`nomad_token:` is refused): the file holds key hashes, and
 * may be readable by more people than the cluster's tokens should be.
 */

/** `approve`: sign in to the approval page (/ui) and approve or deny changes that wait for a person; `admin` may too. */
export const SCOPES = ['read', 'operate', 'write', 'destroy', 'admin', 'approve'] as const;
export type Scope = (typeof SCOPES)[number];

/** Which changes need a confirmed second call: destructive ones (stop, purge, restart, update), every change, or none. */
export const CONFIRM_POLICIES = ['destructive', 'writes', 'off'] as const;
export type ConfirmPolicy = (typeof CONFIRM_POLICIES)[number];

/** An identity's name: what logs and the audit trail show. */
export const IDENTITY_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;

export interface Identity {
  name: string;
  digest: Buffer;
  /** Scopes held; `*` holds every one. */
  scopes: string[];
  /** Namespace globs it may use; undefined = every namespace. */
  namespaces?: string[];
  expiresAt?: Date;
  /** Its confirmation policy; undefined = NOMAD_MCP_CONFIRM, else `destructive`. */
  confirm?: ConfirmPolicy;
  /**
   * Its own Nomad token, read from nomad_token_env or nomad_token_file each time the file is read.
   * Non-enumerable: an Identity that is logged or compared never shows it.
   */
  readonly nomadToken?: IdentityNomadToken;
}

export interface IdentityNomadToken {
  secret: string;
  /** Where it was read from: `nomad_token_env CI_NOMAD_TOKEN` or `nomad_token_file /run/secrets/ci` (never the token). */
  source: string;
}

/** An identities file that cannot be used; the message names the entry and field, never a key. */
export class IdentitiesFileError extends Error {}

/** True when the text is an identities document rather than the plain one-key-per-line form. */
export function looksLikeIdentities(text: string): boolean {
  const t = text.replace(/^\s*#.*$/gm, '').trim();
  return t.startsWith('{') || t.startsWith('[') || /^identities\s*:/m.test(t);
}

/** `env` is where nomad_token_env variables are read (process.env unless a test gives its own). */
export function parseIdentities(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Identity[] {
  let doc: unknown;
  try {
    // js-yaml (270 KB of source a process keeps) loads only for an identities file: most services have plain keys
    doc = (require('js-yaml') as typeof JsYaml).load(text);
  } catch (err) {
    throw new IdentitiesFileError(`${file} is neither valid YAML nor JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { identities?: unknown } | null)?.identities;
  if (!Array.isArray(list)) throw new IdentitiesFileError(`${file} must hold "identities:" with a list of entries`);
  const names = new Set<string>();
  return list.map((raw, i) => {
    const where = `${file}: identities[${i}]`;
    const e = (raw ?? {}) as Record<string, unknown>;
    const name = typeof e.name === 'string' && IDENTITY_NAME.test(e.name) ? e.name : undefined;
    if (!name) throw new IdentitiesFileError(`${where}.name must be 1-64 letters, digits or . _ @ -`);
    if (names.has(name)) throw new IdentitiesFileError(`${where}.name '${name}' is used twice`);
    names.add(name);
    const digest = keyDigest(e, `${where} (${name})`);
    const scopes = stringList(e.scopes, `${where} (${name}).scopes`);
    const unknown = scopes.filter((s) => s !== '*' && !(SCOPES as readonly string[]).includes(s));
    if (!scopes.length || unknown.length) {
      throw new IdentitiesFileError(`${where} (${name}).scopes must list some of ${SCOPES.join(', ')} or '*'${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
    }
    const namespaces = e.namespaces === undefined ? undefined : stringList(e.namespaces, `${where} (${name}).namespaces`);
    let expiresAt: Date | undefined;
    if (e.expires !== undefined) {
      expiresAt = e.expires instanceof Date ? e.expires : new Date(String(e.expires));
      if (Number.isNaN(expiresAt.getTime())) throw new IdentitiesFileError(`${where} (${name}).expires must be a date such as 2027-01-31T00:00:00Z`);
    }
    const confirm = e.confirm === undefined ? undefined : (CONFIRM_POLICIES as readonly unknown[]).includes(e.confirm) ? (e.confirm as ConfirmPolicy) : null;
    if (confirm === null) throw new IdentitiesFileError(`${where} (${name}).confirm must be one of ${CONFIRM_POLICIES.join(', ')}`);
    const identity: Identity = { name, digest, scopes, namespaces, expiresAt, confirm };
    const nomadToken = readNomadToken(e, `${where} (${name})`, file, env);
    if (nomadToken) Object.defineProperty(identity, 'nomadToken', { value: nomadToken, enumerable: false });
    return identity;
  });
}

/**
 * The identity's Nomad token from the variable or file it names. Errors name the entry and the variable or
 * path, never a value: the message is logged, and the file's `nomad_token:` value would be a token.
 */
function readNomadToken(e: Record<string, unknown>, where: string, file: string, env: NodeJS.ProcessEnv): IdentityNomadToken | undefined {
  if (e.nomad_token !== undefined) {
    throw new IdentitiesFileError(`${where}.nomad_token is refused: a Nomad token must not be written in the keys file. Put it in an environment variable (nomad_token_env: VARIABLE) or a file (nomad_token_file: /path)`);
  }
  const fromEnv = e.nomad_token_env;
  const fromFile = e.nomad_token_file;
  if (fromEnv === undefined && fromFile === undefined) return undefined;
  if (fromEnv !== undefined && fromFile !== undefined) throw new IdentitiesFileError(`${where} has both nomad_token_env and nomad_token_file; keep one`);
  let secret: string;
  let source: string;
  if (fromEnv !== undefined) {
    if (typeof fromEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(fromEnv)) throw new IdentitiesFileError(`${where}.nomad_token_env must be the name of an environment variable (letters, digits, _)`);
    source = `nomad_token_env ${fromEnv}`;
    secret = (env[fromEnv] ?? '').trim();
    if (!secret) throw new IdentitiesFileError(`${where}.nomad_token_env: environment variable ${fromEnv} is not set (or empty); set it to the identity's Nomad token`);
  } else {
    if (typeof fromFile !== 'string' || !fromFile.trim()) throw new IdentitiesFileError(`${where}.nomad_token_file must be the path of a file holding the token`);
    const path = resolve(dirname(file), fromFile.trim());
    source = `nomad_token_file ${path}`;
    try {
      secret = readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new IdentitiesFileError(`${where}.nomad_token_file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    if (!secret) throw new IdentitiesFileError(`${where}.nomad_token_file: ${path} is empty; put the identity's Nomad token in it`);
  }
  // it travels as an HTTP header: a value with spaces or control characters would fail every call later
  if (!/^[\x21-\x7e]+$/.test(secret)) throw new IdentitiesFileError(`${where}.${source.split(' ')[0]}: the token holds spaces or characters an HTTP header cannot carry`);
  return { secret, source };
}

function keyDigest(e: Record<string, unknown>, where: string): Buffer {
  if (typeof e.key_sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(e.key_sha256)) return Buffer.from(e.key_sha256, 'hex');
  if (typeof e.key === 'string' && e.key.trim().length >= 8) return createHash('sha256').update(e.key.trim(), 'utf8').digest();
  throw new IdentitiesFileError(`${where} needs key_sha256 (64 hex characters) or key (at least 8 characters)`);
}

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.trim())) throw new IdentitiesFileError(`${where} must be a list of strings`);
  return v.map((x: string) => x.trim());
}

/** `dev-*` style globs: `*` matches any run of characters, nothing else is special. */
export function globMatches(glob: string, value: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}
