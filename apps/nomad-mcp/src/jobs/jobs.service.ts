import { Inject, Injectable } from '@nestjs/common';
import { AllocationListStub, JobListStub, LogStream, NomadApiError, NomadJob, NomadService } from '@nomad-mcp/nomad';
import { AppConfig, APP_CONFIG } from '../config/env.schema';
import { CreateJobDto } from './dto/create-job.dto';
import { JobLogsRequestDto } from './dto/job-logs.dto';
import { JobRefDto } from './dto/job-ref.dto';
import { ListJobsQueryDto } from './dto/list-jobs-query.dto';
import { JobAction, ManageJobDto, StopJobDto } from './dto/manage-job.dto';
import { buildDockerJob, CREATED_BY_META } from './job-spec.builder';
import {
  AllocationNotFoundException,
  DeploymentInProgressException,
  JobChangedConcurrentlyException,
  JobNotFoundException,
  JobNotManagedException,
  UnknownTaskException,
} from './jobs.errors';
import {
  AllocationCounts,
  CreateJobResult,
  JobActionResult,
  JobListItem,
  JobLogsResult,
  JobStatusResult,
  ListJobsResult,
  LogStreamResult,
  TaskProblem,
} from './dto/job-results.dto';
import {
  allocBrief,
  consequenceRank,
  countBy,
  emptyCounts,
  eventText,
  isFailureEvent,
  latestStarted,
  nsToIso,
  placementFailures,
  plural,
  statusSentence,
} from './job-diagnosis';

const NOT_STARTED = 'task has not started yet; no logs';
/** Upper bound of the log text returned per stream, whatever `lines` asks for. */
export const MAX_LOG_BYTES_PER_STREAM = 256 * 1024;
const ACTIVE_DEPLOYMENT = new Set(['running', 'paused', 'pending', 'initializing', 'blocked', 'unblocking']);

const short = (id: string) => id.slice(0, 8);

/** The Claude-facing job operations; controllers and MCP tools both call these. */
@Injectable()
export class JobsService {
  constructor(
    private readonly nomad: NomadService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private ns(namespace?: string): string {
    return namespace || this.config.defaultNamespace;
  }

  /** GET the job, turning Nomad's 404 into a message that names the job and namespace. */
  private async requireJob(namespace: string, jobId: string): Promise<NomadJob> {
    const job = await this.nomad.findJob(namespace, jobId);
    if (!job) throw new JobNotFoundException(jobId, namespace);
    return job;
  }

  // ------------------------------------------------------------------ list

  async listJobs(query: ListJobsQueryDto): Promise<ListJobsResult> {
    const namespace = this.ns(query.namespace);
    // status comes from a closed enum, so the expression cannot be injected into
    const stubs = await this.nomad.listJobs(namespace, { prefix: query.prefix, filter: query.status ? `Status == "${query.status}"` : undefined });
    const jobs = stubs.map((s) => this.listItem(s));
    const where = namespace === '*' ? 'all namespaces' : `namespace '${namespace}'`;
    const byStatus = countBy(jobs.map((j) => j.status));
    const detail = Object.entries(byStatus).map(([s, n]) => `${n} ${s}`).join(', ');
    return {
      message: jobs.length
        ? `${plural(jobs.length, query.status ? `${query.status} job` : 'job')} in ${where} (${detail}).`
        : `No ${query.status ? `${query.status} ` : ''}jobs in ${where}${query.prefix ? ` with ID prefix '${query.prefix}'` : ''}.`,
      namespace,
      count: jobs.length,
      jobs,
    };
  }

  private listItem(s: JobListStub): JobListItem {
    const allocations = emptyCounts();
    for (const g of Object.values(s.JobSummary?.Summary ?? {})) {
      allocations.running += g.Running;
      allocations.pending += g.Starting;
      allocations.complete += g.Complete;
      allocations.failed += g.Failed;
      allocations.lost += g.Lost;
      allocations.queued += g.Queued;
    }
    return {
      id: s.ID, name: s.Name, namespace: s.Namespace, type: s.Type, status: s.Status, stopped: s.Stop,
      priority: s.Priority, datacenters: s.Datacenters ?? [], allocations, submitted_at: nsToIso(s.SubmitTime),
    };
  }

  // ------------------------------------------------------------------ manage

  manage(dto: ManageJobDto): Promise<JobStatusResult | JobActionResult> {
    switch (dto.action) {
      case JobAction.Status: return this.status(dto);
      case JobAction.Start: return this.start(dto);
      case JobAction.Stop: return this.stop(dto);
      case JobAction.Restart: return this.restart(dto);
    }
  }

  async status(ref: JobRefDto): Promise<JobStatusResult> {
    const namespace = this.ns(ref.namespace);
    const job = await this.requireJob(namespace, ref.job_id);
    const [summary, allocs, evals, deployment] = await Promise.all([
      this.nomad.getJobSummary(namespace, ref.job_id),
      this.nomad.getJobAllocations(namespace, ref.job_id),
      this.nomad.getJobEvaluations(namespace, ref.job_id),
      this.nomad.getJobLatestDeployment(namespace, ref.job_id),
    ]);
    const current = allocs.filter((a) => a.JobVersion === job.Version || a.DesiredStatus === 'run');
    const allocations = emptyCounts();
    for (const a of current) {
      const k = a.ClientStatus as keyof AllocationCounts;
      if (k in allocations) allocations[k]++;
    }
    for (const g of Object.values(summary.Summary ?? {})) allocations.queued += g.Queued;
    const problems = this.problems(current);
    const placement = placementFailures(evals);
    const groups = (job.TaskGroups ?? []).map((g) => ({ name: g.Name, desired: g.Count ?? 1 }));
    const desired = groups.reduce((s, g) => s + g.desired, 0);
    const recent = [...allocs].sort((a, b) => b.CreateIndex - a.CreateIndex).slice(0, 10).map(allocBrief);
    return {
      message: statusSentence(job, allocations, desired, deployment, problems, placement),
      job_id: job.ID, namespace, name: job.Name ?? job.ID, type: job.Type ?? 'service', status: job.Status ?? 'unknown',
      stopped: !!job.Stop, version: job.Version ?? 0, stable: !!job.Stable, submitted_at: nsToIso(job.SubmitTime),
      groups, allocations,
      latest_deployment: deployment
        ? { id: deployment.ID, status: deployment.Status, description: deployment.StatusDescription, version: deployment.JobVersion }
        : null,
      problems, placement_failures: placement, recent_allocations: recent,
    };
  }

  /** Failed task events of allocations that are failing or not yet running, newest first. */
  private problems(allocs: AllocationListStub[]): TaskProblem[] {
    const out: TaskProblem[] = [];
    for (const a of allocs) {
      if (a.ClientStatus === 'running' || a.ClientStatus === 'complete') continue;
      for (const [task, state] of Object.entries(a.TaskStates ?? {})) {
        const bad = (state.Events ?? []).filter(isFailureEvent);
        for (const e of bad.slice(-3)) {
          out.push({ alloc_id: a.ID, task, event: e.Type, message: eventText(e), time: nsToIso(e.Time) });
        }
      }
    }
    // causes (driver failure, exit code) before consequences (not restarting), newest first within each
    return out.sort((x, y) => consequenceRank(x.event) - consequenceRank(y.event) || (y.time ?? '').localeCompare(x.time ?? '')).slice(0, 20);
  }

  async start(ref: JobRefDto): Promise<JobActionResult> {
    const namespace = this.ns(ref.namespace);
    const job = await this.requireJob(namespace, ref.job_id);
    const base = { job_id: job.ID, namespace, action: 'start' };
    if (!job.Stop && job.Status !== 'dead') {
      return { ...base, message: `Job '${job.ID}' is already ${job.Status}; nothing to start.`, eval_id: null, affected_allocations: [], status: job.Status };
    }
    const res = await this.register(namespace, { ...job, Stop: false }, job.JobModifyIndex ?? 0);
    return {
      ...base,
      message: `Started job '${job.ID}': evaluation ${short(res.EvalID)} is placing its allocations.`,
      eval_id: res.EvalID || null, affected_allocations: [], previous_status: job.Status,
    };
  }

  async stop(dto: StopJobDto): Promise<JobActionResult> {
    const namespace = this.ns(dto.namespace);
    const job = await this.requireJob(namespace, dto.job_id);
    const allocs = await this.nomad.getJobAllocations(namespace, dto.job_id);
    const affected = allocs.filter((a) => a.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(a.ClientStatus)).map((a) => a.ID);
    const res = await this.nomad.deregisterJob(namespace, dto.job_id, !!dto.purge);
    const what = dto.purge ? 'Stopped and purged' : 'Stopped';
    return {
      message: `${what} job '${job.ID}': ${plural(affected.length, 'allocation')} will be stopped${res.EvalID ? ` (evaluation ${short(res.EvalID)})` : ''}.${dto.purge ? ' The job is removed from Nomad.' : ' Use start to run it again.'}`,
      job_id: job.ID, namespace, action: 'stop', eval_id: res.EvalID || null, affected_allocations: affected, purged: !!dto.purge,
    };
  }

  /**
   * Restarts the running allocations in place, one after another, as `nomad job restart` does
   * (BEHAVIOUR.md §11). A stopped or dead job is started instead.
   */
  async restart(ref: JobRefDto): Promise<JobActionResult> {
    const namespace = this.ns(ref.namespace);
    const job = await this.requireJob(namespace, ref.job_id);
    if (job.Stop || job.Status === 'dead') {
      const started = await this.start(ref);
      return { ...started, action: 'restart', message: `Job '${job.ID}' was ${job.Stop ? 'stopped' : 'dead'}, so it was started instead of restarted. ${started.message}` };
    }
    const [allocs, deployments] = await Promise.all([
      this.nomad.getJobAllocations(namespace, job.ID),
      this.nomad.getJobDeployments(namespace, job.ID),
    ]);
    const active = deployments.find((d) => ACTIVE_DEPLOYMENT.has(d.Status));
    if (active) throw new DeploymentInProgressException(job.ID, active.ID);
    const targets = allocs.filter((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run' && !a.NextAllocation).sort((a, b) => a.CreateIndex - b.CreateIndex);
    const restarted: string[] = [];
    const failures: Array<{ alloc_id: string; error: string }> = [];
    for (const a of targets) {
      try {
        await this.nomad.restartAllocation(a.ID);
        restarted.push(a.ID);
      } catch (err) {
        if (!(err instanceof NomadApiError)) throw err;
        failures.push({ alloc_id: a.ID, error: err.nomadMessage });
      }
    }
    const skipped = allocs.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus !== 'running' && !a.NextAllocation).map((a) => a.ID);
    let message = targets.length
      ? `Restarted ${plural(restarted.length, 'running allocation')} of job '${job.ID}' one after another (${restarted.map(short).join(', ') || 'none'}).`
      : `Job '${job.ID}' has no running allocations to restart.`;
    if (failures.length) message += ` ${plural(failures.length, 'restart')} failed: ${failures.map((f) => `${short(f.alloc_id)}: ${f.error}`).join('; ')}.`;
    if (skipped.length) message += ` ${plural(skipped.length, 'allocation')} not running were left alone.`;
    return { message, job_id: job.ID, namespace, action: 'restart', eval_id: null, affected_allocations: restarted, failed: failures, skipped_allocations: skipped };
  }

  // ------------------------------------------------------------------ create

  async create(dto: CreateJobDto): Promise<CreateJobResult> {
    const namespace = this.ns(dto.namespace);
    const spec = buildDockerJob(dto, namespace);
    const before = await this.nomad.findJob(namespace, dto.job_id);
    if (before && before.Meta?.[CREATED_BY_META.key] !== CREATED_BY_META.value) throw new JobNotManagedException(dto.job_id, namespace);
    const res = await this.register(namespace, spec, before?.JobModifyIndex ?? 0);
    const after = await this.nomad.findJob(namespace, dto.job_id);
    const version = after?.Version ?? 0;
    const count = spec.TaskGroups?.[0]?.Count ?? 1;
    let message: string;
    if (!before) message = `Created job '${dto.job_id}' in namespace '${namespace}' (version ${version}); evaluation ${short(res.EvalID)} is placing ${plural(count, 'allocation')}.`;
    else if (before.Version === version) message = `Job '${dto.job_id}' already had this spec (version ${version}); Nomad re-evaluated it (evaluation ${short(res.EvalID)}).`;
    else message = `Updated job '${dto.job_id}' in namespace '${namespace}' to version ${version}; evaluation ${short(res.EvalID)} rolls it out.`;
    return {
      message, job_id: dto.job_id, namespace, eval_id: res.EvalID || null, created: !before, version,
      warnings: res.Warnings ? res.Warnings : null,
    };
  }

  /** Registers only if the job is as we read it, so a concurrent change is never overwritten. */
  private async register(namespace: string, job: NomadJob, readJobModifyIndex: number) {
    try {
      return await this.nomad.registerJob(namespace, job, { enforceJobModifyIndex: readJobModifyIndex });
    } catch (err) {
      if (err instanceof NomadApiError && err.isIndexConflict) throw new JobChangedConcurrentlyException(job.ID);
      throw err;
    }
  }

  // ------------------------------------------------------------------ logs

  async logs(req: JobLogsRequestDto): Promise<JobLogsResult> {
    const namespace = this.ns(req.namespace);
    const lines = req.lines ?? 100;
    const allocs = await this.nomad.getJobAllocations(namespace, req.job_id);
    const base = { job_id: req.job_id, namespace };
    if (allocs.length === 0) {
      await this.requireJob(namespace, req.job_id);
      return {
        ...base, alloc_id: null, alloc_name: null, client_status: null, task: null, tasks: [],
        message: `Job '${req.job_id}' has no allocations yet, so there are no logs. Check its status for placement problems.`,
      };
    }
    const chosen = req.alloc_id ? allocs.find((a) => a.ID.startsWith(req.alloc_id!.toLowerCase())) : latestStarted(allocs);
    if (!chosen) throw new AllocationNotFoundException(req.alloc_id!, req.job_id);
    const alloc = await this.nomad.getAllocation(chosen.ID);
    const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
    const tasks = group?.Tasks.map((t) => t.Name) ?? Object.keys(alloc.TaskStates ?? {});
    const task = req.task ?? tasks[0];
    if (!task || !tasks.includes(task)) throw new UnknownTaskException(req.task ?? '', tasks);
    const types: LogStream[] = req.type ? [req.type] : ['stdout', 'stderr'];
    const result: JobLogsResult = {
      ...base, alloc_id: alloc.ID, alloc_name: alloc.Name, client_status: alloc.ClientStatus, task, tasks, message: '',
    };
    const streams = await Promise.all(types.map((type) => this.readStream(alloc.ID, task, type, lines)));
    types.forEach((type, i) => (result[type] = streams[i]));
    const parts = types.map((t) => `${result[t]!.lines.length} ${t}`);
    const notStarted = types.every((t) => result[t]!.note === NOT_STARTED);
    result.message = notStarted
      ? `Task '${task}' of allocation ${short(alloc.ID)} (${alloc.ClientStatus}) has not started yet, so it has no logs.`
      : `Last ${parts.join(' and ')} lines of task '${task}' in allocation ${short(alloc.ID)} (${alloc.Name}, ${alloc.ClientStatus}).`;
    return result;
  }

  private async readStream(allocId: string, task: string, type: LogStream, lines: number): Promise<LogStreamResult> {
    try {
      const tail = await this.nomad.tailLog(allocId, task, type, lines);
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
}
