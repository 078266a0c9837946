import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { NodeListStub, NomadNode } from '../nomad-resources.types';
import { AllocationListStub } from '../nomad.types';
import { NomadResult } from '../transport/nomad.transport';
import { NomadReadOptions, NomadResource } from './nomad-resource';

/** /v1/nodes and /v1/node/:id: the client nodes, their resources and allocations. */
@Injectable()
export class NomadNodesApi extends NomadResource {
  /** `prefix`: node ID prefix (even-length hex); `resources`: include NodeResources/ReservedResources. */
  list(f: { prefix?: string; filter?: string; resources?: boolean } = {}, opts: NomadReadOptions = {}): Promise<NomadResult<NodeListStub[]>> {
    const query = { prefix: f.prefix || undefined, filter: f.filter || undefined, resources: f.resources || undefined };
    return this.getList(nomadPath`nodes`, { what: 'a list of nodes', id: 'ID' }, { ...opts, query });
  }

  get(nodeId: string, opts: NomadReadOptions = {}): Promise<NomadResult<NomadNode>> {
    return this.getObject(nomadPath`node/${nodeId}`, { what: 'a node', id: 'ID' }, opts);
  }

  allocations(nodeId: string, opts: NomadReadOptions = {}): Promise<NomadResult<AllocationListStub[]>> {
    return this.getList(nomadPath`node/${nodeId}/allocations`, { what: 'a list of allocations', id: 'ID' }, opts);
  }
}
