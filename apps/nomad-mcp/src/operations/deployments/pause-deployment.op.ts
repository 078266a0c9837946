import { NomadDeploymentsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { DeploymentPause } from './deployment-pause';
import { DeploymentActionResult, DeploymentChangeDto } from './dto/deployment-actions.dto';

@Operation({
  name: 'pause_deployment',
  title: 'Pause a deployment',
  description:
    'Pause a rollout (like `nomad deployment pause`): Nomad places and replaces nothing more for it until resume_deployment; allocations ' +
    'already running keep running. Use it to look at a rollout before it goes further. Takes a deployment ID or a unique prefix of 8+ hex ' +
    'characters. Fails with 409 for a rollout that has finished. Follow with get_deployment.',
  input: DeploymentChangeDto,
  output: DeploymentActionResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'operate',
  nomadCapability: 'submit-job',
  order: 843,
  rest: { method: 'POST', path: 'deployments/:deployment_id/pause' },
})
export class PauseDeploymentOp implements OperationHandler<DeploymentChangeDto, DeploymentActionResult> {
  private readonly pause: DeploymentPause;

  constructor(deployments: NomadDeploymentsApi, jobs: NomadJobsApi) {
    this.pause = new DeploymentPause(deployments, jobs, true);
  }

  plan(ctx: OperationContext, dto: DeploymentChangeDto): Promise<ChangePlan> {
    return this.pause.plan(ctx, dto);
  }

  run(ctx: OperationContext, dto: DeploymentChangeDto): Promise<DeploymentActionResult> {
    return this.pause.run(ctx, dto);
  }
}
