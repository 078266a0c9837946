import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { AllocStopResponse } from '../nomad-resources.types';
import { Allocation, AllocationListStub } from '../nomad.types';
import { NomadResult } from '../transport/nomad.transport';
import { NomadReadOptions, NomadResource } from './nomad-resource';

/** /v1/allocations, /v1/allocation/:id and the client's alloc lifecycle (restart, signal). */
@Injectable()
export class NomadAllocationsApi extends NomadResource {
  /** `namespace` may be `*`; `prefix` is an allocation ID prefix; `filter` a Nomad filter expression. */
  list(namespace: string, f: { prefix?: string; filter?: string; taskStates?: boolean } = {}, opts: NomadReadOptions = {}): Promise<NomadResult<AllocationListStub[]>> {
    const query = { namespace, prefix: f.prefix || undefined, filter: f.filter || undefined, task_states: f.taskStates };
    return this.getList(nomadPath`allocations`, { what: 'a list of allocations', id: 'ID' }, { ...opts, query });
  }

  /** One allocation with its Job. Blocking on its index is how `nomad job restart` follows a replacement. */
  get(allocId: string, opts: NomadReadOptions = {}): Promise<NomadResult<Allocation>> {
    return this.getObject(nomadPath`allocation/${allocId}`, { what: 'an allocation', id: 'ID' }, opts);
  }

  /** In-place restart of the allocation's running tasks (or one task), as `nomad alloc restart` does. */
  restart(allocId: string, taskName = ''): Promise<void> {
    return this.writeNoBody('PUT', nomadPath`client/allocation/${allocId}/restart`, { body: { TaskName: taskName } });
  }

  /** Stops the allocation; the scheduler places a replacement for service and batch jobs. */
  stop(allocId: string, noShutdownDelay = false): Promise<AllocStopResponse> {
    const query = { no_shutdown_delay: noShutdownDelay || undefined };
    return this.write('PUT', nomadPath`allocation/${allocId}/stop`, { what: 'an allocation stop response', id: 'EvalID' }, { query });
  }

  /** Sends a signal (e.g. SIGHUP) to the allocation's tasks, or to one task. */
  signal(allocId: string, signal: string, taskName = ''): Promise<void> {
    return this.writeNoBody('PUT', nomadPath`client/allocation/${allocId}/signal`, { body: { Signal: signal, Task: taskName } });
  }
}
