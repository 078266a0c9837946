import { Injectable } from '@nestjs/common';
import { NomadAllocationsApi } from './resources/nomad-allocations.api';
import { NomadClientFsApi } from './resources/nomad-client-fs.api';
import { NomadJobsApi } from './resources/nomad-jobs.api';
import { NomadNamespacesApi } from './resources/nomad-namespaces.api';
import { NomadStatusApi } from './resources/nomad-status.api';
import { NomadTransport } from './transport/nomad.transport';
import {
  Allocation,
  AllocationListStub,
  Deployment,
  Evaluation,
  JobDeregisterResponse,
  JobListStub,
  JobRegisterResponse,
  JobSummary,
  LogStream,
  LogTail,
  Namespace,
  NomadJob,
} from './nomad.types';

/**
 * @deprecated Use the resource clients (NomadJobsApi, NomadAllocationsApi, NomadClientFsApi, NomadStatusApi,
 * …) over NomadTransport. This facade keeps the method names and signatures of the first seven tools while
 * their call sites move; it only delegates and drops the index meta.
 */
@Injectable()
export class NomadService {
  constructor(
    private readonly transport: NomadTransport,
    private readonly jobs: NomadJobsApi,
    private readonly allocations: NomadAllocationsApi,
    private readonly clientFs: NomadClientFsApi,
    private readonly namespaces: NomadNamespacesApi,
    private readonly status: NomadStatusApi,
  ) {}

  /** NOMAD_ADDR as it may be shown: without its password. */
  get address(): string {
    return this.transport.displayAddress;
  }

  /** The leader's RPC address; throws when Nomad is unreachable. */
  leader(timeoutMs?: number): Promise<string> {
    return this.status.leader({ timeoutMs });
  }

  async listNamespaces(): Promise<Namespace[]> {
    return (await this.namespaces.list()).body;
  }

  /** `filter` is a Nomad filter expression (go-bexpr), evaluated by Nomad against each full job. */
  async listJobs(namespace: string, opts: { prefix?: string; filter?: string } = {}): Promise<JobListStub[]> {
    return (await this.jobs.list(namespace, opts)).body;
  }

  async getJob(namespace: string, jobId: string): Promise<NomadJob> {
    return (await this.jobs.get(namespace, jobId)).body;
  }

  /** The job, or undefined when Nomad answers 404. */
  async findJob(namespace: string, jobId: string): Promise<NomadJob | undefined> {
    return (await this.jobs.find(namespace, jobId))?.body;
  }

  async getJobSummary(namespace: string, jobId: string): Promise<JobSummary> {
    return (await this.jobs.summary(namespace, jobId)).body;
  }

  async getJobAllocations(namespace: string, jobId: string): Promise<AllocationListStub[]> {
    return (await this.jobs.allocations(namespace, jobId)).body;
  }

  async getJobEvaluations(namespace: string, jobId: string): Promise<Evaluation[]> {
    return (await this.jobs.evaluations(namespace, jobId)).body;
  }

  async getJobDeployments(namespace: string, jobId: string): Promise<Deployment[]> {
    return (await this.jobs.deployments(namespace, jobId)).body;
  }

  /** The most recent deployment, or null (batch jobs never have one). */
  async getJobLatestDeployment(namespace: string, jobId: string): Promise<Deployment | null> {
    return (await this.jobs.latestDeployment(namespace, jobId)).body;
  }

  registerJob(namespace: string, job: NomadJob, opts: { enforceJobModifyIndex?: number } = {}): Promise<JobRegisterResponse> {
    return this.jobs.register(namespace, job, opts);
  }

  deregisterJob(namespace: string, jobId: string, purge: boolean): Promise<JobDeregisterResponse> {
    return this.jobs.deregister(namespace, jobId, purge);
  }

  async getAllocation(allocId: string): Promise<Allocation> {
    return (await this.allocations.get(allocId)).body;
  }

  restartAllocation(allocId: string, taskName = ''): Promise<void> {
    return this.allocations.restart(allocId, taskName);
  }

  readLogEnd(allocId: string, task: string, type: LogStream, bytesFromEnd: number): Promise<string> {
    return this.clientFs.readLogEnd(allocId, task, type, bytesFromEnd);
  }

  tailLog(allocId: string, task: string, type: LogStream, lines: number): Promise<LogTail> {
    return this.clientFs.tailLog(allocId, task, type, lines);
  }
}
