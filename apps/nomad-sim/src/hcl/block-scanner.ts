/**
 * The block structure of HCL source: each block's type, labels and position, and each attribute's name and
 * position, in source order. hcl2json (the real parser) gives values but sorts labelled blocks by label and
 * has no positions; Nomad keeps groups, tasks and ports in source order and names positions in its errors,
 * so the decoder reads order and positions from here. Runs only on source hcl2json has already accepted.
 */

export interface Pos {
  line: number;
  col: number;
}

export interface SourceRange {
  start: Pos;
  end: Pos;
}

export interface ScannedAttribute {
  name: string;
  range: SourceRange;
}

export interface ScannedBlock {
  type: string;
  labels: string[];
  /** from the type to the end of the last label: hcl's DefRange */
  defRange: SourceRange;
  typeRange: SourceRange;
  blocks: ScannedBlock[];
  attributes: ScannedAttribute[];
}

type Frame = { block?: ScannedBlock };

export function scanBlocks(src: string): ScannedBlock {
  const root: ScannedBlock = { type: '', labels: [], defRange: rangeAt(1, 1, 1, 1), typeRange: rangeAt(1, 1, 1, 1), blocks: [], attributes: [] };
  const stack: Frame[] = [{ block: root }];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let atStatement = true;
  const pos = (at: number): Pos => ({ line, col: at - lineStart + 1 });
  const advanceTo = (end: number) => {
    for (; i < end; i++) {
      if (src[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
  };
  while (i < src.length) {
    const c = src[i];
    const top = stack[stack.length - 1];
    if (c === '\n') {
      advanceTo(i + 1);
      if (top.block) atStatement = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      advanceTo(end < 0 ? src.length : end + 2);
      continue;
    }
    if (atStatement && top.block && /[A-Za-z_]/.test(c)) {
      const header = readHeader(src, i);
      if (header?.kind === 'block') {
        const startPos = pos(i);
        const typeEnd = { line, col: startPos.col + header.type.length };
        advanceTo(header.lastLabelEnd);
        const block: ScannedBlock = {
          type: header.type, labels: header.labels,
          defRange: { start: startPos, end: pos(header.lastLabelEnd) },
          typeRange: { start: startPos, end: typeEnd },
          blocks: [], attributes: [],
        };
        top.block.blocks.push(block);
        advanceTo(header.brace + 1);
        stack.push({ block });
        atStatement = true;
        continue;
      }
      if (header?.kind === 'attribute') {
        const start = pos(i);
        top.block.attributes.push({ name: header.type, range: { start, end: { line, col: start.col + header.type.length } } });
        atStatement = false;
        advanceTo(header.equals + 1);
        continue;
      }
    }
    atStatement = false;
    if (c === '"') {
      advanceTo(skipString(src, i));
    } else if (c === '<' && src[i + 1] === '<') {
      advanceTo(skipHeredoc(src, i));
    } else if (c === '{' || c === '[' || c === '(') {
      stack.push({});
      i++;
    } else if (c === '}' || c === ']' || c === ')') {
      if (stack.length > 1) stack.pop();
      i++;
      atStatement = !!stack[stack.length - 1].block;
    } else {
      i++;
    }
  }
  return root;
}

/** `type label "label" {` (a block) or `name =` (an attribute) starting at `at`. */
function readHeader(src: string, at: number): { kind: 'block'; type: string; labels: string[]; lastLabelEnd: number; brace: number } | { kind: 'attribute'; type: string; equals: number } | undefined {
  const ident = /[A-Za-z_][A-Za-z0-9_-]*/y;
  ident.lastIndex = at;
  const m = ident.exec(src);
  if (!m) return undefined;
  let j = at + m[0].length;
  const labels: string[] = [];
  let lastLabelEnd = j;
  for (;;) {
    while (src[j] === ' ' || src[j] === '\t') j++;
    if (src[j] === '=' && src[j + 1] !== '=') return { kind: 'attribute', type: m[0], equals: j };
    if (src[j] === '{') return { kind: 'block', type: m[0], labels, lastLabelEnd, brace: j };
    if (src[j] === '"') {
      const end = skipString(src, j);
      labels.push(JSON.parse(src.slice(j, end).replace(/\n/g, '\\n')) as string);
      j = lastLabelEnd = end;
      continue;
    }
    ident.lastIndex = j;
    const label = ident.exec(src);
    if (!label) return undefined;
    labels.push(label[0]);
    j = lastLabelEnd = j + label[0].length;
  }
}

/** The index after a quoted string starting at `at`, template interpolations (`${ ... }`) included. */
function skipString(src: string, at: number): number {
  let i = at + 1;
  while (i < src.length && src[i] !== '"') {
    if (src[i] === '\\') i += 2;
    else if (src[i] === '$' && src[i + 1] === '{') i = skipInterpolation(src, i + 2);
    else if (src[i] === '\n') return i;
    else i++;
  }
  return i + 1;
}

function skipInterpolation(src: string, at: number): number {
  let depth = 1;
  let i = at;
  while (i < src.length && depth > 0) {
    if (src[i] === '"') i = skipString(src, i);
    else {
      if (src[i] === '{') depth++;
      else if (src[i] === '}') depth--;
      i++;
    }
  }
  return i;
}

/** The index after a heredoc (`<<EOT` or `<<-EOT`) whose marker line starts at `at`. */
function skipHeredoc(src: string, at: number): number {
  const m = /<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/y;
  m.lastIndex = at;
  const found = m.exec(src);
  if (!found) return at + 2;
  const endMarker = new RegExp(`^[ \\t]*${found[1]}[ \\t]*$`, 'm');
  const rest = src.slice(m.lastIndex);
  const end = endMarker.exec(rest);
  return end ? m.lastIndex + end.index + end[0].length : src.length;
}

function rangeAt(sl: number, sc: number, el: number, ec: number): SourceRange {
  return { start: { line: sl, col: sc }, end: { line: el, col: ec } };
}
