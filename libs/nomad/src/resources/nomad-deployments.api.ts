import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { DeploymentUpdateResponse } from '../nomad-resources.types';
import { AllocationListStub, Deployment } from '../nomad.types';
import { NomadResult } from '../transport/nomad.transport';
import { NomadReadOptions, NomadResource } from './nomad-resource';

const UPDATE = { what: 'a deployment update response', id: 'EvalID' };

/** /v1/deployments and /v1/deployment/…: read, promote canaries, fail, pause. */
@Injectable()
export class NomadDeploymentsApi extends NomadResource {
  list(namespace: string, f: { prefix?: string; filter?: string } = {}, opts: NomadReadOptions = {}): Promise<NomadResult<Deployment[]>> {
    const query = { namespace, prefix: f.prefix || undefined, filter: f.filter || undefined };
    return this.getList(nomadPath`deployments`, { what: 'a list of deployments', id: 'ID' }, { ...opts, query });
  }

  get(deploymentId: string, opts: NomadReadOptions = {}): Promise<NomadResult<Deployment>> {
    return this.getObject(nomadPath`deployment/${deploymentId}`, { what: 'a deployment', id: 'ID' }, opts);
  }

  allocations(deploymentId: string, opts: NomadReadOptions = {}): Promise<NomadResult<AllocationListStub[]>> {
    return this.getList(nomadPath`deployment/allocations/${deploymentId}`, { what: 'a list of allocations', id: 'ID' }, opts);
  }

  /** Promotes the canaries of every group, or only of `groups`. */
  promote(deploymentId: string, groups?: string[]): Promise<DeploymentUpdateResponse> {
    const body = { DeploymentID: deploymentId, All: !groups?.length, Groups: groups?.length ? groups : null };
    return this.write('PUT', nomadPath`deployment/promote/${deploymentId}`, UPDATE, { body });
  }

  /** Marks the deployment failed (and rolls back when the job has auto_revert). */
  fail(deploymentId: string): Promise<DeploymentUpdateResponse> {
    return this.write('PUT', nomadPath`deployment/fail/${deploymentId}`, UPDATE, { body: { DeploymentID: deploymentId } });
  }

  pause(deploymentId: string, pause: boolean): Promise<DeploymentUpdateResponse> {
    return this.write('PUT', nomadPath`deployment/pause/${deploymentId}`, UPDATE, { body: { DeploymentID: deploymentId, Pause: pause } });
  }
}
