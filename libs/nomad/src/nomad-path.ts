/** A path segment that cannot be sent: empty, or a dot segment that URL parsers remove (even as %2E%2E). */
export class UnaddressableSegmentError extends Error {
  constructor(segment: string) {
    super(`'${segment}' cannot be used as a Nomad path segment: URL parsers drop empty and dot segments`);
  }
}

/**
 * Builds a Nomad API path from literal parts and caller-supplied segments. Every segment is
 * percent-encoded on its own (`/` -> %2F, `?` -> %3F, `#` -> %23), so no value can change which endpoint
 * is called. `.`/`..` are refused: WHATWG URL parsing turns `/v1/job/%2E%2E` into `/v1/`.
 */
export function encodeSegment(segment: string): string {
  if (segment === '' || /^\.{1,2}$/.test(segment)) throw new UnaddressableSegmentError(segment);
  return encodeURIComponent(segment);
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
