import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiKeyRing, Identity, looksLikeIdentities, parseIdentities } from '@nomad-mcp/auth';
import { NomadModule } from '@nomad-mcp/nomad';
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Client } from 'pg';
import { scrub, sqliteDriverProblem } from '../audit/audit-database';
import { AppConfig, AppConfigModule, AuditConfig, AuthConfig, loadConfig, redactUrl } from '../config';
import { NomadConnectionCheck } from '../health/nomad-connection.check';
import { NomadStartupCheck } from '../health/nomad-startup.check';
import { CliIo } from './cli-io';

/*
 * `nomad-mcp check`: what the service would meet at start-up, checked without starting it. The Nomad part is
 * the service's own start-up check (NomadStartupCheck) run in a Nest context that holds only the Nomad client.
 */

export type CheckLevel = 'ok' | 'note' | 'problem';

/** One line of the report; only a `problem` makes the check fail. */
export interface CheckFinding {
  level: CheckLevel;
  area: string;
  message: string;
}

const finding = (level: CheckLevel, area: string, message: string): CheckFinding => ({ level, area, message });
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The keys the service would accept: API_KEYS and API_KEYS_FILE read as the service reads them. */
export function checkApiKeys(auth: AuthConfig, env: NodeJS.ProcessEnv): CheckFinding[] {
  const AREA = 'API keys';
  if (!auth.apiKeys && !auth.apiKeysFile) {
    return [finding('note', AREA, 'none set (API_KEYS, API_KEYS_FILE): the service answers on 127.0.0.1 only, every caller as local; nomad-mcp key makes one')];
  }
  const warnings: string[] = [];
  let ring: ApiKeyRing;
  try {
    ring = ApiKeyRing.fromSources(auth.apiKeys, auth.apiKeysFile, { warn: (m) => warnings.push(m), log: () => undefined });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return [finding('problem', AREA, `API_KEYS_FILE ${auth.apiKeysFile} ${code ? `cannot be read (${code})` : `cannot be used: ${errorText(err)}`}`)];
  }
  const text = auth.apiKeysFile ? readFileSync(auth.apiKeysFile, 'utf8') : '';
  const identities: Identity[] = looksLikeIdentities(text) ? parseIdentities(text, auth.apiKeysFile!, env) : [];
  const now = Date.now();
  const expired = identities.filter((i) => i.expiresAt && i.expiresAt.getTime() <= now);
  const named = identities.map((i) => `${i.name} (${i.scopes.join(', ')})`).join(', ');
  return [
    finding('ok', AREA, `${ring.size} accepted${identities.length ? `; identities from ${auth.apiKeysFile}: ${named}` : ''}`),
    ...warnings.map((w) => finding('note', AREA, w)),
    ...expired.map((i) => finding('note', AREA, `identity '${i.name}' expired at ${i.expiresAt!.toISOString()}: its key gets 401 until "expires" is moved`)),
  ];
}

/** The nearest folder of `path` that exists: where the service would create the trail's folder. */
function existingFolder(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The audit trail's database: Postgres answers, or the SQLite driver loads and the file may be written. */
export async function checkAuditTrail(audit: AuditConfig): Promise<CheckFinding> {
  const AREA = 'audit trail';
  if (audit.databaseUrl) {
    const where = redactUrl(audit.databaseUrl).replace(/[?#].*$/, '');
    const client = new Client({ connectionString: audit.databaseUrl, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return finding('ok', AREA, `Postgres at ${where} answers`);
    } catch (err) {
      return finding('problem', AREA, `Postgres at ${where} cannot be used: ${scrub(errorText(err), audit.databaseUrl)}; check DATABASE_URL`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const file = resolve(audit.dbPath);
  try {
    new Database(':memory:').close();
  } catch (err) {
    return finding('problem', AREA, sqliteDriverProblem(err) ?? `the SQLite driver cannot start: ${errorText(err)}`);
  }
  const [target, mode] = existsSync(file) ? [file, constants.R_OK | constants.W_OK] : [existingFolder(file), constants.W_OK];
  try {
    accessSync(target, mode);
  } catch {
    return finding('problem', AREA, `${target} is not writable by this user, so the SQLite file ${file} cannot be ${target === file ? 'written' : 'created'}; set AUDIT_DB_PATH to a writable place`);
  }
  return finding('ok', AREA, `SQLite file ${file}${target === file ? '' : ' (created at start-up)'}`);
}

/** Nomad as the start-up check sees it: leader, NOMAD_TOKEN (what it is, its policies), the default namespace. */
export async function checkNomad(config: AppConfig): Promise<CheckFinding[]> {
  @Module({ imports: [AppConfigModule.forRoot(config), NomadModule.forRoot(config.nomad)], providers: [NomadConnectionCheck, NomadStartupCheck] })
  class NomadCheckModule {}
  const app = await NestFactory.createApplicationContext(NomadCheckModule, { logger: false, abortOnError: false });
  try {
    const found = await app.get(NomadStartupCheck).findings();
    return found.map((f) => finding(f.level === 'warn' ? 'problem' : 'ok', 'Nomad', f.message));
  } finally {
    await app.close();
  }
}

/** Every check, in the order a person would fix things: a bad setting stops the rest. */
export async function checkAll(env: NodeJS.ProcessEnv): Promise<CheckFinding[]> {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    return [finding('problem', 'settings', errorText(err))];
  }
  return [
    finding('ok', 'settings', `valid (Nomad at ${redactUrl(config.nomad.address)}, default namespace '${config.nomad.defaultNamespace}')`),
    ...checkApiKeys(config.auth, env),
    await checkAuditTrail(config.audit),
    ...(await checkNomad(config)),
  ];
}

/** The report: one line per finding, then the verdict. */
export function checkReport(findings: CheckFinding[]): string {
  const width = Math.max(...findings.map((f) => f.area.length));
  const lines = findings.map((f) => `${f.level.padEnd(9)}${f.area.padEnd(width + 2)}${f.message}`);
  const problems = findings.filter((f) => f.level === 'problem').length;
  const verdict = problems ? `${problems} problem${problems > 1 ? 's' : ''}: fix ${problems > 1 ? 'them' : 'it'} and run nomad-mcp check again.` : 'All checks passed.';
  return `${lines.join('\n')}\n\n${verdict}\n`;
}

/** Runs the checks, prints the report; 0 when nothing is a problem, else 1. */
export async function runCheck(env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const findings = await checkAll(env);
  io.stdout(checkReport(findings));
  return findings.some((f) => f.level === 'problem') ? 1 : 0;
}
