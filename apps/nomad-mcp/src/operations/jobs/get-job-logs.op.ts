import { Allocation, LogStream, NomadAllocationsApi, NomadApiError, NomadClientFsApi } from '@nomad-mcp/nomad';
import { JobLogsRequestDto } from '../../jobs/dto/job-logs.dto';
import { JobLogsResult, LogStreamResult } from '../../jobs/dto/job-results.dto';
import { consequenceRank, eventText, isFailureEvent } from '../../jobs/job-diagnosis';
import { findLogSource } from './log-source';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { JobAccess } from './job-access';

const NOT_STARTED = 'task has not started yet; no logs';
/** Upper bound of the log text returned per stream, whatever `lines` asks for. */
export const MAX_LOG_BYTES_PER_STREAM = 256 * 1024;
const short = (id: string) => id.slice(0, 8);

@Operation({
  name: 'get_job_logs',
  title: 'Get job logs',
  description:
    "Read the last lines of a job's logs (stdout and stderr by default) from its latest allocation, or from alloc_id. " +
    'Use it to see why a task fails or what a service is doing. lines defaults to 100 (max 5000). Says plainly when the job has no allocation yet, ' +
    'and why a task never started. Read-only.',
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
    const lines = req.lines ?? 100;
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
    const result: JobLogsResult = { ...base, alloc_id: alloc.ID, alloc_name: alloc.Name, client_status: alloc.ClientStatus, task, tasks, message: '' };
    const streams = await Promise.all(types.map((type) => readStream(this.clientFs, alloc.ID, task, type, lines)));
    types.forEach((type, i) => (result[type] = streams[i]));
    const notStarted = types.every((t) => result[t]!.note === NOT_STARTED);
    result.message = notStarted
      ? notStartedSentence(alloc, task)
      : `Last ${types.map((t) => `${result[t]!.lines.length} ${t}`).join(' and ')} lines of task '${task}' in allocation ${short(alloc.ID)} (${alloc.Name}, ${alloc.ClientStatus}).`;
    return result;
  }

  /** Logs as plain lines under a header per stream: what a model reads best. */
  render(r: JobLogsResult): string {
    const parts = [r.message];
    for (const type of ['stdout', 'stderr'] as const) {
      const s = r[type];
      if (!s) continue;
      parts.push(`--- ${type}${s.truncated ? ' (last lines only)' : ''} ---`, s.lines.length ? s.lines.join('\n') : `(${s.note ?? 'empty'})`);
    }
    return parts.join('\n');
  }
}

/** Why a task has no logs: still starting, or never started because of a failure (the image cannot be pulled...). */
function notStartedSentence(alloc: Allocation, task: string): string {
  // the cause (a driver failure...) rather than its consequence (not restarting)
  const failures = (alloc.TaskStates?.[task]?.Events ?? []).filter(isFailureEvent);
  const failure = failures.filter((e) => consequenceRank(e.Type) === 0).pop() ?? failures.pop();
  const where = `Task '${task}' of allocation ${short(alloc.ID)} (${alloc.ClientStatus})`;
  if (!failure) return `${where} has not started yet, so it has no logs.`;
  return `${where} never started, so it has no logs: ${failure.Type}: ${eventText(failure).replace(/\.?$/, '.')} Call get_job_status for the full diagnosis.`;
}

async function readStream(clientFs: NomadClientFsApi, allocId: string, task: string, type: LogStream, lines: number): Promise<LogStreamResult> {
  try {
    const tail = await clientFs.tailLog(allocId, task, type, lines);
    // an answer goes into a model's context: very long lines must not make it huge
    let kept = tail.lines;
    let bytes = kept.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    let cut = 0;
    while (bytes > MAX_LOG_BYTES_PER_STREAM && cut < kept.length - 1) bytes -= Buffer.byteLength(kept[cut++]) + 1;
    kept = kept.slice(cut);
    return cut
      ? { lines: kept, truncated: true, note: `${cut} older lines left out to keep the answer under ${MAX_LOG_BYTES_PER_STREAM / 1024} KiB` }
      : { lines: kept, truncated: tail.truncated };
  } catch (err) {
    if (err instanceof NomadApiError && err.isNotFound && /not started/i.test(err.nomadMessage)) {
      return { lines: [], truncated: false, note: NOT_STARTED };
    }
    throw err;
  }
}
