import { multiError, nsToRfc3339, parseGoDurationMs, toJson } from './wire';

describe('wire helpers', () => {
  it('prints int64 nanoseconds exactly', () => {
    expect(toJson({ SubmitTime: 1795825023473721475n, Index: 7 })).toBe('{"SubmitTime":1795825023473721475,"Index":7}');
  });

  it('formats go-multierror text as Nomad returns it', () => {
    expect(multiError(['Missing job task groups'])).toBe('1 error occurred:\n\t* Missing job task groups\n\n');
    expect(multiError(['a', 'b'])).toBe('2 errors occurred:\n\t* a\n\t* b\n\n');
  });

  it('parses Go durations', () => {
    expect(parseGoDurationMs('300000ms')).toBe(300000);
    expect(parseGoDurationMs('5m')).toBe(300000);
    expect(parseGoDurationMs('1h2m3.5s')).toBe(3723500);
    expect(parseGoDurationMs('soon')).toBeUndefined();
    expect(parseGoDurationMs('5')).toBeUndefined();
  });

  it('keeps nanoseconds in RFC3339 times', () => {
    expect(nsToRfc3339(1795825023473721475n)).toBe('2026-11-28T00:17:03.473721475Z');
  });
});
