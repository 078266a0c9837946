import { NomadDeploymentsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { ChangePlan, OperationContext } from '../core/operation';
import { shortId } from '../core/render';
import { deploymentConflict, deploymentLabel, findDeployment, jobModifyIndex, progress } from './deployment-target';
import { DeploymentActionResult, DeploymentChangeDto } from './dto/deployment-actions.dto';

/**
 * pause_deployment and resume_deployment: one Nomad call (/v1/deployment/pause/:id with Pause true or false),
 * two operations. A rollout already in the state asked for is left as it is (no call).
 */
export class DeploymentPause {
  constructor(
    private readonly deployments: NomadDeploymentsApi,
    private readonly jobs: NomadJobsApi,
    private readonly pause: boolean,
  ) {}

  private get target() {
    return this.pause ? 'paused' : 'running';
  }

  async plan(ctx: OperationContext, dto: DeploymentChangeDto): Promise<ChangePlan> {
    const d = await findDeployment(ctx, this.deployments, dto.deployment_id);
    const where = `now ${d.Status}${progress(d) ? `: ${progress(d)}` : ''}`;
    return {
      summary: d.Status === this.target
        ? `nothing: ${deploymentLabel(d)} is already ${this.target}.`
        : this.pause
          ? `pause ${deploymentLabel(d)} (${where}): Nomad places and replaces nothing more for it until it is resumed; allocations already running keep running.`
          : `resume ${deploymentLabel(d)} (${where}): Nomad carries the rollout on from where it stopped.`,
      destructive: false,
      modify_index: await jobModifyIndex(this.jobs, d),
      details: { deployment_id: d.ID, job_id: d.JobID, namespace: d.Namespace, status: d.Status },
    };
  }

  async run(ctx: OperationContext, dto: DeploymentChangeDto): Promise<DeploymentActionResult> {
    const d = await findDeployment(ctx, this.deployments, dto.deployment_id);
    const action = this.pause ? 'pause' : 'resume';
    const base = { deployment_id: d.ID, namespace: d.Namespace, job_id: d.JobID, job_version: d.JobVersion, action, promoted_groups: [], reverted_to_version: null };
    if (d.Status === this.target) {
      return { ...base, status: d.Status, eval_id: null, message: `${deploymentLabel(d)} is already ${this.target}; nothing changed. Follow with get_deployment.` };
    }
    const res = await this.deployments.pause(d.ID, this.pause).catch((err) => {
      throw deploymentConflict(err, d, this.pause ? 'paused' : 'resumed');
    });
    return {
      ...base, status: this.target, eval_id: res.EvalID || null,
      message: this.pause
        ? `Paused ${deploymentLabel(d)}: Nomad places and replaces nothing more for it until resume_deployment. Follow with get_deployment.`
        : `Resumed ${deploymentLabel(d)}: Nomad carries the rollout on${res.EvalID ? ` (evaluation ${shortId(res.EvalID)})` : ''}. Follow with get_deployment.`,
    };
  }
}
