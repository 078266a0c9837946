import { LogFile, parseSize } from './logs';

const spec = (over: Partial<ConstructorParameters<typeof LogFile>[0]> = {}) =>
  new LogFile({ startedAtMs: Date.UTC(2026, 10, 28, 0, 0, 0), image: 'nginx:1.27', taskName: 'web', type: 'stdout', historyBytes: 0, batch: false, ...over });

describe('LogFile', () => {
  it('grows by one line per interval while the task runs, and stops when it stops', () => {
    const start = Date.UTC(2026, 10, 28, 0, 0, 0);
    const f = spec({ stoppedAtMs: start + 10_000 });
    const s0 = f.size(start);
    const s5 = f.size(start + 5_000);
    expect(s5).toBeGreaterThan(s0);
    expect(f.size(start + 60_000)).toBe(f.size(start + 10_000));
    expect(f.read(0, s5).toString().split('\n').filter(Boolean)).toHaveLength(6 + 5);
  });

  it('reads any byte range consistently with the whole file', () => {
    const start = Date.UTC(2026, 10, 28, 0, 0, 0);
    const f = spec();
    const end = f.size(start + 40_000);
    const whole = f.read(0, end);
    for (const [a, b] of [[0, 10], [5, 700], [613, 614], [end - 100, end], [100, end]]) {
      expect(f.read(a, b).equals(whole.subarray(a, b))).toBe(true);
    }
    expect(whole.toString()).toMatch(/^\/docker-entrypoint\.sh/);
    expect(whole.toString().split('\n')[6]).toMatch(/^10\.0\.0\.10 - - \[28\/Nov\/2026:00:00:01 \+0000\] "GET \/ HTTP\/1\.1" 200 615/);
  });

  it('addresses a 500 MB history without materialising it', () => {
    const f = spec({ historyBytes: 500 * 1024 * 1024 });
    const size = f.size(Date.UTC(2026, 10, 28, 0, 0, 0));
    expect(size).toBeGreaterThan(500 * 1024 * 1024 - 2048);
    const before = process.memoryUsage().heapUsed;
    const tail = f.read(size - 4096, size).toString();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5 * 1024 * 1024);
    expect(tail.endsWith('\n')).toBe(true);
  });

  it('parses sizes', () => {
    expect(parseSize('500MB')).toBe(500 * 1024 * 1024);
    expect(parseSize('1gb')).toBe(1024 ** 3);
    expect(parseSize('12')).toBe(12);
    expect(parseSize('lots')).toBe(0);
  });
});
