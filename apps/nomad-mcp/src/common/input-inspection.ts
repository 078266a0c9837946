import type { FieldError } from './validation';

/**
 * Checks of raw input (a parsed JSON body, MCP tool arguments, query and path values) that class-validator
 * cannot make, because class-transformer runs first and fails or hides things:
 * - depth: its recursion overflows the stack on JSON nested a few thousand deep (a 500);
 * - keys named like Object.prototype members (`toString`, `constructor`, `__proto__`, ...): it skips them
 *   (or sets the prototype), so `forbidNonWhitelisted` never sees them and the action runs without a word;
 * - lone UTF-16 surrogates (`"\ud800"`): valid JSON, but not text; encodeURIComponent throws on them (a 500)
 *   and Nomad would receive mangled bytes.
 */


/** Deepest nesting a DTO input may have (the deepest DTO is 3 levels: create-job ports and env_vars). */
export const MAX_INPUT_DEPTH = 32;
const MAX_PROBLEMS = 10;

// `prototype` too: class-transformer skips it the same way (found by the fuzz test: create-job ran with it)
const BUILT_IN_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const hasLoneSurrogate = (text: string) => LONE_SURROGATE.test(text);

/** `a.b[0].c`, the field names validation errors use. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** A printable name for a key that may itself hold a lone surrogate. */
const printable = (key: string) => (hasLoneSurrogate(key) ? JSON.stringify(key).slice(1, -1) : key);

interface Frame {
  value: unknown;
  path: string;
  depth: number;
}

/** Walks `value` without recursion (it may be deeper than the stack), calling `visit` for each node. */
function walk(value: unknown, visit: (frame: Frame) => 'stop' | 'skip' | void): void {
  const stack: Frame[] = [{ value, path: '', depth: 0 }];
  while (stack.length) {
    const frame = stack.pop()!;
    const verdict = visit(frame);
    if (verdict === 'stop') return;
    if (verdict === 'skip' || !frame.value || typeof frame.value !== 'object') continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(frame.value) ? frame.value.map((v, i) => [i, v]) : Object.entries(frame.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      stack.push({ value: child, path: childPath(frame.path, typeof key === 'string' ? printable(key) : key), depth: frame.depth + 1 });
    }
  }
}

/** The top-level field under which `value` nests deeper than `max` ('' for the value itself), or undefined. */
export function nestingDeeperThan(value: unknown, max: number): string | undefined {
  let field: string | undefined;
  walk(value, ({ value: v, path, depth }) => {
    if (depth < max || !v || typeof v !== 'object') return;
    field = /^[^.[]*/.exec(path)![0];
    return 'stop';
  });
  return field;
}

/** Problems of raw input, each naming its field; empty when there are none. */
export function inspectInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): FieldError[] {
  const problems: FieldError[] = [];
  walk(value, ({ value: v, path, depth }) => {
    if (problems.length >= MAX_PROBLEMS) return 'stop';
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) problems.push({ field: path || 'value', reasons: ['contains a lone surrogate, which is not valid Unicode text'] });
      return;
    }
    if (!v || typeof v !== 'object') return;
    if (depth >= maxDepth) {
      problems.push({ field: path || 'value', reasons: [`nested deeper than ${maxDepth} levels`] });
      return 'skip';
    }
    if (Array.isArray(v)) return;
    for (const key of Object.keys(v)) {
      const field = childPath(path, printable(key));
      if (BUILT_IN_NAMES.has(key)) problems.push({ field, reasons: [`property ${key} should not exist`] });
      else if (hasLoneSurrogate(key)) problems.push({ field, reasons: ['the name contains a lone surrogate, which is not valid Unicode text'] });
    }
  });
  return problems;
}
