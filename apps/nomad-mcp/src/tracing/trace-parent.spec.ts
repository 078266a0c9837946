import { parseTraceParent } from './trace-parent';

describe('parseTraceParent', () => {
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const span = '00f067aa0ba902b7';

  it('reads the trace, the parent span and whether it was sampled', () => {
    expect(parseTraceParent(`00-${trace}-${span}-01`)).toEqual({ traceId: trace, spanId: span, traceFlags: 1 });
    expect(parseTraceParent(`00-${trace}-${span}-00`)).toEqual({ traceId: trace, spanId: span, traceFlags: 0 });
    // a header given twice: the first
    expect(parseTraceParent([`00-${trace}-${span}-01`, 'junk'])?.spanId).toBe(span);
    // a later version may carry more fields
    expect(parseTraceParent(`01-${trace}-${span}-01-extra`)?.traceId).toBe(trace);
  });

  it('ignores what the specification says to ignore: then the operation starts its own trace', () => {
    for (const bad of [undefined, '', 42, 'garbage', `00-${trace}-${span}`, `00-${trace.toUpperCase()}-${span}-01`, `ff-${trace}-${span}-01`,
      `00-${'0'.repeat(32)}-${span}-01`, `00-${trace}-${'0'.repeat(16)}-01`, `00-${trace}-${span}-01-extra`, `00-${trace}1-${span}-01`]) {
      expect(parseTraceParent(bad)).toBeUndefined();
    }
  });
});
