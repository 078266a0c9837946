import type { SourceRange } from './block-scanner';
import type { Diagnostic } from './diagnostics';

/**
 * Evaluation of the expressions hcl2json leaves as `${...}` text, the way jobspec2 evaluates them:
 * `var.<name>` and `local.<name>` (with `.attr` and `[index]` after them) are replaced by their values; any
 * other reference (`${NOMAD_PORT_http}`, `${attr.kernel.name}`, `${meta.x}`) is a runtime interpolation and
 * stays as written, as jobspec2's UndefinedVariable hook keeps it. Function calls, operators and template
 * directives are not evaluated here: they are refused with a diagnostic that says so.
 */

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

export interface Scope {
  vars: Record<string, Value>;
  locals: Record<string, Value>;
  /** the job file's text, to point diagnostics at an expression */
  source: string;
}

export class EvalError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.summary}; ${diagnostic.detail}`);
  }
}

/** The range of the first occurrence of `text` in `source` (positions for diagnostics). */
export function locate(source: string, text: string): SourceRange | undefined {
  const at = source.indexOf(text);
  if (at < 0) return undefined;
  const before = source.slice(0, at).split('\n');
  const line = before.length;
  const col = before[before.length - 1].length + 1;
  const lines = text.split('\n');
  const endLine = line + lines.length - 1;
  const endCol = lines.length > 1 ? lines[lines.length - 1].length + 1 : col + text.length;
  return { start: { line, col }, end: { line: endLine, col: endCol } };
}

/** Evaluates every string in `value` (objects and lists walked); `onlyKnown` leaves unknown roots alone. */
export function evaluate(value: Value, scope: Scope): Value {
  if (typeof value === 'string') return evaluateString(value, scope);
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (value && typeof value === 'object') {
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(value)) out[k] = evaluate(v, scope);
    return out;
  }
  return value;
}

const TRAVERSAL = /^([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["[^"]*"\])*)$/;

/** A template string: `${...}` parts evaluated; a string that is one interpolation keeps the value's type. */
export function evaluateString(text: string, scope: Scope): Value {
  const parts = splitTemplate(text);
  if (parts.length === 1 && parts[0].kind === 'expr') {
    const v = evalExpr(parts[0].text, scope);
    return v === undefined ? `\${${parts[0].text}}` : v;
  }
  let out = '';
  for (const p of parts) {
    if (p.kind === 'literal') out += p.text;
    else if (p.kind === 'directive') {
      throw new EvalError({
        range: locate(scope.source, `%{`), summary: 'Unsupported template directive',
        detail: `The simulator does not evaluate template directives such as "%{${p.text}}"; write the value out, or parse the job with a real Nomad.`,
      });
    } else {
      const v = evalExpr(p.text, scope);
      if (v === undefined) out += `\${${p.text}}`;
      else if (v === null) throw invalidInterpolation(p.text, scope, 'the value is null');
      else if (typeof v === 'object') throw invalidInterpolation(p.text, scope, 'string required');
      else out += String(v);
    }
  }
  return out;
}

function invalidInterpolation(expr: string, scope: Scope, why: string): EvalError {
  return new EvalError({ range: locate(scope.source, expr), summary: 'Invalid template interpolation value', detail: `Cannot include the given value in a string template: ${why}.` });
}

/** The value of `var.x`/`local.x` references, or undefined for a runtime interpolation kept as text. */
function evalExpr(expr: string, scope: Scope): Value | undefined {
  const m = TRAVERSAL.exec(expr.trim());
  if (!m) {
    throw new EvalError({
      range: locate(scope.source, expr), summary: 'Unsupported expression',
      // the range says where; the expression itself is not quoted (it may hold a secret: lower("…"))
      detail: 'The simulator evaluates var.* and local.* references only, not function calls or other expressions; write the value out, or parse the job with a real Nomad.',
    });
  }
  const root = m[1];
  if (root !== 'var' && root !== 'local') return undefined;
  const steps = [...m[2].matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["([^"]*)"\]/g)].map((s) => s[1] ?? s[3] ?? Number(s[2]));
  let cur: Value | undefined = root === 'var' ? scope.vars : scope.locals;
  for (const [n, step] of steps.entries()) {
    const next: Value | undefined = cur && typeof cur === 'object' ? (cur as Record<string, Value>)[step as string] : undefined;
    if (next === undefined) {
      throw new EvalError({
        range: locate(scope.source, expr), summary: 'Unsupported attribute',
        detail: `This object does not have an attribute named "${String(step)}".${n === 0 ? `` : ''}`,
      });
    }
    cur = next;
  }
  return cur;
}

type Part = { kind: 'literal' | 'expr' | 'directive'; text: string };

/** Splits a template into literal text (escapes `$${` and `%%{` undone), `${...}` and `%{...}` parts. */
function splitTemplate(text: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    const three = text.slice(i, i + 3);
    if (three === '$${' || three === '%%{') {
      lit += three.slice(1);
      i += 3;
    } else if (two === '${' || two === '%{') {
      const end = matchBrace(text, i + 2);
      if (lit) parts.push({ kind: 'literal', text: lit });
      lit = '';
      parts.push({ kind: two === '${' ? 'expr' : 'directive', text: text.slice(i + 2, end).trim() });
      i = end + 1;
    } else {
      lit += text[i];
      i++;
    }
  }
  if (lit || parts.length === 0) parts.push({ kind: 'literal', text: lit });
  return parts;
}

function matchBrace(text: string, at: number): number {
  let depth = 1;
  let i = at;
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return text.length;
}
