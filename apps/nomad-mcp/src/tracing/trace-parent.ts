/*
 * The W3C Trace Context `traceparent` a caller sends (REST header, MCP `params._meta.traceparent`): read here
 * without OpenTelemetry, so the request path loads nothing when tracing is off.
 */

/** The caller's span: the trace to continue and the span that becomes the parent. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** Bit 0: the caller sampled its span (W3C trace-flags). */
  traceFlags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The parent a `traceparent` value names, or undefined when it is absent or malformed (then the operation
 * starts a trace of its own, as the specification says). Version 00 has exactly four fields; later versions
 * may append more, which are ignored.
 */
export function parseTraceParent(value: unknown): TraceParent | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.length > 512) return undefined;
  const m = TRACEPARENT.exec(text.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}
