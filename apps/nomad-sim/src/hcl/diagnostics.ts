import type { SourceRange } from './block-scanner';

/**
 * HCL diagnostics as Nomad prints them: `<file>:<line>,<col>-<line>,<col>: <summary>; <detail>` (hcl's
 * Diagnostic.Error; the end line is left out when it is the start line), `<nil>` for a diagnostic without a
 * subject. Several from the syntax phase read `<first>, and N other diagnostic(s)`; several from decoding
 * are joined by newlines (jobspec2's decode).
 */
export interface Diagnostic {
  range?: SourceRange;
  summary: string;
  detail: string;
}

export class HclError extends Error {
  constructor(readonly diagnostics: Diagnostic[] | string, readonly file = 'input.hcl') {
    super(typeof diagnostics === 'string' ? diagnostics : diagnostics.map((d) => formatDiagnostic(d, file)).join('\n'));
  }
}

export function formatRange(file: string, r: SourceRange): string {
  const end = r.end.line === r.start.line ? `${r.end.col}` : `${r.end.line},${r.end.col}`;
  return `${file}:${r.start.line},${r.start.col}-${end}`;
}

export function formatDiagnostic(d: Diagnostic, file: string): string {
  return `${d.range ? formatRange(file, d.range) : '<nil>'}: ${d.summary}; ${d.detail}`;
}

/**
 * hcl2json reports syntax errors as `parse config: [<diag> <diag>...]` (a Go slice printed with %v); Nomad
 * prints hcl.Diagnostics.Error(): the first one, and how many others there were.
 */
export function syntaxErrorText(message: string, file: string): string {
  const inner = /^parse config: \[([\s\S]*)\]$/.exec(message)?.[1] ?? message;
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = inner.split(new RegExp(` (?=${escaped}:\\d+,\\d+)`));
  return parts.length > 1 ? `${parts[0]}, and ${parts.length - 1} other diagnostic(s)` : parts[0];
}
