import { Deployment, NomadDeploymentsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { plural } from '../../jobs/job-diagnosis';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { shortId } from '../core/render';
import { chosenGroups, deploymentConflict, deploymentLabel, findDeployment, jobModifyIndex, progress } from './deployment-target';
import { DeploymentActionResult, PromoteDeploymentDto } from './dto/deployment-actions.dto';

const groupWords = (groups: string[]) => `${groups.length === 1 ? 'group' : 'groups'} ${groups.map((g) => `'${g}'`).join(', ')}`;

@Operation({
  name: 'promote_deployment',
  title: 'Promote a deployment',
  description:
    "Promote the canaries of a rollout (like `nomad deployment promote`): once they are healthy, Nomad replaces the job's remaining older " +
    'allocations with the new version. Give groups to promote only those; left out, every group. Takes a deployment ID or a unique prefix of ' +
    '8+ hex characters (get_job_status shows the latest deployment; "requires manual promotion" says it waits). Fails with 409 while a canary ' +
    'is not healthy yet, or for a rollout without canaries. Follow with get_deployment to watch the rollout.',
  input: PromoteDeploymentDto,
  output: DeploymentActionResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'operate',
  nomadCapability: 'submit-job',
  order: 841,
  rest: { method: 'POST', path: 'deployments/:deployment_id/promote' },
})
export class PromoteDeploymentOp implements OperationHandler<PromoteDeploymentDto, DeploymentActionResult> {
  constructor(
    private readonly deployments: NomadDeploymentsApi,
    private readonly jobs: NomadJobsApi,
  ) {}

  async plan(ctx: OperationContext, dto: PromoteDeploymentDto): Promise<ChangePlan> {
    const { d, groups, done } = await this.target(ctx, dto);
    const canaries = groups.some((g) => (d.TaskGroups?.[g]?.DesiredCanaries ?? 0) > 0);
    return {
      summary: done
        ? `nothing: the canaries of ${groupWords(groups)} of ${deploymentLabel(d)} were already promoted.`
        : !canaries
          ? `nothing to promote: ${groupWords(groups)} of ${deploymentLabel(d)} roll out without canaries (${progress(d)}).`
          : `promote the canaries of ${groupWords(groups)} of ${deploymentLabel(d)} (${progress(d)}): Nomad then replaces ` +
            `${plural(remaining(d, groups), 'older allocation')} with version ${d.JobVersion}.`,
      destructive: false,
      modify_index: await jobModifyIndex(this.jobs, d),
      details: { deployment_id: d.ID, job_id: d.JobID, namespace: d.Namespace, groups, status: d.Status },
    };
  }

  async run(ctx: OperationContext, dto: PromoteDeploymentDto): Promise<DeploymentActionResult> {
    const { d, groups, done } = await this.target(ctx, dto);
    const base = { deployment_id: d.ID, namespace: d.Namespace, job_id: d.JobID, job_version: d.JobVersion, action: 'promote', promoted_groups: groups, reverted_to_version: null };
    if (done) {
      return { ...base, status: d.Status, eval_id: null, message: `The canaries of ${groupWords(groups)} of ${deploymentLabel(d)} were already promoted; nothing changed. It is ${d.Status}: follow with get_deployment.` };
    }
    const res = await this.deployments.promote(d.ID, dto.groups).catch((err) => {
      throw deploymentConflict(err, d, 'promoted');
    });
    return {
      ...base, status: d.Status, eval_id: res.EvalID || null,
      message: `Promoted the canaries of ${groupWords(groups)} of ${deploymentLabel(d)}: Nomad now replaces ${plural(remaining(d, groups), 'older allocation')} ` +
        `with version ${d.JobVersion}${res.EvalID ? ` (evaluation ${shortId(res.EvalID)})` : ''}. Follow with get_deployment to watch the rollout.`,
    };
  }

  /** The groups to promote (those asked for, else those with canaries, else all), and whether each was promoted already. */
  private async target(ctx: OperationContext, dto: PromoteDeploymentDto) {
    const d = await findDeployment(ctx, this.deployments, dto.deployment_id);
    const all = Object.entries(d.TaskGroups ?? {});
    const asked = chosenGroups(d, dto.groups);
    const withCanaries = all.filter(([, g]) => (g.DesiredCanaries ?? 0) > 0).map(([name]) => name);
    const groups = asked ?? (withCanaries.length ? withCanaries : all.map(([name]) => name));
    // promoted before, and the rollout still on or finished well: what was asked holds already
    const promoted = groups.filter((g) => (d.TaskGroups?.[g]?.DesiredCanaries ?? 0) > 0);
    const done = promoted.length > 0 && promoted.length === groups.length && promoted.every((g) => d.TaskGroups![g].Promoted) && ['running', 'paused', 'successful'].includes(d.Status);
    return { d, groups, done };
  }
}

/** The group's allocations that the promotion leaves to replace: all but its canaries. */
function remaining(d: Deployment, groups: string[]): number {
  return groups.reduce((n, g) => n + Math.max(0, (d.TaskGroups?.[g]?.DesiredTotal ?? 0) - (d.TaskGroups?.[g]?.DesiredCanaries ?? 0)), 0);
}
