import { auditQuery, auditTable, AuditUsageError, nextPageCommand, parseAuditArgs } from './audit-cli';
import { AuditRecord } from './audit-record';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');

async function usageError(argv: string[]): Promise<string> {
  try {
    await auditQuery(parseAuditArgs(argv, NOW).filters);
  } catch (err) {
    if (err instanceof AuditUsageError) return err.message;
    throw err;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

/** The command line of `nomad-mcp audit`: flags to the API's filters, each problem named by its flag. */
describe('nomad-mcp audit: options', () => {
  it('reads --flag value and --flag=value, --json and --help; leaves unset filters out', () => {
    expect(parseAuditArgs(['--job', 'web', '--operation=stop_job', '--json', '--limit', '5'], NOW)).toEqual({
      help: false, json: true, filters: { job: 'web', operation: 'stop_job', limit: '5' },
    });
    expect(parseAuditArgs(['-h'], NOW).help).toBe(true);
    expect(parseAuditArgs(['--identity', 'a b'], NOW).filters).toEqual({ identity: 'a b' });
  });

  it('turns a duration into the ISO time that long before now (so the next page keeps the same window)', () => {
    expect(parseAuditArgs(['--since', '30m', '--until', '2h'], NOW).filters).toEqual({ since: '2026-11-29T11:30:00.000Z', until: '2026-11-29T10:00:00.000Z' });
    expect(parseAuditArgs(['--since', '7d'], NOW).filters.since).toBe('2026-11-22T12:00:00.000Z');
    expect(parseAuditArgs(['--since', '2026-11-01T00:00:00Z'], NOW).filters.since).toBe('2026-11-01T00:00:00Z');
  });

  it('validates with the API\'s own rules, naming the flag', async () => {
    const cases: Array<[string[], string]> = [
      [['--limit', '0'], '--limit must not be less than 1'],
      [['--limit', '500'], '--limit must not be greater than 200'],
      [['--limit', 'ten'], '--limit must be an integer number'],
      [['--outcome', 'maybe'], '--outcome must be one of: ok, planned, invalid, denied, error'],
      [['--operation', 'Stop-Job'], '--operation must be an operation name such as stop_job'],
      [['--since', 'yesterday'], '--since must be an ISO 8601 time such as 2026-11-29T00:00:00Z, or a duration back from now such as 30m, 2h or 7d'],
      [['--until', '5 minutes'], '--until must be an ISO 8601 time such as 2026-11-29T00:00:00Z, or a duration back from now such as 30m, 2h or 7d'],
      [['--identity', 'x'.repeat(65)], '--identity must be shorter than or equal to 64 characters'],
      [['--outcome', 'maybe', '--limit', '0'], '--outcome must be one of: ok, planned, invalid, denied, error; --limit must not be less than 1'],
      [['--colour'], 'unknown option --colour'],
      [['--json=yes'], '--json takes no value'],
      [['-v'], 'unknown option -v'],
      [['web'], 'unexpected argument "web" (filters are options, e.g. --job web)'],
      [['--job'], '--job needs a value'],
      [['--job', '--json'], '--job needs a value'],
      [['--job', 'a', '--job', 'b'], '--job is given twice; give it once'],
    ];
    for (const [argv, message] of cases) expect({ argv, message: await usageError(argv) }).toEqual({ argv, message });
  });

  it('a valid command line is the API\'s query, defaults included', async () => {
    expect({ ...(await auditQuery(parseAuditArgs(['--job', 'web', '--limit', '5'], NOW).filters)) }).toEqual({ job: 'web', limit: 5 });
    expect({ ...(await auditQuery({})) }).toEqual({ limit: 20 });
  });
});

describe('nomad-mcp audit: output', () => {
  const record = (over: Partial<AuditRecord>): AuditRecord => ({
    id: '1', time: '2026-11-29T12:00:00.000Z', identity: 'ci-bot', transport: 'rest', operation: 'stop_job', namespace: 'development',
    job: 'web', arguments: {}, outcome: 'ok', status: 200, eval_id: '0f3c9a1e-1111-2222-3333-444455556666', duration_ms: 42, error: null, ...over,
  });

  it('one aligned line per call: namespace/job together, the eval ID short, the duration with its unit', () => {
    expect(auditTable([record({}), record({ identity: 'viewer', transport: 'mcp', namespace: null, job: null, outcome: 'denied', status: 403, eval_id: null, duration_ms: 1500 })])).toBe([
      'TIME                      IDENTITY  TRANSPORT  OPERATION  NAMESPACE/JOB    OUTCOME  STATUS  EVAL      DURATION',
      '2026-11-29T12:00:00.000Z  ci-bot    rest       stop_job   development/web  ok       200     0f3c9a1e  42ms',
      '2026-11-29T12:00:00.000Z  viewer    mcp        stop_job   -                denied   403     -         1.5s',
    ].join('\n'));
  });

  it('the next page: the same filters in flag order, quoted for a shell where needed, then the cursor', () => {
    expect(nextPageCommand({ cursor: 'old', limit: '5', job: "it's web", since: '2026-11-29T11:30:00.000Z' }, true, 'WzEsMl0'))
      .toBe("nomad-mcp audit --job 'it'\\''s web' --since 2026-11-29T11:30:00.000Z --limit 5 --json --cursor WzEsMl0");
  });
});
