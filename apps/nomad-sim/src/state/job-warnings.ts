import type { Job } from './types';

/**
 * The warnings Nomad's job admission gives back on register and plan (helper.MergeMultierrorWarnings
 * text). The simulator's scheduler configuration leaves memory oversubscription off, as Nomad's default
 * does, so a task asking for memory_max is warned that it will be ignored.
 */
export function jobWarnings(job: Job): string[] {
  const warnings: string[] = [];
  for (const tg of job.TaskGroups) {
    for (const t of tg.Tasks) {
      if (t.Resources?.MemoryMaxMB) {
        warnings.push(`Memory oversubscription is not enabled; Task "${tg.Name}.${t.Name}" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.`);
      }
    }
  }
  return warnings;
}

/** helper.MergeMultierrorWarnings: "" for none, else "N warning(s):" and one "* " line each. */
export function mergeWarnings(warnings: string[]): string {
  if (!warnings.length) return '';
  return `${warnings.length === 1 ? '1 warning:' : `${warnings.length} warnings:`}\n${warnings.map((w) => `\n* ${w.trim()}`).join('')}`;
}
