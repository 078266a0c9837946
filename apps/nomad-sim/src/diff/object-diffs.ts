import { field } from '../wire';
import {
  deepEqual, fieldDiffs, ObjectDiff, orNull, presenceType, primitiveObjectDiff, primitiveObjectSetDiff, sortObjects,
  stableJson, stringSetDiff,
} from './diff-primitives';
import { Flat, flattenAll, flattenPrimitives, flattenWithPointers, goString, SHAPES, StructShape } from './flatten';

/**
 * The diffs of the nested blocks of a job (nomad/structs/diff.go): services and their checks, networks and
 * ports, resources, driver config, templates, artifacts, periodic and parameterized configs, scaling.
 */

type Obj = Record<string, unknown> | null | undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).map((x) => String(x));

/** The common pattern: Added/Deleted/Edited by presence, fields of the flattened struct, children appended. */
function structDiff(old: Obj, now: Obj, name: string, contextual: boolean, flat: (o: Obj) => Flat, fieldsContextual = contextual): ObjectDiff | null {
  const type = presenceType(old, now);
  if (!type) return null;
  const fields = fieldDiffs(type === 'Added' ? null : flat(old), type === 'Deleted' ? null : flat(now), fieldsContextual);
  return { Type: type, Name: name, Fields: orNull(fields), Objects: null };
}

const primitive = (shape: StructShape, filter: string[] = []) => (o: Obj) => flattenPrimitives(o, shape, filter);

function withChildren(d: ObjectDiff | null, children: Array<ObjectDiff | null | ObjectDiff[]>): ObjectDiff | null {
  if (!d) return d;
  const objs = children.flatMap((c) => (Array.isArray(c) ? c : c ? [c] : []));
  d.Objects = orNull(objs);
  return d;
}

/**
 * A free-form map (a driver's Config, a scaling Policy, check headers): every leaf flattened (`ports[0]`,
 * `mount[0][type]`); Added when it was empty, Deleted when it becomes empty.
 */
export function mapDiff(old: Obj, now: Obj, name: string, contextual: boolean): ObjectDiff | null {
  if (deepEqual(old, now)) return null;
  const empty = (o: Obj) => !o || Object.keys(o).length === 0;
  const type = empty(old) ? 'Added' : empty(now) ? 'Deleted' : 'Edited';
  return { Type: type, Name: name, Fields: orNull(fieldDiffs(flattenAll(old ?? {}), flattenAll(now ?? {}), contextual)), Objects: null };
}

/** configDiff: the task driver's config. */
export const configDiff = (old: Obj, now: Obj, contextual: boolean) => mapDiff(old, now, 'Config', contextual);

/** Resources.Diff: the numbers, then task-level networks and devices. */
export function resourcesDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  const d = structDiff(old, now, 'Resources', contextual, primitive(SHAPES.Resources));
  return withChildren(d, [
    networkResourceDiffs(list(field(old, 'Networks')), list(field(now, 'Networks')), contextual),
    requestedDevicesDiffs(list(field(old, 'Devices')), list(field(now, 'Devices')), contextual),
  ]);
}

function requestedDevicesDiffs(old: unknown[], now: unknown[], contextual: boolean): ObjectDiff[] {
  const name = (d: unknown) => String(field(d, 'Name') ?? '');
  const oldSet = new Map(old.map((d) => [name(d), d as Obj]));
  const newSet = new Map(now.map((d) => [name(d), d as Obj]));
  const out: ObjectDiff[] = [];
  const flat = (o: Obj) => flattenPrimitives(o, { Name: 's', Count: 'i' });
  for (const [k, o] of oldSet) {
    const d = structDiff(o, newSet.get(k), 'Device', contextual, flat);
    if (d) out.push(d);
  }
  for (const [k, n] of newSet) if (!oldSet.has(k)) out.push(structDiff(null, n, 'Device', contextual, flat)!);
  return sortObjects(out);
}

/**
 * networkResourceDiffs: networks are a set keyed by a hash of the whole network, so a changed network is a
 * Deleted and an Added one; ports within are keyed by label.
 */
export function networkResourceDiffs(old: unknown[], now: unknown[], contextual: boolean): ObjectDiff[] {
  const oldSet = new Map(old.map((n) => [stableJson(n), n as Obj]));
  const newSet = new Map(now.map((n) => [stableJson(n), n as Obj]));
  const out: ObjectDiff[] = [];
  for (const [k, o] of oldSet) if (!newSet.has(k)) out.push(networkDiff(o, null, contextual)!);
  for (const [k, n] of newSet) if (!oldSet.has(k)) out.push(networkDiff(null, n, contextual)!);
  return sortObjects(out);
}

function networkDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  const filter = ['Device', 'CIDR', 'IP', 'MBits'];
  const d = structDiff(old, now, 'Network', contextual, primitive(SHAPES.NetworkResource, filter));
  const dns = (o: Obj) => field<Obj>(o, 'DNS');
  return withChildren(d, [
    portDiffs(list(field(old, 'ReservedPorts')), list(field(now, 'ReservedPorts')), false, contextual),
    portDiffs(list(field(old, 'DynamicPorts')), list(field(now, 'DynamicPorts')), true, contextual),
    structDiff(dns(old), dns(now), 'DNS', contextual, (o) => {
      const m: Flat = {};
      for (const k of ['Servers', 'Searches', 'Options']) if (strings(field(o, k)).length) m[k] = strings(field(o, k)).join(',');
      return m;
    }),
  ]);
}

/** portDiffs: static ports compare every field; dynamic ones ignore the assigned Value. */
function portDiffs(old: unknown[], now: unknown[], dynamic: boolean, contextual: boolean): ObjectDiff[] {
  const label = (p: unknown) => String(field(p, 'Label') ?? '');
  const oldPorts = new Map(old.map((p) => [label(p), p]));
  const newPorts = new Map(now.map((p) => [label(p), p]));
  const filter = dynamic ? ['Value', 'IgnoreCollision'] : [];
  const name = dynamic ? 'Dynamic Port' : 'Static Port';
  const out: ObjectDiff[] = [];
  for (const [k, o] of oldPorts) {
    const d = primitiveObjectDiff(o, newPorts.get(k) ?? null, SHAPES.Port, filter, name, contextual);
    if (d) out.push(d);
  }
  for (const [k, n] of newPorts) {
    if (oldPorts.has(k)) continue;
    const d = primitiveObjectDiff(null, n, SHAPES.Port, filter, name, contextual);
    if (d) out.push(d);
  }
  return sortObjects(out);
}

/**
 * serviceDiffs: services have no identity, so each old one is matched to the unmatched new one scoring
 * highest on name (3), port label (2) and position (1), above 2; the rest are Deleted or Added.
 */
export function serviceDiffs(old: unknown[], now: unknown[], contextual: boolean): ObjectDiff[] {
  if (old.length === 1 && now.length === 1) {
    const d = serviceDiff(old[0] as Obj, now[0] as Obj, contextual);
    return d ? [d] : [];
  }
  const newMatches = now.map(() => -1);
  const out: ObjectDiff[] = [];
  old.forEach((svc, oldIndex) => {
    let best = 0;
    let match = -1;
    now.forEach((s, i) => {
      if (newMatches[i] >= 0) return;
      const score = (i === oldIndex ? 1 : 0) + (field(svc, 'PortLabel') === field(s, 'PortLabel') ? 2 : 0) + (field(svc, 'Name') === field(s, 'Name') ? 3 : 0);
      if (score > 2 && score > best) [best, match] = [score, i];
    });
    if (match < 0) {
      out.push(serviceDiff(svc as Obj, null, contextual)!);
      return;
    }
    newMatches[match] = oldIndex;
    const d = serviceDiff(svc as Obj, now[match] as Obj, contextual);
    if (d) out.push(d);
  });
  newMatches.forEach((m, i) => {
    if (m === -1) out.push(serviceDiff(null, now[i] as Obj, contextual)!);
  });
  return sortObjects(out);
}

function serviceDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  const d = structDiff(old, now, 'Service', contextual, primitive(SHAPES.Service));
  return withChildren(d, [
    stringSetDiff(strings(field(old, 'CanaryTags')), strings(field(now, 'CanaryTags')), 'CanaryTags', contextual),
    stringSetDiff(strings(field(old, 'Tags')), strings(field(now, 'Tags')), 'Tags', contextual),
    serviceCheckDiffs(list(field(old, 'Checks')), list(field(now, 'Checks')), contextual),
    rawObjectDiff(field(old, 'Connect'), field(now, 'Connect'), 'ConsulConnect', contextual),
    rawObjectDiff(field(old, 'Identity'), field(now, 'Identity'), 'Identity', contextual),
    rawObjectDiff(field(old, 'Weights'), field(now, 'Weights'), 'Weights', contextual),
  ]);
}

/** serviceCheckDiffs: checks keyed by name. */
function serviceCheckDiffs(old: unknown[], now: unknown[], contextual: boolean): ObjectDiff[] {
  const name = (c: unknown) => String(field(c, 'Name') ?? '');
  const oldMap = new Map(old.map((c) => [name(c), c as Obj]));
  const newMap = new Map(now.map((c) => [name(c), c as Obj]));
  const out: ObjectDiff[] = [];
  for (const [k, o] of oldMap) {
    const d = checkDiff(o, newMap.get(k), contextual);
    if (d) out.push(d);
  }
  for (const [k, n] of newMap) if (!oldMap.has(k)) out.push(checkDiff(null, n, contextual)!);
  return sortObjects(out);
}

function checkDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  const d = structDiff(old, now, 'Check', contextual, primitive(SHAPES.ServiceCheck));
  return withChildren(d, [
    mapDiff(field(old, 'Header'), field(now, 'Header'), 'Header', contextual),
    structDiff(field(old, 'CheckRestart'), field(now, 'CheckRestart'), 'CheckRestart', contextual, primitive(SHAPES.CheckRestart)),
  ]);
}

/** templateDiffs: templates matched by destination path (the trivial one-to-one case compared directly). */
export function templateDiffs(old: unknown[], now: unknown[], contextual: boolean): ObjectDiff[] {
  const tmpl = (o: Obj, n: Obj) => {
    const flat = (t: Obj) => {
      const f = flattenPrimitives(t, SHAPES.Template);
      for (const p of ['Uid', 'Gid']) if (field(t, p) !== undefined && field(t, p) !== null) f[p] = goString(field(t, p));
      return f;
    };
    const d = structDiff(o, n, 'Template', contextual, flat);
    return withChildren(d, [
      rawObjectDiff(field(o, 'Wait'), field(n, 'Wait'), 'Template', contextual),
      rawObjectDiff(field(o, 'ChangeScript'), field(n, 'ChangeScript'), 'ChangeScript', contextual),
    ]);
  };
  if (old.length === 1 && now.length === 1) {
    const d = tmpl(old[0] as Obj, now[0] as Obj);
    return d ? [d] : [];
  }
  const dest = (t: unknown) => String(field(t, 'DestPath') ?? '');
  const newMatches = now.map(() => -1);
  const out: ObjectDiff[] = [];
  old.forEach((t, oi) => {
    const i = now.findIndex((n, j) => newMatches[j] < 0 && dest(n) === dest(t));
    if (i < 0) {
      out.push(tmpl(t as Obj, null)!);
      return;
    }
    newMatches[i] = oi;
    const d = tmpl(t as Obj, now[i] as Obj);
    if (d) out.push(d);
  });
  newMatches.forEach((m, i) => {
    if (m === -1) out.push(tmpl(null, now[i] as Obj)!);
  });
  return sortObjects(out);
}

/** Artifacts: a set keyed by relative destination. */
export function artifactDiffs(old: unknown[], now: unknown[], contextual: boolean): ObjectDiff[] {
  return primitiveObjectSetDiff(old, now, SHAPES.TaskArtifact, null, 'Artifact', contextual, (a) => String(field(a, 'RelativeDest') ?? ''));
}

/** periodicDiff: the fields, and Specs as a set (only when it changed). */
export function periodicDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  const d = structDiff(old, now, 'Periodic', contextual, primitive(SHAPES.PeriodicConfig));
  const specs = stringSetDiff(strings(field(old, 'Specs')), strings(field(now, 'Specs')), 'Specs', contextual);
  return withChildren(d, [specs && specs.Type !== 'None' ? specs : null]);
}

export function parameterizedJobDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  const d = structDiff(old, now, 'ParameterizedJob', contextual, primitive(SHAPES.ParameterizedJobConfig));
  return withChildren(d, [
    stringSetDiff(strings(field(old, 'MetaOptional')), strings(field(now, 'MetaOptional')), 'MetaOptional', contextual),
    stringSetDiff(strings(field(old, 'MetaRequired')), strings(field(now, 'MetaRequired')), 'MetaRequired', contextual),
  ]);
}

/** scalingDiff: the policy's own fields (its IDs and target filtered out), and its free-form Policy map. */
export function scalingDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  const filter = ['CreateIndex', 'ModifyIndex', 'ID', 'Type', 'Target[Job]', 'Target[Group]', 'Target[Namespace]'];
  const d = structDiff(old, now, 'Scaling', contextual, primitive(SHAPES.ScalingPolicy, filter), false);
  const policy = (o: Obj) => field<Obj>(o, 'Policy');
  return withChildren(d, [mapDiff(policy(old), policy(now), 'Policy', false)]);
}

/** The group's disconnect block, flattened with its pointer fields ("nil" when unset). */
export function disconnectDiff(old: Obj, now: Obj, contextual: boolean): ObjectDiff | null {
  return structDiff(old, now, 'Disconnect', contextual, (o) => flattenWithPointers(o, SHAPES.DisconnectStrategy));
}

/** A named map of objects (group volumes): each entry's scalar fields. */
export function namedObjectsDiff(old: Obj, now: Obj, name: string, contextual: boolean): ObjectDiff[] {
  const out: ObjectDiff[] = [];
  const o = old ?? {};
  const n = now ?? {};
  for (const k of Object.keys(o)) {
    const d = rawObjectDiff(o[k], n[k], name, contextual);
    if (d) out.push(d);
  }
  for (const k of Object.keys(n)) {
    if (k in o) continue;
    const d = rawObjectDiff(null, n[k], name, contextual);
    if (d) out.push(d);
  }
  return sortObjects(out);
}

/**
 * A block the simulator stores as given (vault-less identities, connect, schedules...): its scalar
 * fields as given, compared the way primitiveObjectDiff compares a struct's.
 */
export function rawObjectDiff(old: unknown, now: unknown, name: string, contextual: boolean): ObjectDiff | null {
  const scalars = (o: unknown): Flat => {
    const out: Flat = {};
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o)) if (v !== null && typeof v !== 'object') out[k] = goString(v);
    }
    return out;
  };
  return structDiff(old as Obj, now as Obj, name, contextual, scalars);
}
