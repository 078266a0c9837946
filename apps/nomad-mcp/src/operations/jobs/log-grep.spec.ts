import { grepLines, lineFilter } from './log-grep';

describe('log grep', () => {
  const lines = ['GET /a 200', 'GET /b 500 upstream timeout', 'POST /c 201', 'GET /d 502 bad gateway'];

  it('keeps lines holding a substring, or matching /pattern/i, the newest last', () => {
    expect(grepLines(lines, lineFilter('GET'), 10).lines).toEqual(['GET /a 200', 'GET /b 500 upstream timeout', 'GET /d 502 bad gateway']);
    expect(grepLines(lines, lineFilter('/ 5\\d\\d /'), 10).lines).toEqual(['GET /b 500 upstream timeout', 'GET /d 502 bad gateway']);
    expect(grepLines(lines, lineFilter('/TIMEOUT/i'), 10).lines).toEqual(['GET /b 500 upstream timeout']);
    expect(grepLines(lines, lineFilter('GET'), 1).lines).toEqual(['GET /d 502 bad gateway']);
  });

  it('refuses patterns that can take exponential time, and invalid ones, saying what to do', () => {
    expect(() => lineFilter('/(a+)+$/')).toThrow(/exponential time/);
    expect(() => lineFilter('/(\\w+)\\1/')).toThrow(/exponential time/);
    expect(() => lineFilter('/([a-z/')).toThrow(/not a valid regular expression/);
  });

  it('stops at its time budget on a huge input and says so', () => {
    const many = Array.from({ length: 2_000_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const r = grepLines(many, (l) => l.endsWith('never'), 10);
    expect(r.lines).toEqual([]);
    expect(r.outOfTime || r.scanned === many.length).toBe(true);
  });
});
