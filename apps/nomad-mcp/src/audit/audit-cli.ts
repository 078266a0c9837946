import { BadRequestException, Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliIo, processIo } from '../cli/cli-io';
import { validateInput, FieldError } from '../common/validation';
import { loadConfig } from '../config/env.schema';
import { AuditQueryDto } from '../operations/audit/audit-query.dto';
import { table } from '../operations/core/render';
import { AuditRecord } from './audit-record';
import { AuditStore } from './audit.store';
import { auditTime } from './audit-time';

/**
 * `nomad-mcp audit [filters] [--json]`: reads the audit trail the service writes (AUDIT_DB_PATH or DATABASE_URL,
 * read by the service's own config schema) without starting the service or asking Nomad anything. Its filters
 * are those of GET /api/audit, validated by the same DTO, and the page is read by AuditStore.query.
 */
export const AUDIT_USAGE = `Usage: nomad-mcp audit [options]     (in a checkout: npm start -- audit [options])

Reads the audit trail the service writes, newest first: the SQLite file at AUDIT_DB_PATH (default
./data/audit.sqlite3), or Postgres when DATABASE_URL is set. Nomad is not contacted.

Options:
  --identity NAME     only calls of this identity (e.g. ci-bot, key-1a2b3c4d)
  --job ID            only calls about this job
  --operation NAME    only this operation (e.g. stop_job, create_job)
  --outcome OUTCOME   ok, planned (a plan awaiting confirmation), invalid, denied or error
  --since TIME        calls at or after TIME: ISO 8601 (2026-11-29T12:00:00Z) or a duration back from now (30m, 2h, 7d)
  --until TIME        calls before TIME (same forms)
  --limit N           records per page, 1-200 (default 20)
  --cursor CURSOR     the next page: the cursor printed under the previous one
  --json              one JSON record per line (full IDs, arguments with secrets redacted, errors); the next-page hint goes to stderr
  -h, --help          this text

Exit status: 0 when read (also when nothing matches), 2 for a bad option, 1 when the trail cannot be read.
`;

/** The filter flags, in the order the next-page hint repeats them. */
const FILTER_FLAGS = ['identity', 'job', 'operation', 'outcome', 'since', 'until', 'limit', 'cursor'] as const;
type FilterFlag = (typeof FILTER_FLAGS)[number];

export interface AuditCliArgs {
  help: boolean;
  json: boolean;
  /** The filters as given, but with relative times resolved to ISO times (so a next page stays the same query). */
  filters: Partial<Record<FilterFlag, string>>;
}

/** A bad command line: its message names the option; exit status 2. */
export class AuditUsageError extends Error {
  readonly name = 'AuditUsageError';
}

/** `--job web`, `--job=web`, `--json`, `--help`; every problem names its option. */
export function parseAuditArgs(argv: string[], now = Date.now()): AuditCliArgs {
  const out: AuditCliArgs = { help: false, json: false, filters: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (arg === '--json') {
      out.json = true;
      continue;
    }
    const m = /^--([a-z]+)(?:=([\s\S]*))?$/.exec(arg);
    const flag = m?.[1] as FilterFlag | undefined;
    if (m && (m[1] === 'json' || m[1] === 'help')) throw new AuditUsageError(`--${m[1]} takes no value`);
    if (!m || !FILTER_FLAGS.includes(flag!)) {
      throw new AuditUsageError(arg.startsWith('-') ? `unknown option ${arg.split('=')[0]}` : `unexpected argument "${arg}" (filters are options, e.g. --job ${arg})`);
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || (m[2] === undefined && value.startsWith('--'))) throw new AuditUsageError(`--${flag} needs a value`);
    if (out.filters[flag!] !== undefined) throw new AuditUsageError(`--${flag} is given twice; give it once`);
    out.filters[flag!] = flag === 'since' || flag === 'until' ? auditTime(value, now) : value;
  }
  return out;
}

/** The query the API would run for these filters, or an AuditUsageError naming each bad option. */
export async function auditQuery(filters: AuditCliArgs['filters']): Promise<AuditQueryDto> {
  try {
    return await validateInput(AuditQueryDto, { ...filters });
  } catch (err) {
    throw usageErrorOf(err);
  }
}

/** The API's 400 ("limit must not be greater than 200") as the options the user typed ("--limit must not …"). */
function usageErrorOf(err: unknown): unknown {
  if (!(err instanceof BadRequestException)) return err;
  const body = err.getResponse() as { message?: string; errors?: FieldError[] };
  const problems = body.errors?.length
    ? body.errors.map((e) => `--${e.field} ${e.reasons.map((r) => (r.startsWith(`${e.field} `) ? r.slice(e.field.length + 1) : r)).join(', ')}`)
    : [String(body.message ?? err.message).replace(/^"([a-z]+)"/, '--$1')];
  return new AuditUsageError(problems.join('; '));
}

function shortId(id: string | null): string | null {
  return id && id.length > 8 ? id.slice(0, 8) : id;
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** The compact table: one line per call (the eval ID shortened as Nomad's CLI does; --json has it whole). */
export function auditTable(records: AuditRecord[]): string {
  const rows = records.map((r) => ({
    time: r.time, identity: r.identity, transport: r.transport, operation: r.operation,
    target: r.namespace || r.job ? `${r.namespace ?? '-'}/${r.job ?? '-'}` : null,
    outcome: r.outcome, status: r.status, eval: shortId(r.eval_id), duration: duration(r.duration_ms),
  }));
  return table(rows, ['time', 'identity', 'transport', 'operation', 'target', 'outcome', 'status', 'eval', 'duration'],
    ['TIME', 'IDENTITY', 'TRANSPORT', 'OPERATION', 'NAMESPACE/JOB', 'OUTCOME', 'STATUS', 'EVAL', 'DURATION']);
}

const shellWord = (v: string) => (/^[\w.:@/+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** The command that reads the next page: the same filters (times resolved), then the cursor. */
export function nextPageCommand(filters: AuditCliArgs['filters'], json: boolean, cursor: string): string {
  const words = ['nomad-mcp', 'audit'];
  for (const f of FILTER_FLAGS) if (f !== 'cursor' && filters[f] !== undefined) words.push(`--${f}`, shellWord(filters[f]!));
  if (json) words.push('--json');
  words.push('--cursor', cursor);
  return words.join(' ');
}

/** Runs `nomad-mcp audit …`; resolves to the exit status (0 read, 1 trail unreadable, 2 bad option). */
export async function runAuditCli(argv: string[], env: Record<string, string | undefined> = process.env, io: CliIo = processIo): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr(`nomad-mcp audit: ${code === 2 ? `${message.replace(/\.$/, '')}; see nomad-mcp audit --help` : message}\n`);
    return code;
  };
  let args: AuditCliArgs;
  let query: AuditQueryDto;
  try {
    args = parseAuditArgs(argv);
    if (args.help) {
      io.stdout(AUDIT_USAGE);
      return 0;
    }
    query = await auditQuery(args.filters);
  } catch (err) {
    return fail(err instanceof AuditUsageError ? 2 : 1, err instanceof Error ? err.message : String(err));
  }
  // the service's settings, read by its own schema (a bad one is named); nothing here reaches Nomad
  let audit: ReturnType<typeof loadConfig>['audit'];
  try {
    audit = loadConfig(env).audit;
  } catch (err) {
    return fail(1, err instanceof Error ? err.message : String(err));
  }
  if (!audit.databaseUrl && !existsSync(resolve(audit.dbPath))) {
    return fail(1, `no audit trail at ${resolve(audit.dbPath)}: set AUDIT_DB_PATH to the file the service writes (or DATABASE_URL to its Postgres), or run this where the service runs`);
  }
  // the store's "audit trail in …" start-up line is for the service's log, not for this command's output
  Logger.overrideLogger(false);
  const store = new AuditStore({ dbPath: audit.dbPath, databaseUrl: audit.databaseUrl });
  try {
    const page = await store.query(query);
    if (args.json) for (const r of page.records) io.stdout(`${JSON.stringify(r)}\n`);
    else io.stdout(page.records.length ? `${auditTable(page.records)}\n` : 'No audit records match.\n');
    if (page.next_cursor) {
      const more = `More: ${nextPageCommand(args.filters, args.json, page.next_cursor)}\n`;
      if (args.json) io.stderr(more);
      else io.stdout(`\n${more}`);
    }
    return 0;
  } catch (err) {
    const e = usageErrorOf(err);
    return fail(e instanceof AuditUsageError ? 2 : 1, e instanceof Error ? e.message : String(e));
  } finally {
    await store.close();
  }
}
