import type { Job, SimNode, TaskGroup } from './types';

/**
 * Which nodes may take a task group, as Nomad's feasibility checkers decide (scheduler/feasible): job
 * constraints, then the task drivers, then group and task constraints. A node that fails is counted in
 * the placement metrics under the reason Nomad gives: the constraint as `LTarget Operand RTarget`, or
 * "missing drivers". Nomad checks one node of each computed class and marks the others of that class
 * "computed class ineligible" without checking them again, unless a constraint names a unique attribute
 * (`${node.unique.*}`, `${attr.unique.*}`…), which is checked on every node.
 */

interface Constraint {
  LTarget?: string;
  RTarget?: string;
  Operand?: string;
}

/** Drivers the simulated nodes run (raw_exec and java are present but not detected, as on a stock client). */
const DRIVERS = new Set(['docker', 'exec']);

/** The attributes a simulated node fingerprints (the full Node's Attributes; `${attr.*}` reads them). */
export function nodeAttributes(n: SimNode, version: string): Record<string, string> {
  return {
    'kernel.name': 'linux', 'kernel.version': '6.1.0', 'os.name': 'debian', 'os.version': '12', 'cpu.arch': 'amd64',
    'cpu.numcores': '4', 'cpu.totalcompute': String(n.CPU), 'memory.totalbytes': String(n.MemoryMB * 1024 * 1024),
    'driver.docker': '1', 'driver.docker.version': '27.3.1', 'driver.exec': '1', 'nomad.version': version,
    'unique.hostname': n.Name, 'unique.network.ip-address': n.Address,
  };
}

/** Node meta (`${meta.*}`). */
export const NODE_META: Record<string, string> = { connect: 'false' };

/** Nomad's resolveTarget: a literal, or one of the node's interpolated values (found or not). */
function resolve(target: string, n: SimNode, version: string): { value: string; found: boolean } {
  if (!target.startsWith('${')) return { value: target, found: true };
  const fixed: Record<string, string> = {
    '${node.unique.id}': n.ID, '${node.datacenter}': n.Datacenter, '${node.unique.name}': n.Name, '${node.class}': n.NodeClass, '${node.pool}': n.NodePool,
  };
  if (target in fixed) return { value: fixed[target], found: true };
  const inner = /^\$\{(attr|meta)\.(.+)\}$/.exec(target);
  const map = inner?.[1] === 'attr' ? nodeAttributes(n, version) : inner?.[1] === 'meta' ? NODE_META : undefined;
  const value = inner && map ? map[inner[2]] : undefined;
  return value === undefined ? { value: '', found: false } : { value, found: true };
}

/** Nomad's checkConstraint for the operands a job commonly uses; distinct_* are checked elsewhere (always true here). */
function satisfies(c: Constraint, n: SimNode, version: string): boolean {
  const l = resolve(c.LTarget ?? '', n, version);
  const r = resolve(c.RTarget ?? '', n, version);
  const both = l.found && r.found;
  switch (c.Operand || '=') {
    case 'distinct_hosts': case 'distinct_property': return true;
    case '=': case '==': case 'is': return both && l.value === r.value;
    case '!=': case 'not': return l.value !== r.value || l.found !== r.found;
    case 'is_set': return l.found;
    case 'is_not_set': return !l.found;
    case 'regexp': try { return both && new RegExp(r.value).test(l.value); } catch { return false; }
    case 'set_contains': case 'set_contains_all': { const set = l.value.split(',').map((x) => x.trim()); return both && r.value.split(',').every((x) => set.includes(x.trim())); }
    case 'set_contains_any': { const set = l.value.split(',').map((x) => x.trim()); return both && r.value.split(',').some((x) => set.includes(x.trim())); }
    case '<': case '<=': case '>': case '>=': return both && compare(c.Operand!, l.value, r.value);
    // version and semver constraints: compared as dotted numbers, which covers the common ">= 1.2.3"
    case 'version': case 'semver': return both && versionMatches(l.value, r.value);
    default: return false;
  }
}

function compare(op: string, a: string, b: string): boolean {
  const [x, y] = /^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b) ? [Number(a), Number(b)] : [a, b];
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function versionMatches(have: string, spec: string): boolean {
  const num = (v: string) => v.replace(/^v/, '').split(/[.-]/).slice(0, 3).map((p) => Number(p) || 0);
  const cmp = (a: number[], b: number[]) => a.map((x, i) => x - (b[i] ?? 0)).find((d) => d !== 0) ?? 0;
  return spec.split(',').every((part) => {
    const m = /^\s*(>=|<=|>|<|=|!=|~>)?\s*(\S+)\s*$/.exec(part);
    if (!m) return false;
    const d = cmp(num(have), num(m[2]));
    switch (m[1] ?? '=') {
      case '>=': return d >= 0;
      case '<=': return d <= 0;
      case '>': return d > 0;
      case '<': return d < 0;
      case '!=': return d !== 0;
      case '~>': return d >= 0;
      default: return d === 0;
    }
  });
}

const constraintsOf = (v: unknown): Constraint[] => (Array.isArray(v) ? v.filter((c): c is Constraint => !!c && typeof c === 'object') : []);
const text = (c: Constraint) => `${c.LTarget ?? ''} ${c.Operand || '='} ${c.RTarget ?? ''}`;
const escapes = (c: Constraint) => [c.LTarget, c.RTarget].some((t) => /^\$\{(node|attr|meta)\.unique\./.test(t ?? ''));

export interface Feasibility {
  /** The nodes that passed every check, in the order given. */
  feasible: SimNode[];
  /** Nodes filtered, by Nomad's reason (AllocMetric.ConstraintFiltered); null when none was. */
  filtered: Record<string, number> | null;
}

/** The first of the constraints the node does not meet (a loop: this runs for every node of every placement). */
function firstUnmet(constraints: Constraint[], n: SimNode, version: string): Constraint | undefined {
  for (const c of constraints) if (!satisfies(c, n, version)) return c;
  return undefined;
}

/** The nodes among `nodes` that may run the group, and why the others may not. */
export function feasibleNodes(job: Job, tg: TaskGroup, nodes: SimNode[], version: string): Feasibility {
  const jobConstraints = constraintsOf(job.Constraints);
  const groupConstraints = [...constraintsOf(tg.Constraints), ...tg.Tasks.flatMap((t) => constraintsOf(t.Constraints))];
  const missingDriver = tg.Tasks.some((t) => !DRIVERS.has(t.Driver));
  const escaped = [...jobConstraints, ...groupConstraints].some(escapes);
  const filtered: Record<string, number> = {};
  const feasible: SimNode[] = [];
  const classChecked = new Set<string>();
  for (const n of nodes) {
    let reason: string | undefined;
    const jobFails = firstUnmet(jobConstraints, n, version);
    if (jobFails) reason = text(jobFails);
    else if (missingDriver) reason = 'missing drivers';
    else {
      const groupFails = firstUnmet(groupConstraints, n, version);
      reason = groupFails ? text(groupFails) : undefined;
    }
    if (reason === undefined) {
      feasible.push(n);
      continue;
    }
    const computedClass = `${n.Datacenter}|${n.NodeClass}|${n.NodePool}`;
    const key = !escaped && classChecked.has(computedClass) ? 'computed class ineligible' : reason;
    classChecked.add(computedClass);
    filtered[key] = (filtered[key] ?? 0) + 1;
  }
  return { feasible, filtered: Object.keys(filtered).length ? filtered : null };
}
