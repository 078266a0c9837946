import { Deployment, NomadDeploymentsApi, NomadJob, NomadJobsApi } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { shortId } from '../core/render';
import { deploymentConflict, deploymentLabel, findDeployment, progress } from './deployment-target';
import { DeploymentActionResult, DeploymentChangeDto } from './dto/deployment-actions.dto';

const canaryWords = (n: number) => `${n} unpromoted ${n === 1 ? 'canary stops' : 'canaries stop'}`;

@Operation({
  name: 'fail_deployment',
  title: 'Fail a deployment',
  description:
    'Mark a rollout failed (like `nomad deployment fail`): it stops where it is and its unpromoted canaries stop; when its groups have ' +
    "auto_revert, Nomad rolls the job back to its last stable version, replacing the new version's allocations. Use it on a bad rollout " +
    '(canaries that misbehave, a rollout that hangs). Takes a deployment ID or a unique prefix of 8+ hex characters. Destructive: confirm ' +
    'with the user. A rollout already failed is left as it is. Follow with get_job_status.',
  input: DeploymentChangeDto,
  output: DeploymentActionResult,
  annotations: { readOnly: false, destructive: true, idempotent: true },
  permission: 'operate',
  nomadCapability: 'submit-job',
  order: 842,
  rest: { method: 'POST', path: 'deployments/:deployment_id/fail' },
})
export class FailDeploymentOp implements OperationHandler<DeploymentChangeDto, DeploymentActionResult> {
  constructor(
    private readonly deployments: NomadDeploymentsApi,
    private readonly jobs: NomadJobsApi,
  ) {}

  async plan(ctx: OperationContext, dto: DeploymentChangeDto): Promise<ChangePlan> {
    const d = await findDeployment(ctx, this.deployments, dto.deployment_id);
    const job = (await this.jobs.find(d.Namespace, d.JobID))?.body;
    const base = { modify_index: job?.JobModifyIndex ?? null, details: { deployment_id: d.ID, job_id: d.JobID, namespace: d.Namespace, status: d.Status } };
    if (d.Status === 'failed') return { ...base, summary: `nothing: ${deploymentLabel(d)} has already failed.`, destructive: false };
    const canaries = unpromotedCanaries(d);
    const stable = autoReverts(d) && job ? await this.lastStable(d) : undefined;
    const then = !autoReverts(d)
      ? `the job stays at version ${d.JobVersion}, with the allocations it has now (no auto_revert; revert_job rolls back)`
      : stable
        ? `Nomad rolls job '${d.JobID}' back to version ${stable.Version}, its last stable version, as a new version: the allocations of version ${d.JobVersion} are replaced`
        : `auto_revert is set, but job '${d.JobID}' has no stable version to roll back to: it stays at version ${d.JobVersion}`;
    return {
      ...base,
      summary: `mark ${deploymentLabel(d)} failed (now ${d.Status}${progress(d) ? `: ${progress(d)}` : ''}): the rollout stops where it is` +
        `${canaries ? `, its ${canaryWords(canaries)}` : ''}, and ${then}.`,
      destructive: true,
      details: { ...base.details, unpromoted_canaries: canaries, auto_revert: autoReverts(d), rollback_to_version: stable?.Version ?? null },
    };
  }

  async run(ctx: OperationContext, dto: DeploymentChangeDto): Promise<DeploymentActionResult> {
    const d = await findDeployment(ctx, this.deployments, dto.deployment_id);
    const base = { deployment_id: d.ID, namespace: d.Namespace, job_id: d.JobID, job_version: d.JobVersion, action: 'fail', status: 'failed', promoted_groups: [] };
    if (d.Status === 'failed') {
      return { ...base, eval_id: null, reverted_to_version: null, message: `${deploymentLabel(d)} has already failed (${d.StatusDescription}); nothing changed. Follow with get_job_status for job '${d.JobID}'.` };
    }
    const res = await this.deployments.fail(d.ID).catch((err) => {
      throw deploymentConflict(err, d, 'failed');
    });
    const reverted = res.RevertedJobVersion ?? null;
    const evaluation = res.EvalID ? ` (evaluation ${shortId(res.EvalID)})` : '';
    const then = reverted !== null
      ? `Nomad rolls the job back to version ${reverted}, its last stable version, as a new version${evaluation}`
      : `the job stays at version ${d.JobVersion}${autoReverts(d) ? ' (no stable version to roll back to)' : ' (no auto_revert)'}: revert_job rolls it back`;
    return {
      ...base, eval_id: res.EvalID || null, reverted_to_version: reverted,
      message: `Marked ${deploymentLabel(d)} failed; ${then}. Follow with get_job_status for job '${d.JobID}'.`,
    };
  }

  /** The version Nomad's watcher rolls back to: the newest stable one. */
  private async lastStable(d: Deployment): Promise<NomadJob | undefined> {
    const versions = (await this.jobs.versions(d.Namespace, d.JobID)).body.Versions;
    return versions.find((v) => v.Stable);
  }
}

const autoReverts = (d: Deployment) => Object.values(d.TaskGroups ?? {}).some((g) => g.AutoRevert);

function unpromotedCanaries(d: Deployment): number {
  return Object.values(d.TaskGroups ?? {}).filter((g) => !g.Promoted).reduce((n, g) => n + (g.PlacedCanaries?.length ?? 0), 0);
}
