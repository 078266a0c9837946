export { startSimulator } from './server';
export type { RunningSimulator, SimulatorOptions } from './server';
export { DEFAULT_TIMINGS } from './state/sim-state';
export type { SimTimings } from './state/sim-state';
export { imageIsMissing } from './state/client';
