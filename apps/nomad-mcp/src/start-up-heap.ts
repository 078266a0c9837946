import { setFlagsFromString } from 'node:v8';

/*
 * V8's defaults suit a browser tab or a batch job with the machine to itself; this service runs next to Nomad,
 * often under a Nomad memory limit, and holds little (some 40 MB live). Two settings keep its footprint near that:
 *
 * - Loading the modules allocates much that survives, and V8 answers that by doubling the young generation up to
 *   its 2 x 16 MB maximum, which it then keeps, committed, for the life of an idle process (a quarter of its memory
 *   at rest). While the modules load, the young generation stays at its starting size; once the service is up,
 *   traffic may grow it again as it needs (afterStartUp).
 * - After each full collection V8 lets the old generation grow up to 4x what survived before it collects again:
 *   under load (16 concurrent lists of a 10,000-job cluster) that is 270 MB for 40 MB live. Growing by half of it
 *   keeps the peak near 170 MB; the collections it adds are of a small heap (measured with `npm run bench`: no
 *   throughput lost beyond the run-to-run noise).
 *
 * V8 reads both each time it would grow a space, so setting them at run time is safe. A flag given on node's
 * command line or in NODE_OPTIONS wins: the operator's choice is left alone.
 */
const GIVEN = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
const given = (flag: string): boolean => GIVEN.includes(flag) || GIVEN.includes(flag.replace(/-/g, '_'));

const YOUNG_GROWTH = 'semi-space-growth-factor';
const OLD_GROWTH = 'heap-growing-percent';

if (!given(YOUNG_GROWTH)) setFlagsFromString(`--${YOUNG_GROWTH}=1`);
if (!given(OLD_GROWTH)) setFlagsFromString(`--${OLD_GROWTH}=50`);

/** Lets the young generation grow again (V8's default factor), for the service's traffic. */
export function afterStartUp(): void {
  if (!given(YOUNG_GROWTH)) setFlagsFromString(`--${YOUNG_GROWTH}=2`);
}
