import { NomadAllocationsApi, NomadApiError, NomadClientFsApi } from '@nomad-mcp/nomad';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { FollowJobLogsDto, FollowJobLogsResult } from './dto/follow-job-logs.dto';
import { JobAccess } from './job-access';
import { findLogSource } from './log-source';

/** A longer line is cut: one line must not fill a model's context. */
const MAX_LINE_BYTES = 2048;

@Operation({
  name: 'follow_job_logs',
  title: 'Follow job logs',
  description:
    "Follow a job's log live (like `nomad alloc logs -f`): collects the new lines a task writes for up to `seconds` (default 20, max 300) " +
    'or until max_lines (default 100) arrived, from the latest allocation or alloc_id. Sends the lines as they come as MCP progress ' +
    'notifications when the client gives a progress token (REST: Server-Sent Events with Accept: text/event-stream). Read-only. ' +
    'For lines already written use get_job_logs.',
  input: FollowJobLogsDto,
  output: FollowJobLogsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'read-logs',
  order: 710,
  rest: { method: 'GET', path: 'jobs/:job_id/logs/follow', stream: true },
})
export class FollowJobLogsOp implements OperationHandler<FollowJobLogsDto, FollowJobLogsResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly allocations: NomadAllocationsApi,
    private readonly clientFs: NomadClientFsApi,
  ) {}

  async run(ctx: OperationContext, input: FollowJobLogsDto): Promise<FollowJobLogsResult> {
    const namespace = ctx.namespace(input.namespace);
    const type = input.type ?? 'stdout';
    const base = { job_id: input.job_id, namespace, type };
    const source = await findLogSource(this.jobs, this.allocations, namespace, input.job_id, input);
    if (!source) {
      return { ...base, alloc_id: null, task: null, lines: [], ended_by: 'no allocation', message: `Job '${input.job_id}' has no allocations yet, so there is no log to follow; get_job_status says why.` };
    }
    const { alloc, task } = source;
    const max = input.max_lines ?? 100;
    const seconds = input.seconds ?? 20;
    // ends when the time is up, enough lines arrived, or the caller went away
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), seconds * 1000);
    const onCallerGone = () => stop.abort();
    ctx.signal?.addEventListener('abort', onCallerGone, { once: true });
    const lines: string[] = [];
    let endedBy = 'the log ended';
    try {
      const res = await this.clientFs.streamLog(alloc.ID, task, type, { follow: true, bytesFromEnd: 0, signal: stop.signal });
      let partial = '';
      try {
        for await (const chunk of res.stream) {
          const parts = (partial + chunk.toString('utf8')).split('\n');
          partial = parts.pop() ?? '';
          // a line longer than the cap is kept cut; the rest of it is dropped as it arrives
          if (Buffer.byteLength(partial) > MAX_LINE_BYTES) partial = partial.slice(0, MAX_LINE_BYTES);
          const fresh = parts.map(clip).slice(0, max - lines.length);
          if (fresh.length) {
            lines.push(...fresh);
            ctx.progress(fresh.join('\n'), lines.length, max);
          }
          if (lines.length >= max) {
            endedBy = 'max_lines';
            break;
          }
        }
      } finally {
        res.close();
      }
    } catch (err) {
      // a task that never ran (its image cannot be pulled...) has no log: a 404 would send the caller looking for the job
      if (err instanceof NomadApiError && err.isNotFound && /not started/i.test(err.nomadMessage)) {
        return {
          ...base, alloc_id: alloc.ID, task, lines: [], ended_by: 'not started',
          message: `Task '${task}' of allocation ${alloc.ID.slice(0, 8)} (${alloc.ClientStatus}) has not started, so there is no log to follow; get_job_status says why.`,
        };
      }
      if (!stop.signal.aborted || ctx.signal?.aborted) throw err;
    } finally {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onCallerGone);
    }
    if (endedBy !== 'max_lines' && stop.signal.aborted) endedBy = 'seconds';
    const why = { max_lines: `the first ${max} (max_lines)`, seconds: `in ${seconds} s`, 'the log ended': 'before the log ended (the task stopped)' }[endedBy] ?? endedBy;
    return {
      ...base, alloc_id: alloc.ID, task, lines, ended_by: endedBy,
      message: `${lines.length} new ${type} line${lines.length === 1 ? '' : 's'} of task '${task}' in allocation ${alloc.ID.slice(0, 8)} (${alloc.ClientStatus}) ${why}.` +
        (lines.length ? '' : ' The task wrote nothing new meanwhile: get_job_logs shows what it wrote before.'),
    };
  }

  render(r: FollowJobLogsResult): string {
    return r.lines.length ? `${r.message}\n\n${r.lines.join('\n')}` : r.message;
  }
}

function clip(line: string): string {
  return Buffer.byteLength(line) > MAX_LINE_BYTES ? `${Buffer.from(line).subarray(0, MAX_LINE_BYTES).toString('utf8')}…` : line;
}
