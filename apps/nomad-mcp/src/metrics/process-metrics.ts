import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, heap, event-loop lag, GC, handles, version): one registry per process,
 * created when the first app starts. They describe the process, not an app, so a process that runs several apps (the
 * tests) collects them once instead of stacking a GC observer and an event-loop monitor per app.
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
