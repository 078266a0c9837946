import { AllocationListStub, LogStream, NomadAllocationsApi, NomadApiError, NomadClientFsApi } from '@nomad-mcp/nomad';
import { JobLogsRequestDto } from '../../jobs/dto/job-logs.dto';
import { JobLogsResult, LogStreamResult } from '../../jobs/dto/job-results.dto';
import { consequenceRank, eventText, isFailureEvent } from '../../jobs/job-diagnosis';
import { findLogSource } from './log-source';
import { GREP_BUDGET_MS, grepLines, lineFilter } from './log-grep';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { ANSWER_DATA_BYTES } from '../core/paging';
import { JobAccess } from './job-access';

const NOT_STARTED = 'task has not started yet; no logs';
/** Upper bound of the log text returned per stream, whatever `lines` asks for. */
export const MAX_LOG_BYTES_PER_STREAM = 256 * 1024;
/** How many of the newest lines a grep searches. */
export const GREP_SCAN_LINES = 20_000;
/** Lines read when `lines` is left out. */
const DEFAULT_LINES = 100;
/** How many allocations all_allocations reads at most. */
const MAX_ALLOCATIONS = 8;
const short = (id: string) => id.slice(0, 8);

@Operation({
  name: 'get_job_logs',
  title: 'Get job logs',
  description:
    "Read the last lines of a job's logs (stdout and stderr by default) from its latest allocation, or from alloc_id (also a stopped one: " +
    'the allocation before a crash loop\'s restart, from list_allocations). grep keeps matching lines (text, or /regex/i); all_allocations=true ' +
    'reads every running allocation, lines tagged and in time order. Use it to see why a task fails or what a service is doing. lines defaults ' +
    'to 100, kept to the newest 4 KB of text; ask for lines (max 5000) for more. Says plainly when the job has no allocation yet, and why a task never started. Read-only. For new lines as they come: follow_job_logs.',
  input: JobLogsRequestDto,
  output: JobLogsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'read-logs',
  order: 700,
  rest: { method: 'GET', path: 'job-logs/:job_id' },
})
export class GetJobLogsOp implements OperationHandler<JobLogsRequestDto, JobLogsResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly allocations: NomadAllocationsApi,
    private readonly clientFs: NomadClientFsApi,
  ) {}

  async run(ctx: OperationContext, req: JobLogsRequestDto): Promise<JobLogsResult> {
    const namespace = ctx.namespace(req.namespace);
    const lines = req.lines ?? DEFAULT_LINES;
    // a bad pattern is refused before Nomad is asked anything
    const match = req.grep ? lineFilter(req.grep) : undefined;
    const base = { job_id: req.job_id, namespace };
    const source = await findLogSource(this.jobs, this.allocations, namespace, req.job_id, req);
    if (!source) {
      return {
        ...base, alloc_id: null, alloc_name: null, client_status: null, task: null, tasks: [],
        message: `Job '${req.job_id}' has no allocations yet, so there are no logs. Check its status for placement problems.`,
      };
    }
    const { alloc, task, tasks } = source;
    const types: LogStream[] = req.type ? [req.type] : ['stdout', 'stderr'];
    const read: Read = { lines, match };
    const result: JobLogsResult = { ...base, alloc_id: alloc.ID, alloc_name: alloc.Name, client_status: alloc.ClientStatus, task, tasks, message: '' };
    if (req.all_allocations) return this.allAllocations(namespace, req, result, types, read);
    const streams = await Promise.all(types.map((type) => readStream(this.clientFs, alloc.ID, task, type, read)));
    types.forEach((type, i) => (result[type] = streams[i]));
    const left = req.lines === undefined ? keepNewestWithin(result, types, ANSWER_DATA_BYTES) : '';
    const notStarted = types.every((t) => result[t]!.note === NOT_STARTED);
    const what = req.grep ? `matching ${JSON.stringify(req.grep)}` : '';
    result.message = notStarted
      ? notStartedSentence(alloc, task)
      : `Last ${types.map((t) => `${result[t]!.lines.length} ${t}`).join(' and ')} lines${what ? ` ${what}` : ''} of task '${task}' in allocation ${short(alloc.ID)} (${alloc.Name}, ${alloc.ClientStatus}).${left}`;
    return result;
  }

  /** The same task's log from each running allocation (at most 8; else the latest), lines tagged and merged. */
  private async allAllocations(namespace: string, req: JobLogsRequestDto, result: JobLogsResult, types: LogStream[], read: Read): Promise<JobLogsResult> {
    const all = (await this.jobs.api.allocations(namespace, req.job_id)).body.sort((a, b) => b.CreateIndex - a.CreateIndex);
    const running = all.filter((a) => a.ClientStatus === 'running');
    const chosen = (running.length ? running : all).slice(0, MAX_ALLOCATIONS);
    const task = result.task!;
    let unordered = false;
    for (const type of types) {
      const per = await Promise.all(chosen.map((a) => readStream(this.clientFs, a.ID, task, type, read).then((r) => ({ a, r }))));
      const tagged = per.map(({ a, r }) => r.lines.map((l) => `[${short(a.ID)}] ${l}`));
      const merged = mergeByTime(tagged, read.lines);
      unordered ||= !merged.ordered && chosen.length > 1;
      result[type] = { lines: merged.lines, truncated: per.some(({ r }) => r.truncated) || merged.lines.length < tagged.flat().length };
    }
    const left = req.lines === undefined ? keepNewestWithin(result, types, ANSWER_DATA_BYTES) : '';
    result.allocations = chosen.map((a) => a.ID);
    result.alloc_id = null;
    result.alloc_name = null;
    result.client_status = null;
    result.message = `Last ${types.map((t) => `${result[t]!.lines.length} ${t}`).join(' and ')} lines${req.grep ? ` matching ${JSON.stringify(req.grep)}` : ''} of task '${task}' ` +
      `across ${chosen.length} ${running.length ? 'running ' : ''}allocation${chosen.length === 1 ? '' : 's'} of job '${req.job_id}', each line tagged with its allocation` +
      `${unordered ? ' (grouped by allocation, the newest of each: the lines carry no timestamp to order them by)' : ''}.${left}`;
    return result;
  }

  /** Logs as plain lines under a header per stream: what a model reads best. */
  render(r: JobLogsResult): string {
    // the sentence, a blank line, then each stream under its header (as every other answer separates them)
    const parts = [r.message];
    for (const type of ['stdout', 'stderr'] as const) {
      const s = r[type];
      if (!s) continue;
      parts.push(`--- ${type}${s.truncated ? ' (last lines only)' : ''} ---\n${s.lines.length ? s.lines.join('\n') : `(${s.note ?? 'empty'})`}`);
    }
    return parts.join('\n\n');
  }
}

/**
 * Drops the oldest lines, from whichever stream holds more, until the streams' lines take at most `budget` bytes
 * as JSON; each stream keeps its newest line (the one that usually matters), cut short if even it alone is too
 * long. Says how many went, and how to get them (empty when none did).
 */
export function keepNewestWithin(result: JobLogsResult, types: LogStream[], budget: number): string {
  const size = (line: string) => Buffer.byteLength(JSON.stringify(line)) + 1;
  const streams = types.map((t) => result[t]).filter((s): s is LogStreamResult => !!s && s.lines.length > 0);
  const state = streams.map((s) => ({ s, from: 0, bytes: s.lines.reduce((n, l) => n + size(l), 0) }));
  let total = state.reduce((n, x) => n + x.bytes, 0);
  let dropped = 0;
  for (;;) {
    const droppable = state.filter((x) => x.from < x.s.lines.length - 1);
    if (total <= budget || !droppable.length) break;
    const biggest = droppable.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const cut = size(biggest.s.lines[biggest.from++]);
    biggest.bytes -= cut;
    total -= cut;
    dropped++;
  }
  let shortened = false;
  for (const x of state) {
    if (x.from) x.s.lines = x.s.lines.slice(x.from);
    if (total > budget) {
      // down to their newest lines and still over: each keeps its share, cut at its end
      const share = Math.floor(budget / state.length);
      const newest = x.s.lines[x.s.lines.length - 1];
      if (size(newest) > share) {
        let keep = share;
        let cut = '';
        // by characters, until its JSON (escapes, multi-byte characters) fits the share
        do cut = `${newest.slice(0, (keep = Math.floor(keep * 0.9)))} …(cut to fit 4 KB)`;
        while (size(cut) > share && keep > 0);
        x.s.lines[x.s.lines.length - 1] = cut;
        shortened = true;
      }
    }
    if (x.from || shortened) x.s.truncated = true;
  }
  const parts = [dropped ? `${dropped} older line${dropped === 1 ? '' : 's'} left out` : '', shortened ? 'the newest cut short' : ''].filter(Boolean);
  return parts.length ? ` ${parts.join(' and ')} to keep this answer under 4 KB: ask with lines (up to 5000) for more.` : '';
}

/** Why a task has no logs: still starting, or never started because of a failure (the image cannot be pulled...). */
function notStartedSentence(alloc: AllocationListStub, task: string): string {
  // the cause (a driver failure...) rather than its consequence (not restarting)
  const failures = (alloc.TaskStates?.[task]?.Events ?? []).filter(isFailureEvent);
  const failure = failures.filter((e) => consequenceRank(e.Type) === 0).pop() ?? failures.pop();
  const where = `Task '${task}' of allocation ${short(alloc.ID)} (${alloc.ClientStatus})`;
  if (!failure) return `${where} has not started yet, so it has no logs.`;
  return `${where} never started, so it has no logs: ${failure.Type}: ${eventText(failure).replace(/\.?$/, '.')} Call get_job_status for the full diagnosis.`;
}

interface Read {
  lines: number;
  /** grep: the lines to keep (then the newest GREP_SCAN_LINES lines are searched). */
  match?: (line: string) => boolean;
}

async function readStream(clientFs: NomadClientFsApi, allocId: string, task: string, type: LogStream, read: Read): Promise<LogStreamResult> {
  try {
    // without grep no more than the answer's cap is read: the rest could not be returned
    const tail = read.match
      ? await clientFs.tailLog(allocId, task, type, GREP_SCAN_LINES)
      : await clientFs.tailLog(allocId, task, type, read.lines, MAX_LOG_BYTES_PER_STREAM);
    let kept = tail.lines;
    let grepNote: string | undefined;
    if (read.match) {
      const found = grepLines(kept, read.match, read.lines);
      kept = found.lines;
      if (found.outOfTime) grepNote = `the search stopped after ${GREP_BUDGET_MS} ms, having looked at the newest ${found.scanned} lines`;
    }
    // an answer goes into a model's context: very long lines must not make it huge
    let bytes = kept.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    let cut = 0;
    while (bytes > MAX_LOG_BYTES_PER_STREAM && cut < kept.length - 1) bytes -= Buffer.byteLength(kept[cut++]) + 1;
    kept = kept.slice(cut);
    const note = cut ? `${cut} older lines left out to keep the answer under ${MAX_LOG_BYTES_PER_STREAM / 1024} KiB` : grepNote;
    return note ? { lines: kept, truncated: true, note } : { lines: kept, truncated: tail.truncated };
  } catch (err) {
    if (err instanceof NomadApiError && err.isNotFound && /not started/i.test(err.nomadMessage)) {
      return { lines: [], truncated: false, note: NOT_STARTED };
    }
    throw err;
  }
}

/** A timestamp anywhere in a log line: ISO 8601 or `YYYY/MM/DD hh:mm:ss` (Go's log), as sortable text. */
const STAMP_ISO = /(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)/;
/** The Common Log Format's `[30/Nov/2026:21:12:46 +0000]` (nginx, Apache access logs). */
const STAMP_CLF = /\[(\d{2})\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/(\d{4}):(\d{2}:\d{2}:\d{2})/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The line's timestamp as `YYYY-MM-DDThh:mm:ss[.fff]`, if it has one the service can read. */
export function lineStamp(line: string): string | undefined {
  const iso = STAMP_ISO.exec(line);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}T${iso[4].replace(',', '.')}`;
  const clf = STAMP_CLF.exec(line);
  return clf ? `${clf[3]}-${String(MONTHS.indexOf(clf[2]) + 1).padStart(2, '0')}-${clf[1]}T${clf[4]}` : undefined;
}

/**
 * The newest `keep` lines of several allocations' logs. In time order when each allocation's log carries
 * timestamps (a line without one, such as a stack trace's, goes with the line before it); else grouped by
 * allocation, each giving its newest share, so no allocation is left out (`ordered` false).
 */
export function mergeByTime(perAllocation: string[][], keep: number): { lines: string[]; ordered: boolean } {
  const stamped = perAllocation.map((lines) => {
    const first = lines.map(lineStamp).find((t) => t !== undefined);
    let last = first;
    return first === undefined ? undefined : lines.map((line, i) => ({ line, t: (last = lineStamp(line) ?? last)!, i }));
  });
  if (stamped.every((x) => x !== undefined)) {
    const all = stamped.flat() as Array<{ line: string; t: string; i: number }>;
    const sorted = all.map((x, n) => ({ ...x, n })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.n - b.n));
    return { lines: sorted.map((x) => x.line).slice(-keep), ordered: true };
  }
  const share = Math.max(1, Math.ceil(keep / Math.max(1, perAllocation.length)));
  return { lines: perAllocation.flatMap((lines) => lines.slice(-share)).slice(-keep), ordered: false };
}
