import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { AllocationListStub, Evaluation } from '../nomad.types';
import { NomadResult } from '../transport/nomad.transport';
import { NomadReadOptions, NomadResource } from './nomad-resource';

/** /v1/evaluations and /v1/evaluation/:id: why something was (not) placed. */
@Injectable()
export class NomadEvaluationsApi extends NomadResource {
  /** `status`: blocked, pending, complete, failed, canceled. */
  list(namespace: string, f: { prefix?: string; filter?: string; status?: string; jobId?: string } = {}, opts: NomadReadOptions = {}): Promise<NomadResult<Evaluation[]>> {
    const query = { namespace, prefix: f.prefix || undefined, filter: f.filter || undefined, status: f.status || undefined, job: f.jobId || undefined };
    return this.getList(nomadPath`evaluations`, { what: 'a list of evaluations', id: 'ID' }, { ...opts, query });
  }

  /** `related`: fills RelatedEvals (the chain of follow-up and blocked evaluations). */
  get(evalId: string, related = false, opts: NomadReadOptions = {}): Promise<NomadResult<Evaluation>> {
    return this.getObject(nomadPath`evaluation/${evalId}`, { what: 'an evaluation', id: 'ID' }, { ...opts, query: { related: related || undefined } });
  }

  allocations(evalId: string, opts: NomadReadOptions = {}): Promise<NomadResult<AllocationListStub[]>> {
    return this.getList(nomadPath`evaluation/${evalId}/allocations`, { what: 'a list of allocations', id: 'ID' }, opts);
  }
}
