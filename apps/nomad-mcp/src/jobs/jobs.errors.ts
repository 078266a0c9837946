import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import type { Deployment } from '@nomad-mcp/nomad';

/** The job does not exist in that namespace (Nomad answered 404). */
export class JobNotFoundException extends NotFoundException {
  constructor(
    readonly jobId: string,
    readonly namespace: string,
  ) {
    super(`job '${jobId}' not found in namespace '${namespace}'`);
  }
}

export class AllocationNotFoundException extends NotFoundException {
  constructor(allocId: string, jobId: string) {
    super(`allocation '${allocId}' does not belong to job '${jobId}'`);
  }
}

export class UnknownTaskException extends BadRequestException {
  constructor(task: string, tasks: string[]) {
    super(`task '${task}' is not part of the allocation; its tasks are: ${tasks.join(', ') || '(none)'}`);
  }
}

/** `nomad job restart` refuses to run while a deployment is in progress; so do we. */
export class DeploymentInProgressException extends ConflictException {
  constructor(jobId: string, deploymentId: string) {
    super(`job '${jobId}' has a deployment in progress (${deploymentId.slice(0, 8)}); wait for it to finish, then restart`);
  }
}

/**
 * Nomad refuses to change a group's count while the job's latest rollout is active (Job.Scale: "job scaling blocked
 * due to active deployment"). `d`: that rollout, when it could be read, so the answer can name it.
 */
export class ScalingBlockedByDeploymentException extends ConflictException {
  constructor(jobId: string, namespace: string, d: Deployment | undefined) {
    const which = d ? `deployment ${d.ID.slice(0, 8)} of version ${d.JobVersion} is ${d.Status}` : 'its latest deployment is not finished';
    const promote = d ? `promote_deployment with deployment_id '${d.ID}'` : 'promote_deployment';
    super({
      message: `job '${jobId}' has a rollout in progress (${which}); Nomad does not change a group's count until it ends, so nothing was scaled.`,
      next_step:
        `Call wait_for_deployment for job '${jobId}' in namespace '${namespace}', then scale_job again. If the rollout waits for its canaries ` +
        `to be promoted, ${promote} finishes it; fail_deployment stops it instead (with auto_revert, the job rolls back).`,
      deployment_id: d?.ID ?? null,
    });
  }
}

/** create_job replaces a job's whole spec; it does so only for jobs it created itself. */
export class JobNotManagedException extends ConflictException {
  constructor(jobId: string, namespace: string) {
    super(
      `job '${jobId}' already exists in namespace '${namespace}' and was not created by nomad-mcp; create-job would replace its whole spec, so it refuses. Choose another job_id, or change that job with the Nomad CLI.`,
    );
  }
}

/** create_job would change an existing job's type, which Nomad refuses (validateJobUpdate). */
export class JobTypeChangeException extends ConflictException {
  constructor(jobId: string, current: string, asked: string) {
    super({
      message: `job '${jobId}' is a ${current} job, and Nomad does not change a job's type (this call would make it ${asked}); nothing was registered.`,
      next_step: `Call create_job again with type '${current}' to update it; or, to make it a ${asked} job, stop it with purge=true first (its history goes) and create it again.`,
    });
  }
}

/** Nomad refused a register because the job changed since we read it (EnforceIndex). */
export class JobChangedConcurrentlyException extends ConflictException {
  constructor(jobId: string) {
    super(`job '${jobId}' changed in Nomad while this request was being handled; nothing was registered. Read its status and try again.`);
  }
}

/** register_job was given the index of a plan, and the job has changed since (or appeared, or went away). */
export class JobChangedSincePlanException extends ConflictException {
  constructor(jobId: string, planned: number, nomadMessage: string) {
    const now = /conflicting job modify index: (\d+)/.exec(nomadMessage)?.[1];
    const what = now ? `its job modify index is ${now} now, not ${planned}` : /already exists/.test(nomadMessage) ? 'it exists now, while the plan was for a new job' : /does not exist/.test(nomadMessage) ? 'it does not exist any more' : 'Nomad refused the index';
    super({
      message: `job '${jobId}' changed since it was planned (${what}); nothing was registered.`,
      next_step: 'Call plan_job again with the same spec, show the user the new diff, and register with the job_modify_index it answers.',
    });
  }
}

/** The namespace does not exist in Nomad (likely DEFAULT_NAMESPACE does not match the cluster). */
export class NamespaceNotFoundException extends NotFoundException {
  /** `fromSpec`: the jobspec named it, so the spec is what to change. */
  constructor(readonly namespace: string, fromSpec = false) {
    super({
      message: `namespace '${namespace}' does not exist in Nomad`,
      next_step: fromSpec
        ? `The jobspec names namespace '${namespace}': change it there to an existing namespace, or leave it out to use the namespace argument (or DEFAULT_NAMESPACE); list_jobs with namespace "*" shows the jobs of every namespace.`
        : 'Set DEFAULT_NAMESPACE to an existing namespace or pass namespace; list_jobs with namespace "*" shows the jobs of every namespace.',
    });
  }
}
