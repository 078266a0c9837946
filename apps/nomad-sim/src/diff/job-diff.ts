import type { Job, Task, TaskGroup } from '../state/types';
import { field } from '../wire';
import {
  deepEqual, DiffType, FieldDiff, fieldDiffs, ObjectDiff, orNull, primitiveObjectDiff, primitiveObjectSetDiff, stringSetDiff,
} from './diff-primitives';
import { flattenPrimitives, goString, SHAPES } from './flatten';
import {
  artifactDiffs, configDiff, disconnectDiff, namedObjectsDiff, networkResourceDiffs, parameterizedJobDiff, periodicDiff, rawObjectDiff,
  resourcesDiff, scalingDiff, serviceDiffs, templateDiffs,
} from './object-diffs';

/**
 * Job.Diff of nomad/structs/diff.go: what differs between two versions of a job (or a job and nothing),
 * as Nomad's plan and versions endpoints answer it. `contextual` (what both endpoints use) keeps the
 * unchanged fields of a changed block as None fields, so a reader sees the block whole.
 */

export interface TaskDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  Annotations: string[] | null;
}

export interface TaskGroupDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  Tasks: TaskDiff[] | null;
  /** Filled in by the plan's annotations: "create", "destroy", "in-place update", … → count. */
  Updates: Record<string, number> | null;
}

export interface JobDiff {
  Type: DiffType;
  ID: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  TaskGroups: TaskGroupDiff[] | null;
}

/** Fields that change on every write, so never part of a diff. */
const JOB_FILTER = ['ID', 'Status', 'StatusDescription', 'Version', 'Stable', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex', 'Update', 'SubmitTime', 'NomadTokenID', 'VaultToken'];

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const constraintKey = (c: unknown) => `${field(c, 'LTarget') ?? ''} ${field(c, 'Operand') ?? ''} ${field(c, 'RTarget') ?? ''}`;
const affinityKey = (a: unknown) => `${constraintKey(a)} ${field(a, 'Weight') ?? 0}`;

function constraintsAndAffinities(old: unknown, now: unknown, contextual: boolean): ObjectDiff[] {
  return [
    ...primitiveObjectSetDiff(list(field(old, 'Constraints')), list(field(now, 'Constraints')), SHAPES.Constraint, ['str'], 'Constraint', contextual, constraintKey),
    ...primitiveObjectSetDiff(list(field(old, 'Affinities')), list(field(now, 'Affinities')), SHAPES.Affinity, ['str'], 'Affinity', contextual, affinityKey),
  ];
}

/** The diff of `old` to `now`; either may be absent (a new or a removed job). */
export function jobDiff(old: Job | null | undefined, now: Job | null | undefined, contextual: boolean): JobDiff {
  let type: DiffType = 'None';
  if (!old && !now) return { Type: 'None', ID: '', Fields: null, Objects: null, TaskGroups: null };
  if (!old) type = 'Added';
  else if (!now) type = 'Deleted';
  const id = (now ?? old)!.ID;
  const fields = fieldDiffs(old ? flattenPrimitives(old, SHAPES.Job, JOB_FILTER) : null, now ? flattenPrimitives(now, SHAPES.Job, JOB_FILTER) : null, false);
  const objects: ObjectDiff[] = [];
  const dcs = stringSetDiff(old?.Datacenters, now?.Datacenters, 'Datacenters', contextual);
  if (dcs && dcs.Type !== 'None') objects.push(dcs);
  objects.push(...constraintsAndAffinities(old, now, contextual));
  const groups = taskGroupDiffs(old?.TaskGroups ?? [], now?.TaskGroups ?? [], contextual);
  for (const d of [
    periodicDiff(old?.Periodic as never, now?.Periodic as never, contextual),
    parameterizedJobDiff(old?.ParameterizedJob as never, now?.ParameterizedJob as never, contextual),
    rawObjectDiff(old?.Multiregion, now?.Multiregion, 'Multiregion', contextual),
    rawObjectDiff(old?.UI, now?.UI, 'UI', contextual),
  ]) if (d) objects.push(d);
  if (type === 'None' && (fields.some((f) => f.Type !== 'None') || objects.some((o) => o.Type !== 'None') || groups.some((g) => g.Type !== 'None'))) {
    type = 'Edited';
  }
  return { Type: type, ID: id, Fields: orNull(fields), Objects: orNull(objects), TaskGroups: orNull(groups) };
}

/** Groups matched by name, sorted by name; every group appears, unchanged ones with Type None. */
function taskGroupDiffs(old: TaskGroup[], now: TaskGroup[], contextual: boolean): TaskGroupDiff[] {
  const oldMap = new Map(old.map((g) => [g.Name, g]));
  const newMap = new Map(now.map((g) => [g.Name, g]));
  const out: TaskGroupDiff[] = [];
  for (const [name, g] of oldMap) out.push(taskGroupDiff(g, newMap.get(name), contextual));
  for (const [name, g] of newMap) if (!oldMap.has(name)) out.push(taskGroupDiff(undefined, g, contextual));
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

function taskGroupDiff(old: TaskGroup | undefined, now: TaskGroup | undefined, contextual: boolean): TaskGroupDiff {
  const type: DiffType = !old ? 'Added' : !now ? 'Deleted' : deepEqual(old, now) ? 'None' : 'Edited';
  const oldFlat = old ? flattenPrimitives(old, SHAPES.TaskGroup, ['Name']) : null;
  const newFlat = now ? flattenPrimitives(now, SHAPES.TaskGroup, ['Name']) : null;
  // ShutdownDelay is a pointer: compared only when both groups exist, "" when unset
  if (oldFlat && newFlat) {
    oldFlat.ShutdownDelay = old!.ShutdownDelay === null || old!.ShutdownDelay === undefined ? '' : goString(old!.ShutdownDelay);
    newFlat.ShutdownDelay = now!.ShutdownDelay === null || now!.ShutdownDelay === undefined ? '' : goString(now!.ShutdownDelay);
  }
  const objects: ObjectDiff[] = [...constraintsAndAffinities(old, now, contextual)];
  const push = (d: ObjectDiff | null) => d && objects.push(d);
  push(primitiveObjectDiff(old?.RestartPolicy, now?.RestartPolicy, SHAPES.RestartPolicy, null, 'RestartPolicy', contextual));
  push(primitiveObjectDiff(old?.Migrate, now?.Migrate, SHAPES.MigrateStrategy, null, 'Migrate', contextual));
  push(primitiveObjectDiff(old?.ReschedulePolicy, now?.ReschedulePolicy, SHAPES.ReschedulePolicy, null, 'ReschedulePolicy', contextual));
  push(primitiveObjectDiff(old?.EphemeralDisk, now?.EphemeralDisk, SHAPES.EphemeralDisk, null, 'EphemeralDisk', contextual));
  push(primitiveObjectDiff(old?.Consul, now?.Consul, SHAPES.Consul, null, 'Consul', contextual));
  push(primitiveObjectDiff(old?.Update, now?.Update, SHAPES.UpdateStrategy, ['Stagger'], 'Update', contextual));
  push(disconnectDiff(old?.Disconnect as never, now?.Disconnect as never, contextual));
  objects.push(...networkResourceDiffs(list(old?.Networks), list(now?.Networks), contextual));
  push(scalingDiff(old?.Scaling as never, now?.Scaling as never, contextual));
  objects.push(...serviceDiffs(list(old?.Services), list(now?.Services), contextual));
  objects.push(...namedObjectsDiff(old?.Volumes as never, now?.Volumes as never, 'Volume', contextual));
  return {
    Type: type, Name: (now ?? old)!.Name,
    Fields: orNull(fieldDiffs(oldFlat, newFlat, false)), Objects: orNull(objects),
    Tasks: orNull(taskDiffs(old?.Tasks ?? [], now?.Tasks ?? [], contextual)), Updates: null,
  };
}

function taskDiffs(old: Task[], now: Task[], contextual: boolean): TaskDiff[] {
  const oldMap = new Map(old.map((t) => [t.Name, t]));
  const newMap = new Map(now.map((t) => [t.Name, t]));
  const out: TaskDiff[] = [];
  for (const [name, t] of oldMap) out.push(taskDiff(t, newMap.get(name), contextual));
  for (const [name, t] of newMap) if (!oldMap.has(name)) out.push(taskDiff(undefined, t, contextual));
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

function taskDiff(old: Task | undefined, now: Task | undefined, contextual: boolean): TaskDiff {
  const type: DiffType = !old ? 'Added' : !now ? 'Deleted' : deepEqual(old, now) ? 'None' : 'Edited';
  const flat = (t: Task | undefined) => (t ? flattenPrimitives(t, SHAPES.Task, ['Name', 'Config']) : null);
  const objects: ObjectDiff[] = [...constraintsAndAffinities(old, now, contextual)];
  const push = (d: ObjectDiff | null) => d && objects.push(d);
  push(configDiff(old?.Config, now?.Config, contextual));
  push(resourcesDiff(old?.Resources as never, now?.Resources as never, contextual));
  push(primitiveObjectDiff(old?.LogConfig, now?.LogConfig, SHAPES.LogConfig, null, 'LogConfig', contextual));
  push(primitiveObjectDiff(old?.DispatchPayload, now?.DispatchPayload, SHAPES.DispatchPayloadConfig, null, 'DispatchPayload', contextual));
  objects.push(...artifactDiffs(list(old?.Artifacts), list(now?.Artifacts), contextual));
  objects.push(...serviceDiffs(list(old?.Services), list(now?.Services), contextual));
  push(old?.Vault || now?.Vault ? primitiveObjectDiff(old?.Vault, now?.Vault, SHAPES.Vault, null, 'Vault', contextual) : null);
  push(primitiveObjectDiff(old?.Consul, now?.Consul, SHAPES.Consul, null, 'Consul', contextual));
  objects.push(...templateDiffs(list(old?.Templates), list(now?.Templates), contextual));
  push(rawObjectDiff(old?.Identity, now?.Identity, 'Identity', contextual));
  for (const [i, id] of list(now?.Identities).entries()) push(rawObjectDiff(list(old?.Identities)[i], id, 'Identity', contextual));
  for (const id of list(old?.Identities).slice(list(now?.Identities).length)) push(rawObjectDiff(id, null, 'Identity', contextual));
  for (const [name, key] of [['Action', 'Actions'], ['VolumeMount', 'VolumeMounts']] as const) {
    const [o, n] = [list(old?.[key]), list(now?.[key])];
    for (let i = 0; i < Math.max(o.length, n.length); i++) push(rawObjectDiff(o[i], n[i], name, contextual));
  }
  push(rawObjectDiff(old?.Schedule, now?.Schedule, 'Schedule', contextual));
  return { Type: type, Name: (now ?? old)!.Name, Fields: orNull(fieldDiffs(flat(old), flat(now), false)), Objects: orNull(objects), Annotations: null };
}
