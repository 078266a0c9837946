import { NomadDeploymentsApi } from '@nomad-mcp/nomad';
import { nsToIso } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { presentFields, table } from '../core/render';
import { findDeployment } from './deployment-target';
import { deploymentGroups, deploymentSentence } from './deployment-view';
import { DeploymentRefDto, DeploymentResult } from './dto/deployment.dto';

@Operation({
  name: 'get_deployment',
  title: 'Get a deployment',
  description:
    'Follow one rollout: its status and, per task group, desired, placed, healthy and unhealthy allocations, canaries (placed, promoted) ' +
    'and the progress deadline. Takes a deployment ID or a unique prefix of 8+ hex characters. Read-only. ' +
    'Fails with "not found" for an unknown ID: call list_deployments for the job.',
  input: DeploymentRefDto,
  output: DeploymentResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 840,
  rest: { method: 'GET', path: 'deployments/:deployment_id' },
})
export class GetDeploymentOp implements OperationHandler<DeploymentRefDto, DeploymentResult> {
  constructor(private readonly deployments: NomadDeploymentsApi) {}

  async run(ctx: OperationContext, input: DeploymentRefDto): Promise<DeploymentResult> {
    const d = await findDeployment(ctx, this.deployments, input.deployment_id);
    const groups = deploymentGroups(d);
    return {
      message: deploymentSentence(d, groups),
      deployment_id: d.ID, namespace: d.Namespace, job_id: d.JobID, job_version: d.JobVersion, status: d.Status,
      status_description: d.StatusDescription ?? '', created_at: nsToIso(d.CreateTime), modified_at: nsToIso(d.ModifyTime), groups,
    };
  }

  render(r: DeploymentResult): string {
    const rows = r.groups.map((g) => ({ ...g, canaries: g.desired_canaries ? `${g.placed_canaries}/${g.desired_canaries}` : '-', deadline: g.progress_deadline }));
    const facts = presentFields({ job: `${r.job_id} version ${r.job_version}, namespace ${r.namespace}`, created_at: r.created_at, modified_at: r.modified_at });
    return `${r.message}\n\n${facts}\n\n${table(rows, ['group', 'desired', 'placed', 'healthy', 'unhealthy', 'canaries', 'promoted', 'auto_revert', 'deadline'])}`;
  }
}
