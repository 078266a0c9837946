import { JobRegisterResponse, NomadEvaluationsApi } from '@nomad-mcp/nomad';
import { CreateJobDto } from '../../jobs/dto/create-job.dto';
import { CreateJobResult, PlacementFailure } from '../../jobs/dto/job-results.dto';
import { placementText, plural } from '../../jobs/job-diagnosis';
import { buildDockerJob, CREATED_BY_META } from '../../jobs/job-spec.builder';
import { JobNotManagedException, JobTypeChangeException } from '../../jobs/jobs.errors';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { specChanges } from '../../jobs/job-spec.diff';
import { diffLines } from '../../jobs/nomad-diff.render';
import { groupPlan, groupWords, isRolling, warningLines } from './job-planner';
import { JobAccess } from './job-access';
import { PlacementExplainer } from './placement';
import { settleEvaluation } from './evaluation-settle';


@Operation({
  name: 'create_job',
  title: 'Create or update job',
  description:
    'Create (or update) a Docker job from a short spec: job_id, docker_image, and optionally type, count, cpu (MHz), memory (MB), ports and env_vars. ' +
    'Ports use {"Label":"http","Value":0,"To":80}: Value 0 = dynamic host port, Value > 0 = static host port, To = container port. ' +
    'Calling it again for a job_id it created updates that job to a new version; jobs created any other way are refused (409) so their specs are never replaced. ' +
    'Returns the evaluation ID, whether the job is new, and its version; when Nomad cannot place it, says why (what was asked, what the best node has).',
  input: CreateJobDto,
  output: CreateJobResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'write',
  nomadCapability: 'submit-job',
  order: 600,
  rest: { method: 'POST', path: 'create-job', status: (r: CreateJobResult) => (r.created ? 201 : 200) },
})
export class CreateJobOp implements OperationHandler<CreateJobDto, CreateJobResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly placement: PlacementExplainer,
    private readonly evaluations: NomadEvaluationsApi,
  ) {}

  /**
   * Creating a job replaces nothing; updating one does (Nomad rolls its allocations to the new spec): the plan
   * lists the changed fields and Nomad's own plan per group (place, stop, update in place or destructively).
   */
  async plan(ctx: OperationContext, dto: CreateJobDto): Promise<ChangePlan> {
    const { namespace, spec, before } = await this.target(ctx, dto);
    const nomadPlan = await this.jobs.api.plan(namespace, spec, true);
    // Nomad's own diff when it gave one (the fields it compares), else the fields create_job manages
    const fromNomad = diffLines(nomadPlan.Diff, 12);
    const plans = Object.entries(nomadPlan.Annotations?.DesiredTGUpdates ?? {}).map(([group, u]) => groupPlan(group, u));
    const groups = plans.map((g) => groupWords(g, isRolling(plans, fromNomad)));
    const task = spec.TaskGroups![0];
    const changes = before ? (fromNomad.length ? fromNomad : specChanges(before, spec)) : [];
    const summary = before
      ? `update job '${dto.job_id}' (version ${before.Version ?? 0}) in namespace '${namespace}': ${changes.length ? changes.join('; ') : 'no field changes (Nomad re-evaluates it)'}. Nomad's plan: ${groups.join('; ') || 'nothing to do'}.`
      : `create job '${dto.job_id}' in namespace '${namespace}': ${plural(task.Count ?? 1, 'allocation')} of ${dto.docker_image}. Nomad's plan: ${groups.join('; ') || 'nothing to place'}.`;
    return {
      summary: nomadPlan.Warnings ? `${summary} Warnings: ${warningLines(nomadPlan.Warnings).join(' ')}` : summary,
      destructive: !!before,
      modify_index: before ? (before.JobModifyIndex ?? null) : null,
      details: { job_id: dto.job_id, namespace, created: !before, changes, groups: nomadPlan.Annotations?.DesiredTGUpdates ?? null },
    };
  }

  async run(ctx: OperationContext, dto: CreateJobDto): Promise<CreateJobResult> {
    const { namespace, spec, before } = await this.target(ctx, dto);
    const res = await this.jobs.register(namespace, spec, before?.JobModifyIndex ?? 0);
    const settled = await settleEvaluation(this.evaluations, res.EvalID);
    // the version follows from the answer, without reading the job again: Nomad keeps the version (and answers
    // the old JobModifyIndex) when the spec did not change, else adds one; the register enforced the index it replaced
    const version = !before ? 0 : res.JobModifyIndex === before.JobModifyIndex ? (before.Version ?? 0) : (before.Version ?? 0) + 1;
    const placement = settled ? await this.placement.explain(spec, settled) : [];
    const evalStatus = settled ? settled[0].Status : res.EvalID ? 'pending' : null;
    return {
      message: this.sentence(dto, namespace, before?.Version, version, res, placement),
      job_id: dto.job_id, namespace, eval_id: res.EvalID || null, created: !before, version,
      warnings: res.Warnings ? res.Warnings : null, eval_status: evalStatus, placement_failures: placement,
    };
  }

  /** The job to register and the one it replaces, if any; a job create_job did not make is never replaced. */
  private async target(ctx: OperationContext, dto: CreateJobDto) {
    const namespace = ctx.namespace(dto.namespace);
    const spec = buildDockerJob(dto, namespace);
    const before = (await this.jobs.api.find(namespace, dto.job_id))?.body;
    if (before && before.Meta?.[CREATED_BY_META.key] !== CREATED_BY_META.value) throw new JobNotManagedException(dto.job_id, namespace);
    if (before?.Type && spec.Type && before.Type !== spec.Type) throw new JobTypeChangeException(dto.job_id, before.Type, spec.Type);
    return { namespace, spec, before };
  }

  private sentence(dto: CreateJobDto, namespace: string, beforeVersion: number | undefined, version: number, res: JobRegisterResponse, placement: PlacementFailure[]): string {
    const ev = `evaluation ${res.EvalID.slice(0, 8)}`;
    const count = dto.count ?? 1;
    let sentence: string;
    if (beforeVersion === undefined) sentence = `Created job '${dto.job_id}' in namespace '${namespace}' (version ${version})${placement.length ? `, but ${ev} could not place it` : `; ${ev} is placing ${plural(count, 'allocation')}`}.`;
    else if (beforeVersion === version) sentence = `Job '${dto.job_id}' already had this spec (version ${version}); Nomad re-evaluated it (${ev}).`;
    else sentence = `Updated job '${dto.job_id}' in namespace '${namespace}' to version ${version}; ${ev} rolls it out.`;
    if (placement.length) {
      sentence += ` ${placementText(placement, 'Cannot place')}.` +
        ' The allocations wait until a node fits them: lower cpu/memory or count, or add capacity.';
    }
    return sentence;
  }
}
