/** What is known of a failed call beyond its status. */
export interface FailureFacts {
  /** A change whose answer was lost (writeMayHaveApplied): it may have taken effect in Nomad. */
  changeMayHaveApplied?: boolean;
  /** The job the call was about, when it names one. */
  job?: string;
  /** A 404 said the job itself is missing (not a version, deployment or allocation of a job that exists). */
  jobMissing?: boolean;
  /** The error's message already says which tool to call ("…; call list_job_versions"). */
  namesNextCall?: boolean;
}

/** Whether a message already points to a tool ("call list_job_versions", "get_job_status shows its state"). */
export const namesNextCall = (message: string): boolean => /\bcall [a-z]+_[a-z_]+|\b[a-z]+_[a-z_]+ (shows|lists|says)\b/.test(message);

/** Whether a 404's message is about the job itself (ours, or Nomad's own words) rather than something of it. */
export const saysJobMissing = (message: string): boolean => /^job '.*' not found in namespace|^Nomad: job not found/.test(message);

/**
 * What the caller should do after an error, by status. Messages of the errors themselves say what went
 * wrong; this says what to try next, so an agent neither gives up too early nor retries what cannot work.
 */
export function nextStep(operation: string, status: number, namespace: string, facts: FailureFacts = {}): string | undefined {
  // "retry later" would be wrong here: a stop or restart that went through must not run twice
  if (facts.changeMayHaveApplied) {
    const look = facts.job ? `call get_job_status for job '${facts.job}' in namespace '${namespace}'` : `look at the jobs in namespace '${namespace}' (list_jobs, get_job_status)`;
    return `The change may have reached Nomad before its answer was lost: ${look} to see whether it took effect before calling ${operation} again.`;
  }
  switch (status) {
    case 400: return 'Fix those arguments and call the tool again.';
    case 404:
      if (operation === 'list_jobs') return undefined;
      if (facts.jobMissing) return `Call list_jobs with namespace '${namespace}' to see the jobs there (or namespace "*" for all).`;
      // the job is there: what was not found is something the call named of it (unless the message said what to call)
      if (facts.namesNextCall) return undefined;
      if (facts.job) return `Check the ID or version you passed: get_job_status for job '${facts.job}' in namespace '${namespace}' shows its allocations, deployment and version.`;
      return undefined;
    case 502: return 'This is what Nomad answered; tell the user, it usually needs an operator.';
    case 503: case 504: return 'Nomad is not answering; retry later or ask an operator to check the cluster and NOMAD_ADDR.';
    default: return undefined; // 403 and 409 messages say what to do themselves
  }
}
