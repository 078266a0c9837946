import type { Allocation, Task } from './types';

/** Facts about an allocation that the scheduler, the client and the routes all ask. */

const TERMINAL_CLIENT = new Set(['complete', 'failed', 'lost']);

/** BEHAVIOUR.md §10: terminal when told to stop/evict or when the client reports it finished. */
export const allocTerminal = (a: Allocation) =>
  a.DesiredStatus === 'stop' || a.DesiredStatus === 'evict' || TERMINAL_CLIENT.has(a.ClientStatus);

/** The slot n of an allocation named `<job>.<group>[n]`. */
export function allocSlot(a: Allocation): number {
  const m = /\[(\d+)\]$/.exec(a.Name);
  return m ? Number(m[1]) : 0;
}

/** The tasks of the allocation's group, in the job version it was placed with. */
export function tasksOf(a: Allocation): Task[] {
  return a.Job.TaskGroups.find((g) => g.Name === a.TaskGroup)!.Tasks;
}
