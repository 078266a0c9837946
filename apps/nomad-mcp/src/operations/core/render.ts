import type { OperationResult } from './operation';

/**
 * Text renderings of answers for models that read a tool's `content` only. The rule: the sentence first,
 * then the data in its most compact readable form (key: value lines, small tables) — never a second copy
 * of the JSON that `structuredContent` already carries.
 */

type Row = Record<string, unknown>;

/** A scalar as a short string: null/undefined as '-', objects as k=v pairs. */
export function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) return v.length ? v.map(cell).join(',') : '-';
  if (typeof v === 'object') {
    const parts = Object.entries(v as Row).filter(([, x]) => x !== 0 && x !== null && x !== undefined && x !== false).map(([k, x]) => `${k}=${cell(x)}`);
    return parts.join(' ') || '-';
  }
  return String(v).replace(/\s+/g, ' ');
}

/** Rows as an aligned text table with a header line; `columns` picks and orders the fields. */
export function table(rows: Row[], columns: string[], headers: string[] = columns): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  return [line(headers), ...cells.map(line)].join('\n');
}

/** `key: value` lines for the scalar fields of an answer (objects as k=v, arrays of scalars joined). */
export function fields(data: Row, keys: string[] = Object.keys(data)): string {
  return keys.filter((k) => k in data && !isRowList(data[k])).map((k) => `${k}: ${cell(data[k])}`).join('\n');
}

/** `key: value` lines of the fields that hold something (null, undefined and '' are left out). */
export function presentFields(data: Row): string {
  return fields(Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null && v !== undefined && v !== '')));
}

function isRowList(v: unknown): v is Row[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => x && typeof x === 'object' && !Array.isArray(x));
}

/** The default rendering: the sentence, the scalar fields, then each list of objects as a table. */
export function renderResult(result: OperationResult): string {
  const { message, ...data } = result as OperationResult & Row;
  const parts = [message];
  const scalars = fields(data);
  if (scalars) parts.push(scalars);
  for (const [k, v] of Object.entries(data)) {
    if (!isRowList(v)) continue;
    const columns = [...new Set(v.flatMap((r) => Object.keys(r)))];
    parts.push(`${k}:\n${table(v, columns)}`);
  }
  return parts.join('\n\n');
}

/** A long text (a driver's error, a description) cut for a table cell; the JSON answer keeps it whole. */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The first 8 characters of a Nomad UUID, as the nomad CLI shows them (and as ID prefixes are accepted). */
export const shortId = (id: string) => id.slice(0, 8);
