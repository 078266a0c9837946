import { NomadDeploymentsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { DeploymentPause } from './deployment-pause';
import { DeploymentActionResult, DeploymentChangeDto } from './dto/deployment-actions.dto';

@Operation({
  name: 'resume_deployment',
  title: 'Resume a deployment',
  description:
    'Resume a paused rollout (like `nomad deployment resume`): Nomad carries it on from where it stopped. Takes a deployment ID or a unique ' +
    'prefix of 8+ hex characters. A rollout that is running already is left as it is; one that has finished fails with 409. ' +
    'Follow with get_deployment.',
  input: DeploymentChangeDto,
  output: DeploymentActionResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'operate',
  nomadCapability: 'submit-job',
  order: 844,
  rest: { method: 'POST', path: 'deployments/:deployment_id/resume' },
})
export class ResumeDeploymentOp implements OperationHandler<DeploymentChangeDto, DeploymentActionResult> {
  private readonly resume: DeploymentPause;

  constructor(deployments: NomadDeploymentsApi, jobs: NomadJobsApi) {
    this.resume = new DeploymentPause(deployments, jobs, false);
  }

  plan(ctx: OperationContext, dto: DeploymentChangeDto): Promise<ChangePlan> {
    return this.resume.plan(ctx, dto);
  }

  run(ctx: OperationContext, dto: DeploymentChangeDto): Promise<DeploymentActionResult> {
    return this.resume.run(ctx, dto);
  }
}
