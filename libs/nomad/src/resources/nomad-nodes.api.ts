import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { NodeListStub, NodeUpdateResponse, NomadNode } from '../nomad-resources.types';
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

  /**
   * Sets or updates the node's drain (`deadlineNs`: -1 stops everything now, 0 has no deadline), or with `null`
   * cancels it; `markEligible` then makes the node eligible again (as `nomad node drain -disable` does).
   * Needs node:write.
   */
  drain(nodeId: string, spec: { deadlineNs: number; ignoreSystemJobs: boolean } | null, opts: { markEligible?: boolean; meta?: Record<string, string> } = {}): Promise<NodeUpdateResponse> {
    const body = {
      DrainSpec: spec ? { Deadline: spec.deadlineNs, IgnoreSystemJobs: spec.ignoreSystemJobs } : null,
      MarkEligible: !!opts.markEligible, Meta: opts.meta ?? null,
    };
    return this.write('PUT', nomadPath`node/${nodeId}/drain`, { what: 'a node drain response' }, { body });
  }

  /** Marks the node eligible or ineligible for new allocations (its allocations keep running). Needs node:write. */
  setEligibility(nodeId: string, eligible: boolean): Promise<NodeUpdateResponse> {
    const body = { NodeID: nodeId, Eligibility: eligible ? 'eligible' : 'ineligible' };
    return this.write('PUT', nomadPath`node/${nodeId}/eligibility`, { what: 'a node eligibility response' }, { body });
  }
}
