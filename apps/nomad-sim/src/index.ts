export { startSimulator } from './server';
export type { RunningSimulator, SimulatorOptions } from './server';
export { DEFAULT_TIMINGS, imageIsMissing } from './state';
export type { SimTimings } from './state';
