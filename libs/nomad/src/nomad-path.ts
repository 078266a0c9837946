/**
 * Builds a Nomad API path from literal parts and caller-supplied segments. Every segment is
 * percent-encoded on its own (`/` -> %2F, `?` -> %3F), and the dot segments `.`/`..` are encoded too,
 * because URL normalisation would otherwise turn `/v1/job/..` into `/v1/`.
 */
export function encodeSegment(segment: string): string {
  return segment === '.' || segment === '..' ? segment.replace(/\./g, '%2E') : encodeURIComponent(segment);
}

/** nomadPath`job/${id}/allocations` -> /v1/job/<encoded id>/allocations */
export function nomadPath(strings: TemplateStringsArray, ...segments: string[]): string {
  let out = '/v1/';
  strings.forEach((literal, i) => {
    out += literal;
    if (i < segments.length) out += encodeSegment(String(segments[i]));
  });
  return out;
}
