import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { Namespace } from '../nomad.types';
import { NomadResult } from '../transport/nomad.transport';
import { NomadReadOptions, NomadResource } from './nomad-resource';

/** /v1/namespaces: the list is filtered by Nomad to the namespaces the token can see. */
@Injectable()
export class NomadNamespacesApi extends NomadResource {
  list(opts: NomadReadOptions = {}): Promise<NomadResult<Namespace[]>> {
    return this.getList(nomadPath`namespaces`, { what: 'a list of namespaces', id: 'Name' }, opts);
  }

  get(name: string, opts: NomadReadOptions = {}): Promise<NomadResult<Namespace>> {
    return this.getObject(nomadPath`namespace/${name}`, { what: 'a namespace', id: 'Name' }, opts);
  }
}
