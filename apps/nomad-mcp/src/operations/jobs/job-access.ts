import { Injectable } from '@nestjs/common';
import { JobSubmissionInput, NomadApiError, NomadJob, NomadJobsApi, NomadNamespacesApi } from '@nomad-mcp/nomad';
import { JobChangedConcurrentlyException, JobNotFoundException, NamespaceNotFoundException } from '../../jobs/jobs.errors';

/** What the job operations share: finding a job (or saying its namespace does not exist), and registering safely. */
@Injectable()
export class JobAccess {
  constructor(
    /** Nomad's job endpoints, for what the operations read beyond this class. */
    readonly api: NomadJobsApi,
    private readonly namespaces: NomadNamespacesApi,
  ) {}

  /** GET the job; a 404 names the job and namespace, or says that the namespace itself does not exist. */
  async requireJob(namespace: string, jobId: string): Promise<NomadJob> {
    const job = (await this.api.find(namespace, jobId))?.body;
    return job ?? this.notFound(namespace, jobId);
  }

  /** Says why a job that Nomad did not find is not there: the job, or its namespace itself. */
  async notFound(namespace: string, jobId: string): Promise<never> {
    await this.requireNamespace(namespace);
    throw new JobNotFoundException(jobId, namespace);
  }

  /**
   * Nomad answers an empty list, or "job not found", for a namespace that does not exist — on a real
   * cluster usually a DEFAULT_NAMESPACE that was never created. Asked only on those paths, so it costs
   * nothing when all is well; an answer that is not a clear 404 (an ACL token that may not read
   * namespaces) leaves the original answer alone.
   */
  async requireNamespace(namespace: string): Promise<void> {
    if (namespace === '*') return;
    const missing = await this.namespaces.get(namespace).then(
      () => false,
      (err) => err instanceof NomadApiError && err.isNotFound,
    );
    if (missing) throw new NamespaceNotFoundException(namespace);
  }

  /**
   * Registers only if the job is as we read it (EnforceIndex), so a concurrent change is never overwritten;
   * `submission`: the source it was written in, which Nomad keeps with the version.
   */
  async register(namespace: string, job: NomadJob, readJobModifyIndex: number, submission?: JobSubmissionInput) {
    try {
      return await this.api.register(namespace, job, { enforceJobModifyIndex: readJobModifyIndex, submission });
    } catch (err) {
      if (err instanceof NomadApiError && err.isIndexConflict) throw new JobChangedConcurrentlyException(job.ID);
      if (err instanceof NomadApiError && /nonexistent namespace/.test(err.nomadMessage)) throw new NamespaceNotFoundException(namespace);
      throw err;
    }
  }
}
