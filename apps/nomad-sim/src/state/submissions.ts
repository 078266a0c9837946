import { jobKey } from './store';
import type { StringMap } from './types';

/**
 * The job sources Nomad keeps (state store table job_submission): the HCL or JSON a job version was
 * registered from, given as `Submission` with the register request. One per job version, the first kept
 * (a re-registration of the same version does not replace it), as many as the job versions tracked (6),
 * deleted with the job on purge.
 */
export interface JobSubmission {
  Source: string;
  Format: string;
  VariableFlags: StringMap | null;
  Variables: string;
  Namespace: string;
  JobID: string;
  Version: number;
  JobModifyIndex: number;
}

const TRACKED_VERSIONS = 6;

export class JobSubmissions {
  private readonly byJob = new Map<string, JobSubmission[]>();

  keep(sub: Omit<JobSubmission, 'Namespace' | 'JobID' | 'Version' | 'JobModifyIndex'>, ns: string, jobId: string, version: number, index: number): void {
    const k = jobKey(ns, jobId);
    const list = this.byJob.get(k) ?? [];
    if (list.some((s) => s.Version === version)) return;
    list.push({ ...sub, Namespace: ns, JobID: jobId, Version: version, JobModifyIndex: index });
    list.sort((a, b) => b.Version - a.Version);
    if (list.length > TRACKED_VERSIONS) list.length = TRACKED_VERSIONS;
    this.byJob.set(k, list);
  }

  get(ns: string, jobId: string, version: number): JobSubmission | undefined {
    return this.byJob.get(jobKey(ns, jobId))?.find((s) => s.Version === version);
  }

  forget(ns: string, jobId: string): void {
    this.byJob.delete(jobKey(ns, jobId));
  }
}
