import { Evaluation, NomadEvaluationsApi } from '@nomad-mcp/nomad';

/** How long a change waits for its evaluation, so a placement that cannot happen is reported at once. */
export const EVAL_WAIT_MS = 2000;
const SETTLED = new Set(['complete', 'failed', 'canceled', 'blocked']);

/**
 * Waits (at most EVAL_WAIT_MS) for a change's evaluation to settle; returns it with the blocked evaluation it
 * left behind, if any, or undefined when it is still being processed (or there is none).
 */
export async function settleEvaluation(evaluations: NomadEvaluationsApi, evalId: string | undefined): Promise<Evaluation[] | undefined> {
  if (!evalId) return undefined;
  const deadline = Date.now() + EVAL_WAIT_MS;
  for (let pause = 25; ; pause = Math.min(pause * 2, 400)) {
    const ev = (await evaluations.get(evalId)).body;
    if (SETTLED.has(ev.Status)) {
      const blocked = ev.BlockedEval ? await evaluations.get(ev.BlockedEval).then((r) => r.body, () => undefined) : undefined;
      return blocked ? [ev, blocked] : [ev];
    }
    if (Date.now() + pause > deadline) return undefined;
    await new Promise((r) => setTimeout(r, pause));
  }
}
