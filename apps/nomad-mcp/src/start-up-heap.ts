import { setFlagsFromString } from 'node:v8';

/*
 * V8's defaults suit a browser tab or a batch job with the machine to itself; this service runs next to Nomad,
 * often under a Nomad memory limit, and holds little (some 40 MB live). Two settings keep its footprint near that:
 *
 * - The young generation keeps its starting size (1 MB semi-spaces). By default V8 doubles it, up to 2 x 16 MB,
 *   whenever much survives a scavenge: loading the modules alone took it to the maximum, which an idle process then
 *   kept committed (a quarter of its memory at rest), and traffic does the same. Most of what a request allocates
 *   dies young, so small scavenges cost nothing measurable: side by side (`npm run bench` rows, and 16 concurrent
 *   lists of a 10,000-job cluster) the throughput was the same within the noise, the peak 20 MB lower.
 * - After each full collection V8 lets the old generation grow up to 4x what survived before it collects again:
 *   under load (16 concurrent lists of a 10,000-job cluster) that was 270 MB for 40 MB live. Growing by half of
 *   it keeps the peak near 160 MB; the collections it adds are of a small heap.
 *
 * V8 reads both each time it would grow a space, so setting them at run time, first thing, is safe.
 */
const SETTINGS = [
  // an operator who sizes the young generation on node's command line has chosen: it is left alone
  { flag: 'semi-space-growth-factor', value: 1, unless: ['semi-space-growth-factor', 'max-semi-space-size', 'min-semi-space-size'] },
  { flag: 'heap-growing-percent', value: 50, unless: ['heap-growing-percent'] },
];

/** The V8 flags to set, given node's own arguments (process.execArgv): those the operator did not choose. */
export function heapFlags(execArgv: readonly string[]): string[] {
  const given = (flag: string) => execArgv.some((a) => a.replace(/_/g, '-').startsWith(`--${flag}`));
  return SETTINGS.filter((s) => !s.unless.some(given)).map((s) => `--${s.flag}=${s.value}`);
}

for (const flag of heapFlags(process.execArgv)) setFlagsFromString(flag);
