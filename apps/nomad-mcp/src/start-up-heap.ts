import { setFlagsFromString } from 'node:v8';

/*
 * Loading the service's modules allocates much that survives, and V8 answers that by doubling the young
 * generation up to its 2 x 16 MB maximum — which it then keeps, committed, for the life of an idle process (a
 * third of its memory at rest). While the modules load, the young generation is kept at its starting size; once
 * the service is up, traffic may grow it again as it needs (afterStartUp). V8 reads this factor each time it
 * would grow the space, so setting it at run time is safe.
 */
const GROWTH_FACTOR = 'semi-space-growth-factor';

setFlagsFromString(`--${GROWTH_FACTOR}=1`);

/** Lets the young generation grow again (V8's default factor), for the service's traffic. */
export function afterStartUp(): void {
  setFlagsFromString(`--${GROWTH_FACTOR}=2`);
}
