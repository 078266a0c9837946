import { ConflictException } from '@nestjs/common';
import { AllocationListStub, NomadJob } from '@nomad-mcp/nomad';
import { JobChangeDto } from '../../jobs/dto/manage-job.dto';
import { JobActionResult } from '../../jobs/dto/job-results.dto';
import { plural } from '../../jobs/job-diagnosis';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { JobAccess } from './job-access';

/**
 * How a job that is not running is started again so that Nomad places something. Registering the unchanged spec
 * of a dead job only creates an evaluation, and Nomad's reconciler (scheduler/reconcile*.go) keeps a failed
 * allocation its reschedule policy gave up on in its slot, and counts completed batch work as done:
 * - `register`: stopped (`Stop`), or dead with nothing in the way (no allocation left, or a service's completed
 *   ones, which the evaluation replaces): its spec registered with `Stop: false`. A stop leaves allocations that
 *   had already failed as they were, so a stopped service's `stuck` ones (below) keep their slots: said in the answer.
 * - `force-reschedule`: failed allocations in groups that may reschedule: `nomad job eval -force-reschedule`
 *   replaces them now, whatever attempts their policy has left; no new version (a batch job's completed work
 *   stays done).
 * - `stop-and-register`: a batch job otherwise (its work completed, or failed where its group never
 *   reschedules): stopped and registered again; the ended allocations of an older version are then ignored, so
 *   it runs once more.
 * - `cannot`: a service that failed where its group never reschedules (`stuck`): Nomad keeps those failed
 *   allocations in their slots whatever the job's version (an unchanged task is not replaced), so only a changed
 *   spec or a purge places it again. The start is refused with what to do. (A system job is never dead unless
 *   stopped: Nomad reports it running.)
 */
export type StartPath =
  | { kind: 'running' }
  | { kind: 'register'; stuck: AllocationListStub[] }
  | { kind: 'force-reschedule'; allocations: AllocationListStub[] }
  | { kind: 'stop-and-register'; ended: AllocationListStub[] }
  | { kind: 'cannot'; failed: AllocationListStub[] };

const short = (id: string) => id.slice(0, 8);
const ids = (allocs: AllocationListStub[]) => allocs.map((a) => short(a.ID)).join(', ');

/** The ways a start goes ahead (a start that `cannot` is refused before it is planned). */
type PlaceablePath = Exclude<StartPath, { kind: 'cannot' }>;

/** Whether the group's reschedule policy allows any attempt (Nomad's ReschedulePolicy.Enabled). */
function reschedules(job: NomadJob, group: string): boolean {
  const policy = job.TaskGroups?.find((g) => g.Name === group)?.ReschedulePolicy as { Attempts?: number; Unlimited?: boolean } | null | undefined;
  return !!policy && ((policy.Attempts ?? 0) > 0 || !!policy.Unlimited);
}

const ENDED = new Set(['complete', 'failed', 'lost']);

export function startPath(job: NomadJob, allocations: AllocationListStub[]): StartPath {
  if (!job.Stop && job.Status !== 'dead') return { kind: 'running' };
  // the latest allocation of each slot that Nomad still counts and that has ended (a replaced one, or one the
  // stop marked, no longer counts)
  const ended = allocations.filter((a) => a.DesiredStatus === 'run' && !a.NextAllocation && ENDED.has(a.ClientStatus));
  const failed = ended.filter((a) => a.ClientStatus === 'failed');
  const stuck = failed.filter((a) => !reschedules(job, a.TaskGroup));
  const batch = job.Type === 'batch' || job.Type === 'sysbatch';
  const service = !batch && job.Type !== 'system';
  if (job.Stop) return { kind: 'register', stuck: service ? stuck : [] };
  if (!ended.length) return { kind: 'register', stuck: [] };
  if (batch) return failed.length && !stuck.length ? { kind: 'force-reschedule', allocations: failed } : { kind: 'stop-and-register', ended };
  if (stuck.length && service) return { kind: 'cannot', failed: stuck };
  return failed.length ? { kind: 'force-reschedule', allocations: failed } : { kind: 'register', stuck: [] };
}

/** A dead service whose failed allocations Nomad will not replace: what it would take. */
export class JobCannotStartException extends ConflictException {
  constructor(job: NomadJob, failed: AllocationListStub[], namespace: string) {
    const groups = [...new Set(failed.map((a) => `'${a.TaskGroup}'`))].join(', ');
    const one = failed.length === 1;
    super({
      message:
        `job '${job.ID}' is dead and Nomad will not place it again as it is: its ${plural(failed.length, 'failed allocation')} (${ids(failed)}) ` +
        `${one ? 'belongs' : 'belong'} to group ${groups}, whose reschedule policy allows no attempt, so neither a new evaluation nor nomad job eval -force-reschedule replaces ${one ? 'it' : 'them'}. Nothing was changed.`,
      next_step:
        `Find why it failed (get_job_status and get_job_logs for job '${job.ID}' in namespace '${namespace}'), then register a fixed spec with register_job: a changed task is placed afresh. ` +
        'Or stop it with purge=true and create it again (its version history is lost).',
    });
  }
}

/** The stop of a stop-and-register went through and the register did not: the job is now stopped, say so. */
export class StoppedButNotStartedException extends ConflictException {
  constructor(jobId: string, namespace: string, version: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super({
      message: `job '${jobId}' is now stopped (version ${version}, by this call) but registering it again failed: ${why}`,
      next_step: `Call start_job for job '${jobId}' in namespace '${namespace}' again: a stopped job is registered again.`,
    });
  }
}

/** "2 complete, 1 failed": the ended allocations by how they ended. */
function howEnded(allocs: AllocationListStub[]): string {
  const counts = new Map<string, number>();
  for (const a of allocs) counts.set(a.ClientStatus, (counts.get(a.ClientStatus) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/** What a register leaves as it was: failed allocations Nomad keeps in their slots (their group never reschedules). */
function stuckNote(stuck: AllocationListStub[]): string {
  if (!stuck.length) return '';
  const one = stuck.length === 1;
  return ` ${one ? 'One slot stays' : `${stuck.length} slots stay`} held by ${one ? 'a failed allocation' : 'failed allocations'} (${ids(stuck)}) that Nomad does not replace (${one ? 'its group never reschedules' : 'their groups never reschedule'}): a changed spec (register_job) or a purge places ${one ? 'it' : 'them'} afresh.`;
}

/** What a start would do, for the confirmation (the plan). */
function planSummary(job: NomadJob, path: PlaceablePath): string {
  const version = job.Version ?? 0;
  switch (path.kind) {
    case 'running':
      return `nothing: job '${job.ID}' is already ${job.Status}.`;
    case 'register':
      return `start job '${job.ID}' again (now ${job.Stop ? 'stopped' : 'dead'}): its last spec, version ${version}, is registered again and its allocations are placed.${stuckNote(path.stuck)}`;
    case 'force-reschedule':
      return `start job '${job.ID}' again (now dead): Nomad is asked to reschedule its ${plural(path.allocations.length, 'failed allocation')} (${ids(path.allocations)}) now, past their reschedule policy; no new job version.`;
    case 'stop-and-register':
      return `start job '${job.ID}' again (now dead, its allocations ended: ${howEnded(path.ended)}): Nomad places nothing for its unchanged spec, so it is stopped and registered again (versions ${version + 1} and ${version + 2}) and its allocations are placed afresh.`;
  }
}

@Operation({
  name: 'start_job',
  title: 'Start job',
  description:
    'Start a stopped or dead job again; a running job is left alone and the answer says so. A stopped job gets its last spec registered again. ' +
    'A dead job (every allocation ended) is started the way Nomad places something: failed allocations are rescheduled now (nomad job eval -force-reschedule); ' +
    'a batch job whose work ended otherwise is stopped and registered again (a completed batch job runs once more). A dead service that failed where its group never reschedules is refused (409) with what it would take. ' +
    'Returns the evaluation ID that places its allocations. Follow with get_job_status to watch it come up.',
  input: JobChangeDto,
  output: JobActionResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'operate',
  nomadCapability: 'submit-job',
  order: 300,
  rest: { method: 'POST', path: 'jobs/:job_id/start' },
})
export class StartJobOp implements OperationHandler<JobChangeDto, JobActionResult> {
  constructor(private readonly jobs: JobAccess) {}

  async plan(ctx: OperationContext, ref: JobChangeDto): Promise<ChangePlan> {
    const { job, path } = await this.target(ctx, ref);
    return {
      summary: planSummary(job, path),
      destructive: false,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, namespace: ctx.namespace(ref.namespace), status: job.Status ?? null, version: job.Version ?? null, how: path.kind },
    };
  }

  async run(ctx: OperationContext, ref: JobChangeDto): Promise<JobActionResult> {
    const namespace = ctx.namespace(ref.namespace);
    const { job, path } = await this.target(ctx, ref);
    const base = { job_id: job.ID, namespace, action: 'start' };
    const watch = 'Follow with get_job_status to watch it come up.';
    switch (path.kind) {
      case 'running':
        return { ...base, message: `Job '${job.ID}' is already ${job.Status}; nothing to start.`, eval_id: null, affected_allocations: [], status: job.Status };
      case 'register': {
        const res = await this.jobs.register(namespace, { ...job, Stop: false }, job.JobModifyIndex ?? 0);
        return {
          ...base, message: `Started job '${job.ID}': evaluation ${short(res.EvalID)} is placing its allocations.${stuckNote(path.stuck)} ${watch}`,
          eval_id: res.EvalID || null, affected_allocations: [], previous_status: job.Status,
        };
      }
      case 'force-reschedule': {
        const res = await this.jobs.api.evaluate(namespace, job.ID, true);
        const n = plural(path.allocations.length, 'failed allocation');
        return {
          ...base,
          message: `Started job '${job.ID}' again: Nomad reschedules its ${n} (${ids(path.allocations)}) now, past their reschedule policy (evaluation ${short(res.EvalID)}). ${watch}`,
          eval_id: res.EvalID || null, affected_allocations: path.allocations.map((a) => a.ID), previous_status: job.Status,
        };
      }
      case 'stop-and-register': {
        // the stop makes a new version, and the register after it another: Nomad then ignores the ended
        // allocations of the older versions and places every slot again
        const stopped = await this.jobs.api.deregister(namespace, job.ID, false);
        const res = await this.jobs.register(namespace, { ...job, Stop: false }, stopped.JobModifyIndex).catch((err: unknown) => {
          throw new StoppedButNotStartedException(job.ID, namespace, (job.Version ?? 0) + 1, err);
        });
        return {
          ...base,
          message:
            `Started job '${job.ID}' again: it was dead (${howEnded(path.ended)}) and Nomad places nothing for an unchanged spec, so it was stopped and registered again; ` +
            `evaluation ${short(res.EvalID)} is placing its allocations. ${watch}`,
          eval_id: res.EvalID || null, affected_allocations: [], previous_status: job.Status,
        };
      }
    }
  }

  /** The job, and how it is started (its allocations are read only when it is dead). */
  private async target(ctx: OperationContext, ref: JobChangeDto): Promise<{ job: NomadJob; path: PlaceablePath }> {
    const namespace = ctx.namespace(ref.namespace);
    const job = await this.jobs.requireJob(namespace, ref.job_id);
    // a running job needs none of its allocations read
    const allocations = job.Stop || job.Status === 'dead' ? (await this.jobs.api.allocations(namespace, job.ID)).body : [];
    const path = startPath(job, allocations);
    if (path.kind === 'cannot') throw new JobCannotStartException(job, path.failed, namespace);
    return { job, path };
  }
}
