/**
 * A go-bexpr subset for `?filter=`: selectors (dotted paths, evaluated against the full object), the
 * operators ==, !=, contains, not contains, in, not in, matches, not matches, is empty, is not empty,
 * and `and` / `or` / `not` with parentheses. Anything else is a parse error, which Nomad reports as 400.
 */

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; expr: Node }
  | { kind: 'match'; selector: string[]; op: string; value?: string | number | boolean };

export class FilterError extends Error {}

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(==|!=|\(|\))|([A-Za-z0-9_.\-\[\]/:*]+))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new FilterError(`1:${pos + 1} (${pos}): no match found, expected: "!=", "(", "==", [ \\t\\r\\n] or [a-zA-Z]`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
    pos = re.lastIndex;
  }
  return out;
}

export function parseFilter(src: string): (obj: unknown) => boolean {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const value = (): string | number | boolean => {
    const t = next();
    if (t === undefined) throw new FilterError('unexpected end of expression, expected a value');
    if (t.startsWith('"')) return JSON.parse(t);
    if (t.startsWith('`')) return t.slice(1, -1);
    if (t === 'true' || t === 'false') return t === 'true';
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    return t;
  };
  const primary = (): Node => {
    if (peek() === 'not') {
      next();
      return { kind: 'not', expr: primary() };
    }
    if (peek() === '(') {
      next();
      const e = or();
      if (next() !== ')') throw new FilterError('missing closing parenthesis');
      return e;
    }
    const t = next();
    if (!t || /^["`(]/.test(t)) {
      // `"value" in Selector` form
      if (t && /^["`]/.test(t)) {
        const v = t.startsWith('"') ? JSON.parse(t) : t.slice(1, -1);
        let negate = false;
        if (peek() === 'not') { next(); negate = true; }
        const op = next();
        if (op !== 'in') throw new FilterError(`unexpected token ${op ?? 'EOF'}, expected "in"`);
        const sel = next();
        if (!sel) throw new FilterError('expected a selector');
        return { kind: 'match', selector: sel.split('.'), op: negate ? 'not contains' : 'contains', value: v };
      }
      throw new FilterError(`unexpected token ${t ?? 'EOF'}, expected a selector`);
    }
    const selector = t.split('.');
    let op = next();
    if (op === 'is') {
      const neg = peek() === 'not' ? (next(), true) : false;
      if (next() !== 'empty') throw new FilterError('expected "empty" after "is"');
      return { kind: 'match', selector, op: neg ? 'is not empty' : 'is empty' };
    }
    if (op === 'not') op = `not ${next()}`;
    if (!['==', '!=', 'contains', 'not contains', 'matches', 'not matches', 'in', 'not in'].includes(op ?? '')) {
      throw new FilterError(`unexpected token ${op ?? 'EOF'}, expected an operator`);
    }
    return { kind: 'match', selector, op: op!, value: value() };
  };
  const and = (): Node => {
    let left = primary();
    while (peek() === 'and') { next(); left = { kind: 'and', left, right: primary() }; }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === 'or') { next(); left = { kind: 'or', left, right: and() }; }
    return left;
  };
  if (toks.length === 0) throw new FilterError('empty filter expression');
  const tree = or();
  if (i < toks.length) throw new FilterError(`unexpected token ${toks[i]}`);
  return (obj) => evaluate(tree, obj);
}

function select(obj: unknown, path: string[]): unknown {
  let cur: any = obj;
  for (const p of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = cur[p];
  }
  return cur;
}

function evaluate(n: Node, obj: unknown): boolean {
  switch (n.kind) {
    case 'and': return evaluate(n.left, obj) && evaluate(n.right, obj);
    case 'or': return evaluate(n.left, obj) || evaluate(n.right, obj);
    case 'not': return !evaluate(n.expr, obj);
  }
  const v = select(obj, n.selector);
  const s = (x: unknown) => (typeof x === 'bigint' ? x.toString() : String(x));
  const contains = () =>
    Array.isArray(v) ? v.some((x) => s(x) === s(n.value)) : v && typeof v === 'object' ? s(n.value) in v : typeof v === 'string' && v.includes(s(n.value));
  switch (n.op) {
    case '==': return v !== undefined && s(v) === s(n.value);
    case '!=': return v === undefined || s(v) !== s(n.value);
    case 'contains': case 'in': return !!contains();
    case 'not contains': case 'not in': return !contains();
    case 'matches': return typeof v === 'string' && new RegExp(s(n.value)).test(v);
    case 'not matches': return !(typeof v === 'string' && new RegExp(s(n.value)).test(v));
    case 'is empty': return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0);
    case 'is not empty': return !(v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0));
  }
  return false;
}
