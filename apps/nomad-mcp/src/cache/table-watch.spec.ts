import { IndexReader, TableWatch } from './table-watch';

/**
 * A Nomad table as the watch sees it: its index, blocking queries held until it moves or their wait passes,
 * and a switch that makes reads fail (Nomad down). Every request is recorded.
 */
function fakeTable(start = 10, plainDelayMs = 0) {
  const state = { index: start, down: false, requests: [] as Array<number | undefined> };
  const held = new Set<() => void>();
  const read: IndexReader = ({ index, waitMs, signal }) => {
    state.requests.push(index);
    if (state.down) return Promise.reject(new Error('connection refused'));
    if (index === undefined && plainDelayMs) return new Promise((resolve) => setTimeout(() => resolve(state.index), plainDelayMs));
    if (index === undefined || state.index > index) return Promise.resolve(state.index);
    return new Promise((resolve, reject) => {
      const answer = () => {
        clearTimeout(timer);
        held.delete(check);
        signal.removeEventListener('abort', onAbort);
      };
      const check = () => {
        if (state.down) (answer(), reject(new Error('connection reset')));
        else if (state.index > index) (answer(), resolve(state.index));
      };
      const onAbort = () => (answer(), reject(signal.reason));
      const timer = setTimeout(() => (answer(), resolve(state.index)), waitMs);
      held.add(check);
      signal.addEventListener('abort', onAbort);
    });
  };
  const set = (patch: Partial<typeof state>) => {
    Object.assign(state, patch);
    for (const c of [...held]) c();
  };
  return { state, read, set };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('TableWatch', () => {
  let watch: TableWatch | undefined;
  afterEach(() => watch?.stop());

  it('reads the index at once, then holds blocking queries on it and follows every change', async () => {
    const t = fakeTable(10);
    watch = new TableWatch('jobs', t.read, { waitMs: 5000, onBackwards: () => undefined });
    watch.start();
    expect(await watch.answeredSince(0, 1000)).toBe(true);
    expect(watch.index).toBe(10);
    await tick();
    expect(t.state.requests).toEqual([undefined, 10]);
    t.set({ index: 11 });
    await tick();
    expect(watch.index).toBe(11);
    expect(t.state.requests).toEqual([undefined, 10, 11]);
    // the change answered the held query: confirmed just now, not at the end of its 5 s wait
    expect(watch.staleness()).toBeLessThan(1000);
  });

  it('is confirmed at least every wait while nothing changes, so its staleness stays under the wait', async () => {
    const t = fakeTable(10);
    watch = new TableWatch('allocs', t.read, { waitMs: 60, onBackwards: () => undefined });
    watch.start();
    await tick(400);
    expect(t.state.requests.length).toBeGreaterThanOrEqual(3);
    expect(watch.staleness()).toBeLessThan(300);
  });

  it('after a failure retries without blocking, so a Nomad back on a lower index is seen at once and reported', async () => {
    const t = fakeTable(50);
    const backwards: string[] = [];
    watch = new TableWatch('evals', t.read, { waitMs: 5000, retryMs: 10, onBackwards: (table) => backwards.push(table) });
    watch.start();
    await watch.answeredSince(0, 1000);
    await tick();
    t.set({ down: true });
    await tick(30);
    expect(watch.failing).toBe(true);
    const staleAt = watch.staleness();
    await tick(30);
    expect(watch.staleness()).toBeGreaterThan(staleAt);
    const since = performance.now();
    const beforeRecovery = t.state.requests.length;
    t.set({ down: false, index: 3 });
    expect(await watch.answeredSince(since, 1000)).toBe(true);
    expect(watch.index).toBe(3);
    expect(watch.failing).toBe(false);
    expect(backwards).toEqual(['evals']);
    // the retries were plain reads: a blocking query for index 50 would have waited out its 5 s
    expect(t.state.requests.slice(2, beforeRecovery + 1).every((i) => i === undefined)).toBe(true);
    expect(t.state.requests.length).toBeGreaterThan(beforeRecovery);
  });

  it('sync() answers a read after a write now, instead of after the held query', async () => {
    const t = fakeTable(7);
    watch = new TableWatch('deployments', t.read, { waitMs: 5000, onBackwards: () => undefined });
    watch.start();
    await watch.answeredSince(0, 1000);
    await tick();
    const wroteAt = performance.now();
    expect(watch.answeredAfter(wroteAt)).toBe(false);
    watch.sync();
    expect(await watch.answeredSince(wroteAt, 200)).toBe(true);
    expect(watch.failing).toBe(false);
  });

  it('a stream of reads after a write does not starve the re-read they wait for', async () => {
    const t = fakeTable(7, 30);
    watch = new TableWatch('jobs', t.read, { waitMs: 5000, onBackwards: () => undefined });
    watch.start();
    await watch.answeredSince(0, 1000);
    await tick();
    const wroteAt = performance.now();
    const answered = watch.answeredSince(wroteAt, 1000);
    const every = setInterval(() => watch!.sync(), 3);
    try {
      expect(await answered).toBe(true);
    } finally {
      clearInterval(every);
    }
  });

  it('while its long query is held, counts as confirmed whenever the heartbeat is; once that stops, its own age counts', async () => {
    const t = fakeTable(7);
    let beat = performance.now();
    watch = new TableWatch('allocs', t.read, { waitMs: 60_000, onBackwards: () => undefined, heartbeat: () => beat });
    watch.start();
    await watch.answeredSince(0, 1000);
    await tick(150);
    beat = performance.now();
    expect(watch.staleness()).toBeLessThan(50);
    beat = -Infinity;
    expect(watch.staleness()).toBeGreaterThanOrEqual(140);
    // Nomad goes away: the held query fails; what the heartbeat last vouched for is kept, and ages from there
    beat = performance.now();
    t.set({ down: true });
    await tick(20);
    expect(watch.failing).toBe(true);
    expect(watch.staleness()).toBeLessThan(150);
  });

  it('stop() ends the loop and forgets the index; answeredSince then resolves false', async () => {
    const t = fakeTable(7);
    watch = new TableWatch('nodes', t.read, { waitMs: 5000, onBackwards: () => undefined });
    watch.start();
    await watch.answeredSince(0, 1000);
    const pending = watch.answeredSince(performance.now() + 1, 5000);
    watch.stop();
    expect(await pending).toBe(false);
    expect(watch.known).toBe(false);
    const count = t.state.requests.length;
    await tick(30);
    expect(t.state.requests.length).toBe(count);
  });
});
