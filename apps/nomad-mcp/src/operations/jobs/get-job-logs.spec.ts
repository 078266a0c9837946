import { lineStamp, mergeByTime } from './get-job-logs.op';

describe('lineStamp', () => {
  it('reads ISO 8601, Go log and Common Log Format times wherever they stand in the line', () => {
    expect(lineStamp('[03eb20fc] 2026-11-30T21:12:46.123Z INFO ready')).toBe('2026-11-30T21:12:46.123');
    expect(lineStamp('[03eb20fc] 2026/11/30 21:12:46 [notice] 1#1: start worker')).toBe('2026-11-30T21:12:46');
    expect(lineStamp('[03eb20fc] 10.0.0.10 - - [30/Nov/2026:21:12:46 +0000] "GET / HTTP/1.1" 200 615')).toBe('2026-11-30T21:12:46');
    expect(lineStamp('[03eb20fc]     at Object.<anonymous> (/app/index.js:3:9)')).toBeUndefined();
  });
});

describe('mergeByTime', () => {
  const a = ['[aaaaaaaa] 10.0.0.1 - - [30/Nov/2026:21:00:01 +0000] "GET /a"', '[aaaaaaaa] 10.0.0.1 - - [30/Nov/2026:21:00:05 +0000] "GET /b"'];
  const b = ['[bbbbbbbb] 2026/11/30 21:00:03 [error] upstream timed out', '[bbbbbbbb]   while reading the response', '[bbbbbbbb] 10.0.0.2 - - [30/Nov/2026:21:00:04 +0000] "GET /c"'];

  it('interleaves stamped lines by time; a line without a stamp stays after the line before it', () => {
    expect(mergeByTime([a, b], 10)).toEqual({ ordered: true, lines: [a[0], b[0], b[1], b[2], a[1]] });
    expect(mergeByTime([a, b], 2).lines).toEqual([b[2], a[1]]);
  });

  it('without stamps to order by, gives each allocation its newest share, grouped, and says it is not ordered', () => {
    const plain = (tag: string) => Array.from({ length: 5 }, (_, i) => `[${tag}] line ${i}`);
    expect(mergeByTime([plain('aaaaaaaa'), plain('bbbbbbbb')], 4)).toEqual({
      ordered: false, lines: ['[aaaaaaaa] line 3', '[aaaaaaaa] line 4', '[bbbbbbbb] line 3', '[bbbbbbbb] line 4'],
    });
  });
});
