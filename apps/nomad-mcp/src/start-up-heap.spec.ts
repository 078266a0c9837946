import { execFileSync } from 'node:child_process';
import { heapFlags } from './start-up-heap';

describe('heapFlags', () => {
  it('keeps the young generation small and the old one growing by half, unless node was told otherwise', () => {
    expect(heapFlags([])).toEqual(['--semi-space-growth-factor=1', '--heap-growing-percent=50']);
    expect(heapFlags(['--max-semi-space-size=64'])).toEqual(['--heap-growing-percent=50']);
    expect(heapFlags(['--min_semi_space_size=8', '--heap-growing-percent=100'])).toEqual([]);
    expect(heapFlags(['--semi-space-growth-factor=2', '--max-old-space-size=512'])).toEqual(['--heap-growing-percent=50']);
  });

  it('the young generation of a process that sets the flags stays at its starting size while much survives', () => {
    // what module loading does: keep allocating what survives; V8 would double the young generation each time
    const script = (set: boolean) => `
      ${set ? "require('v8').setFlagsFromString('--semi-space-growth-factor=1');" : ''}
      const keep = [];
      for (let i = 0; i < 400000; i++) keep.push({ i, s: 'x' + i });
      const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
      process.stdout.write(String(s.space_size));`;
    const youngMb = (set: boolean) => Number(execFileSync(process.execPath, ['-e', script(set)], { encoding: 'utf8' })) / 2 ** 20;
    expect(youngMb(false)).toBeGreaterThan(8);
    expect(youngMb(true)).toBeLessThanOrEqual(4);
  });
});
