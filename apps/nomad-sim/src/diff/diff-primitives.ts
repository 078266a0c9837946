import { Flat, flattenPrimitives, StructShape } from './flatten';

/**
 * The building blocks of Nomad's job diff (nomad/structs/diff.go): field diffs, object diffs of flattened
 * structs, set diffs of strings and of objects, and the orderings Nomad sorts them by.
 */

export type DiffType = 'Added' | 'Deleted' | 'Edited' | 'None';

export interface FieldDiff {
  Type: DiffType;
  Name: string;
  Old: string;
  New: string;
  Annotations: string[] | null;
}

export interface ObjectDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
}

/** Go's nil slice: an empty list is encoded as null. */
export const orNull = <T>(list: T[]): T[] | null => (list.length ? list : null);

/** DiffType.Less: Edited < Added < Deleted < None. */
const TYPE_RANK: Record<DiffType, number> = { Edited: 0, Added: 1, Deleted: 2, None: 3 };

function fieldLess(a: FieldDiff, b: FieldDiff): boolean {
  if (a.Name !== b.Name) return a.Name < b.Name;
  if (a.Old !== b.Old) return a.Old < b.Old;
  return a.New < b.New;
}

export function sortFields(fields: FieldDiff[]): FieldDiff[] {
  return fields.sort((a, b) => (fieldLess(a, b) ? -1 : fieldLess(b, a) ? 1 : 0));
}

/** ObjectDiff.Less: by name, type, number of fields, number of objects, then field by field. */
function objectLess(a: ObjectDiff, b: ObjectDiff): boolean {
  if (a.Name !== b.Name) return a.Name < b.Name;
  if (a.Type !== b.Type) return TYPE_RANK[a.Type] < TYPE_RANK[b.Type];
  const [fa, fb] = [a.Fields ?? [], b.Fields ?? []];
  if (fa.length !== fb.length) return fa.length < fb.length;
  const [oa, ob] = [a.Objects ?? [], b.Objects ?? []];
  if (oa.length !== ob.length) return oa.length < ob.length;
  for (let i = 0; i < fa.length; i++) if (fieldLess(fa[i], fb[i])) return true;
  for (let i = 0; i < oa.length; i++) if (objectLess(oa[i], ob[i])) return true;
  return false;
}

export function sortObjects(objects: ObjectDiff[]): ObjectDiff[] {
  return objects.sort((a, b) => (objectLess(a, b) ? -1 : objectLess(b, a) ? 1 : 0));
}

/** fieldDiff: null when equal (unless contextual, then a None diff carrying the value). */
export function fieldDiff(old: string, now: string, name: string, contextual: boolean): FieldDiff | null {
  if (old === now) return contextual ? { Type: 'None', Name: name, Old: old, New: now, Annotations: null } : null;
  if (old === '') return { Type: 'Added', Name: name, Old: '', New: now, Annotations: null };
  if (now === '') return { Type: 'Deleted', Name: name, Old: old, New: '', Annotations: null };
  return { Type: 'Edited', Name: name, Old: old, New: now, Annotations: null };
}

/** fieldDiffs over two flat maps (a missing map is empty), sorted. */
export function fieldDiffs(old: Flat | null, now: Flat | null, contextual: boolean): FieldDiff[] {
  const o = old ?? {};
  const n = now ?? {};
  const out: FieldDiff[] = [];
  for (const [k, v] of Object.entries(o)) {
    const d = fieldDiff(v, n[k] ?? '', k, contextual);
    if (d) out.push(d);
  }
  for (const [k, v] of Object.entries(n)) {
    if (k in o) continue;
    const d = fieldDiff('', v, k, contextual);
    if (d) out.push(d);
  }
  return sortFields(out);
}

/** primitiveObjectDiff over already flattened objects: Added, Deleted or Edited by its field diffs, null when none. */
export function flatObjectDiff(old: Flat, now: Flat, name: string, contextual: boolean): ObjectDiff | null {
  const fields = fieldDiffs(old, now, contextual);
  let added = false;
  let deleted = false;
  let edited = false;
  for (const f of fields) {
    if (f.Type === 'Edited') {
      edited = true;
      break;
    }
    if (f.Type === 'Deleted') deleted = true;
    if (f.Type === 'Added') added = true;
  }
  const type: DiffType | null = edited || (added && deleted) ? 'Edited' : added ? 'Added' : deleted ? 'Deleted' : null;
  return type ? { Type: type, Name: name, Fields: orNull(fields), Objects: null } : null;
}

/** primitiveObjectDiff(old, new, filter, name, contextual) of two structs of one shape. */
export function primitiveObjectDiff(old: unknown, now: unknown, shape: StructShape, filter: string[] | null, name: string, contextual: boolean): ObjectDiff | null {
  return flatObjectDiff(flattenPrimitives(old, shape, filter ?? []), flattenPrimitives(now, shape, filter ?? []), name, contextual);
}

/**
 * primitiveObjectSetDiff: objects matched by `key` (Nomad's DiffID, else a hash of the whole object), so a
 * changed constraint is one Deleted and one Added object, never an Edited one.
 */
export function primitiveObjectSetDiff(old: unknown[] | null, now: unknown[] | null, shape: StructShape, filter: string[] | null, name: string, contextual: boolean, key: (o: unknown) => string = stableJson): ObjectDiff[] {
  const oldSet = new Map((old ?? []).map((o) => [key(o), o]));
  const newSet = new Map((now ?? []).map((o) => [key(o), o]));
  const out: ObjectDiff[] = [];
  for (const [k, o] of oldSet) {
    const d = primitiveObjectDiff(o, newSet.get(k) ?? null, shape, filter, name, contextual);
    if (d) out.push(d);
  }
  for (const [k, o] of newSet) {
    if (oldSet.has(k)) continue;
    const d = primitiveObjectDiff(null, o, shape, filter, name, contextual);
    if (d) out.push(d);
  }
  return sortObjects(out);
}

/** stringSetDiff: a list compared as a set; contextual keeps unchanged members as None fields. */
export function stringSetDiff(old: string[] | null | undefined, now: string[] | null | undefined, name: string, contextual: boolean): ObjectDiff | null {
  const o = new Set(old ?? []);
  const n = new Set(now ?? []);
  const same = o.size === n.size && [...o].every((x) => n.has(x));
  if (same && !contextual) return null;
  const fields: FieldDiff[] = [];
  let added = false;
  let removed = false;
  for (const k of o) {
    if (!n.has(k)) {
      fields.push(fieldDiff(k, '', name, contextual)!);
      removed = true;
    } else if (contextual) fields.push(fieldDiff(k, k, name, contextual)!);
  }
  for (const k of n) {
    if (!o.has(k)) {
      fields.push(fieldDiff('', k, name, contextual)!);
      added = true;
    }
  }
  sortFields(fields);
  const type: DiffType = added && removed ? 'Edited' : added ? 'Added' : removed ? 'Deleted' : 'None';
  if (type === 'None' && !fields.length) return null;
  return { Type: type, Name: name, Fields: orNull(fields), Objects: null };
}

/** The type of a diff between two possibly absent objects, or null when they are equal (reflect.DeepEqual). */
export function presenceType(old: unknown, now: unknown): DiffType | null {
  if (deepEqual(old, now)) return null;
  if (old === null || old === undefined) return 'Added';
  if (now === null || now === undefined) return 'Deleted';
  return 'Edited';
}

/** reflect.DeepEqual over JSON values (an absent field equals null, as both decode to Go's zero value). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (typeof a !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!deepEqual(ra[k], rb[k])) return false;
  return true;
}

/** A key independent of object key order: stands in for hashstructure.Hash. */
export function stableJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const rec = v as Record<string, unknown>;
  return `{${Object.keys(rec).filter((k) => rec[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(rec[k])}`).join(',')}}`;
}
