import type { JobDiff, TaskDiff, TaskGroupDiff } from './job-diff';

/**
 * scheduler/annotate.go: the plan's diff annotated for people — each group with the scheduler's counts
 * ("create", "in-place update", …), a changed count with "forces create"/"forces destroy", and each changed
 * task with whether it forces a create/destroy or an in-place update.
 */

export interface DesiredUpdates {
  Ignore: number;
  Place: number;
  Migrate: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Canary: number;
  Preemptions: number;
  Disconnect: number;
  Reconnect: number;
  RescheduleNow: number;
  RescheduleLater: number;
}

const UPDATE_NAMES: Array<[keyof DesiredUpdates, string]> = [
  ['Ignore', 'ignore'], ['Place', 'create'], ['Migrate', 'migrate'], ['Stop', 'destroy'], ['Canary', 'canary'],
  ['InPlaceUpdate', 'in-place update'], ['DestructiveUpdate', 'create/destroy update'],
];

export function annotate(diff: JobDiff, desired: Record<string, DesiredUpdates>): void {
  for (const tg of diff.TaskGroups ?? []) annotateGroup(tg, desired[tg.Name]);
}

function annotateGroup(diff: TaskGroupDiff, updates: DesiredUpdates | undefined): void {
  if (updates) {
    diff.Updates = {};
    for (const [k, name] of UPDATE_NAMES) if (updates[k]) diff.Updates[name] = updates[k];
  }
  const count = (diff.Fields ?? []).find((f) => f.Name === 'Count');
  if (count) {
    const [before, after] = [Number(count.Old || 0), Number(count.New || 0)];
    if (before < after) count.Annotations = [...(count.Annotations ?? []), 'forces create'];
    else if (after < before) count.Annotations = [...(count.Annotations ?? []), 'forces destroy'];
  }
  for (const t of diff.Tasks ?? []) annotateTask(t, diff);
}

/**
 * Every change of a task's own fields replaces it, except KillTimeout; of its blocks, services,
 * constraints, affinities, spreads and log settings (but turning logging on or off) update in place.
 */
function annotateTask(diff: TaskDiff, parent: TaskGroupDiff): void {
  if (diff.Type === 'None') return;
  if (parent.Type === 'Added' || parent.Type === 'Deleted') {
    if (diff.Type === 'Added') return void (diff.Annotations = ['forces create']);
    if (diff.Type === 'Deleted') return void (diff.Annotations = ['forces destroy']);
  }
  let destructive = (diff.Fields ?? []).some((f) => f.Name !== 'KillTimeout');
  if (!destructive) {
    for (const o of diff.Objects ?? []) {
      if (['Service', 'Constraint', 'Affinity', 'Spread'].includes(o.Name)) continue;
      if (o.Name === 'LogConfig' && !(o.Fields ?? []).some((f) => f.Name === 'Disabled')) continue;
      destructive = true;
      break;
    }
  }
  diff.Annotations = [...(diff.Annotations ?? []), destructive ? 'forces create/destroy update' : 'forces in-place update'];
}
