import { AFFINITY, CONSTRAINT, type Field, type Kind, type Shape } from './api-shapes';
import type { ScannedBlock, SourceRange } from './block-scanner';
import { formatRange, type Diagnostic } from './diagnostics';
import type { Value } from './evaluate';
import { parseGoDurationNs } from '../wire';

/**
 * gohcl's decoding of a block body into an api struct (jobspec2 uses gohcl with Nomad's struct tags): the
 * body comes from hcl2json with its expressions already evaluated, `scan` is the same block in the source
 * (order of labelled blocks, which names were blocks, positions for diagnostics). Unknown arguments and
 * blocks, values of the wrong type and repeated single blocks are diagnostics, as gohcl reports them.
 */

export type Obj = Record<string, unknown>;
type Body = Record<string, Value>;

export class Decoder {
  readonly diags: Diagnostic[] = [];

  decodeBody(body: Body, shape: Shape, scan: ScannedBlock, label?: string): Obj {
    const out: Obj = {};
    for (const field of shape.fields) out[field.go] = field.label ? labelValue(field, label) : zero(field.kind);
    if (shape === CONSTRAINT || shape === AFFINITY) {
      this.decodePlacement(body, shape, scan, out);
      return out;
    }
    for (const [key, raw] of Object.entries(body)) {
      if (shape.extras?.includes(key)) continue;
      const field = shape.fields.find((x) => x.hcl === key);
      const isBlock = scan.blocks.some((b) => b.type === key);
      if (!field) {
        this.unexpected(key, isBlock, scan, shape);
        continue;
      }
      const v = this.decodeField(field, raw, isBlock, scan);
      if (v !== undefined) out[field.go] = v;
    }
    for (const field of shape.fields) {
      if (field.required && !(field.hcl! in body)) {
        this.diags.push({ range: scan.defRange, summary: 'Missing required argument', detail: `The argument "${field.hcl}" is required, but no definition was found.` });
      }
    }
    return out;
  }

  private decodeField(field: Field, raw: Value, isBlock: boolean, scan: ScannedBlock): unknown {
    const name = field.hcl!;
    const kind = field.kind;
    if (typeof kind === 'object') {
      if (!isBlock) return this.fail(scan, name, 'Unsupported argument', `An argument named "${name}" is not expected here. Did you mean to define a block of type "${name}"?`);
      const blocks = scan.blocks.filter((b) => b.type === name);
      if ('one' in kind) {
        if (blocks.length > 1) {
          this.duplicate(name, blocks);
        }
        const items = this.blockBodies(raw, name, kind.one, blocks);
        return items.length ? this.decodeBody(items[0].body, kind.one, items[0].scan, items[0].label) : undefined;
      }
      if ('list' in kind) return this.blockBodies(raw, name, kind.list, blocks).map((it) => this.decodeBody(it.body, kind.list, it.scan, it.label));
      const map: Obj = {};
      for (const it of this.blockBodies(raw, name, kind.byLabel, blocks)) map[it.label!] = this.decodeBody(it.body, kind.byLabel, it.scan, it.label);
      return map;
    }
    if (kind === 'ms' || kind === 'mls' || kind === 'cfg') {
      const blocks = scan.blocks.filter((b) => b.type === name);
      const body = isBlock ? (Array.isArray(raw) ? (raw[raw.length - 1] as Body) : undefined) : raw;
      if (blocks.length > 1) this.duplicate(name, blocks);
      if (!body || typeof body !== 'object' || Array.isArray(body)) return this.fail(scan, name, 'Unsuitable value type', 'Unsuitable value: map of string required');
      if (kind === 'cfg') return configMap(body as Body, blocks[0]);
      const out: Obj = {};
      for (const k of Object.keys(body).sort()) {
        const v = (body as Body)[k];
        out[k] = kind === 'ms' ? this.scalar('s', v, blocks[0] ?? scan, k) : this.stringList(v, blocks[0] ?? scan, k);
      }
      return out;
    }
    if (isBlock) return this.fail(scan, name, 'Unsupported block type', `Blocks of type "${name}" are not expected here. Did you mean to define argument "${name}"? If so, use the equals sign to assign it a value.`);
    if (kind === 'ls') return raw === null ? null : this.stringList(raw, scan, name);
    if (kind === 'null') return null;
    return raw === null ? zero(kind) : this.scalar(kind, raw, scan, name);
  }

  /** Each block of type `name` with its hcl2json body, label and scanned node, in source order. */
  private blockBodies(raw: Value, name: string, shape: Shape, scanned: ScannedBlock[]): Array<{ body: Body; scan: ScannedBlock; label?: string }> {
    const labelled = shape.fields.some((x) => x.label);
    if (labelled) {
      if (Array.isArray(raw) || !raw || typeof raw !== 'object') {
        this.diags.push({ range: scanned[0]?.defRange, summary: `Missing name for ${name}`, detail: `All ${name} blocks must have 1 labels (name).` });
        return [];
      }
      const used = new Map<string, number>();
      return scanned.map((b) => {
        const label = b.labels[0];
        const n = used.get(label) ?? 0;
        used.set(label, n + 1);
        const list = (raw as Record<string, Value>)[label];
        return { body: ((Array.isArray(list) ? list[n] : undefined) ?? {}) as Body, scan: b, label };
      });
    }
    if (!Array.isArray(raw)) {
      this.diags.push({ range: scanned[0]?.defRange, summary: `Extraneous label for ${name}`, detail: `No labels are expected for ${name} blocks.` });
      return [];
    }
    return raw.map((body, i) => ({ body: body as Body, scan: scanned[i] ?? emptyScan(name) }));
  }

  /** jobspec2's decodeConstraint / decodeAffinity: `attribute`, `operator`, `value` and the operator shortcuts. */
  private decodePlacement(body: Body, shape: Shape, scan: ScannedBlock, out: Obj): void {
    const affinity = shape === AFFINITY;
    const shortcuts = affinity
      ? ['version', 'semver', 'regexp', 'set_contains_any', 'set_contains_all', 'set_contains']
      : ['version', 'semver', 'regexp', 'set_contains', 'distinct_hosts', 'distinct_property', 'set_contains_all', 'set_contains_any', 'is_set', 'is_not_set'];
    const known = ['attribute', 'value', 'operator', ...(affinity ? ['weight'] : []), ...shortcuts];
    const attr = (k: string) => (body[k] === undefined || body[k] === null ? '' : String(this.scalar('s', body[k], scan, k)));
    for (const k of Object.keys(body)) if (!known.includes(k)) this.unexpected(k, scan.blocks.some((b) => b.type === k), scan, shape);
    out.LTarget = attr('attribute');
    out.RTarget = attr('value');
    out.Operand = attr('operator');
    if (affinity && body.weight !== undefined && body.weight !== null) out.Weight = this.scalar('i', body.weight, scan, 'weight');
    const order = affinity ? shortcuts : ['version', 'semver', 'regexp', 'set_contains'];
    for (const op of order) {
      const v = attr(op);
      if (v) {
        out.Operand = op;
        out.RTarget = v;
      }
    }
    if (!affinity) {
      if (body.distinct_hosts !== undefined && body.distinct_hosts !== null) {
        out.Operand = 'distinct_hosts';
        out.RTarget = String(this.scalar('b', body.distinct_hosts, scan, 'distinct_hosts'));
      }
      const property = attr('distinct_property');
      if (property) {
        out.Operand = 'distinct_property';
        out.LTarget = property;
      }
    }
    if (!out.Operand) out.Operand = '=';
  }

  scalar(kind: string, v: Value, scan: ScannedBlock, name: string): unknown {
    const base = kind.replace(/^p/, '');
    if (base === 's') {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return this.fail(scan, name, 'Unsuitable value type', 'Unsuitable value: string required');
    }
    if (base === 'b') {
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return this.fail(scan, name, 'Unsuitable value type', 'Unsuitable value: a bool is required');
    }
    if (base === 'd') {
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      const ns = typeof v === 'string' ? parseGoDurationNs(v) : undefined;
      if (ns === undefined) {
        const why = typeof v === 'string' ? `time: invalid duration "${v}"` : 'expected a string';
        return this.fail(scan, name, 'Unsuitable value type', `Unsuitable duration value: ${why}`);
      }
      return ns;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;
    if (n === undefined) return this.fail(scan, name, 'Unsuitable value type', 'Unsuitable value: a number is required');
    if (!Number.isInteger(n)) return this.fail(scan, name, 'Unsuitable value type', 'Unsuitable value: value must be a whole number');
    return n;
  }

  private stringList(v: Value, scan: ScannedBlock, name: string): unknown {
    if (!Array.isArray(v)) return this.fail(scan, name, 'Unsuitable value type', 'Unsuitable value: list of string required');
    return v.map((x) => this.scalar('s', x, scan, name));
  }

  /** gohcl's text for a second block where the field holds one. */
  private duplicate(name: string, blocks: ScannedBlock[]): void {
    this.diags.push({ range: blocks[1].defRange, summary: `Duplicate ${name} block`, detail: `Only one ${name} block is allowed. Another was defined at ${formatRange('input.hcl', blocks[0].defRange)}.` });
  }

  private unexpected(key: string, isBlock: boolean, scan: ScannedBlock, shape: Shape): void {
    // `dynamic` blocks (hcl's dynblock extension) would need expression evaluation the simulator does not do
    if (isBlock && (shape.unsupported?.includes(key) || key === 'dynamic')) {
      const block = scan.blocks.find((b) => b.type === key);
      this.diags.push({ range: block?.typeRange, summary: 'Unsupported block type', detail: `The simulator's jobspec parser does not read "${key}" blocks (Nomad does); register this job as JSON, or parse it with a real Nomad.` });
    } else if (isBlock) {
      const block = scan.blocks.find((b) => b.type === key);
      this.diags.push({ range: block?.typeRange, summary: 'Unsupported block type', detail: `Blocks of type "${key}" are not expected here.` });
    } else {
      this.fail(scan, key, 'Unsupported argument', `An argument named "${key}" is not expected here.`);
    }
  }

  private fail(scan: ScannedBlock, name: string, summary: string, detail: string): undefined {
    const range: SourceRange | undefined = scan.attributes.find((a) => a.name === name)?.range ?? scan.blocks.find((b) => b.type === name)?.typeRange ?? scan.defRange;
    this.diags.push({ range, summary, detail });
    return undefined;
  }
}

function zero(kind: Kind): unknown {
  if (kind === 's') return '';
  if (kind === 'i' || kind === 'd') return 0;
  if (kind === 'b') return false;
  return null;
}

function labelValue(field: Field, label: string | undefined): unknown {
  return label ?? zero(field.kind);
}

function emptyScan(type: string): ScannedBlock {
  const r = { start: { line: 1, col: 1 }, end: { line: 1, col: 1 } };
  return { type, labels: [], defRange: r, typeRange: r, blocks: [], attributes: [] };
}

/**
 * A driver config as jobspec2 reads it (hclutil.BlocksAsAttrs): nested blocks become lists of objects, a
 * labelled block `{label: [body]}` inside that list, and an attribute holding an object is wrapped in a
 * one-element list. Keys sorted, as Go's encoder writes maps.
 */
function configMap(body: Body, scan: ScannedBlock | undefined): Obj {
  const out: Obj = {};
  for (const k of Object.keys(body).sort()) {
    const v = body[k];
    const blocks = scan?.blocks.filter((b) => b.type === k) ?? [];
    if (blocks.length && blocks[0].labels.length && v && typeof v === 'object' && !Array.isArray(v)) {
      const used = new Map<string, number>();
      out[k] = blocks.map((b) => {
        const n = used.get(b.labels[0]) ?? 0;
        used.set(b.labels[0], n + 1);
        const inner = ((v as Body)[b.labels[0]] as Value[] | undefined)?.[n] ?? {};
        return { [b.labels[0]]: [configMap(inner as Body, b)] };
      });
    } else if (blocks.length && Array.isArray(v)) {
      out[k] = v.map((inner, i) => configMap(inner as Body, blocks[i]));
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = [sortKeys(v)];
    } else {
      out[k] = sortKeys(v);
    }
  }
  return out;
}

function sortKeys(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Body)[k])]));
  return v;
}
