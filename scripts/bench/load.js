/** Closed-loop load: `concurrency` callers, each calling again as soon as its answer is in, for `seconds`. */

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/**
 * Runs `call` (resolves true when the answer was right) and returns calls per second, p50/p99 latency (ms)
 * and failures. A short warm-up first, so JIT and connection set-up are not measured.
 */
async function load(call, { concurrency = 16, seconds = 5, warmupMs = 500 } = {}) {
  const run = async (ms, latencies) => {
    let failed = 0;
    let firstError;
    const deadline = performance.now() + ms;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await call().catch((e) => ((firstError ??= e.message), false));
        latencies?.push(performance.now() - t0);
        if (!ok) failed++;
      }
    }));
    return { failed, firstError };
  };
  await run(warmupMs);
  const latencies = [];
  const t0 = performance.now();
  const { failed, firstError } = await run(seconds * 1000, latencies);
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { calls: latencies.length, rps: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99), failed, firstError };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

module.exports = { load, median, pct };
