import { Injectable } from '@nestjs/common';
import {
  AllocationListStub, Deployment, Evaluation, JobListStub, JobSummary, NodeListStub, NomadAllocationsApi, NomadJob, NomadJobsApi, NomadNamespacesApi, NomadNodesApi,
} from '@nomad-mcp/nomad';
import { Cursor, page } from '../operations/core/paging';
import { WatchCache } from './watch-cache';

/** Which jobs of a list, and which page of them. */
export interface JobListQuery {
  prefix?: string;
  /** Nomad's job status: pending, running or dead. */
  status?: string;
  limit: number;
  /** The next_token of the previous page: `<namespace>.<job ID>`, as Nomad's own job list pages. */
  nextToken?: string;
  /** Whether the caller may see a namespace: a list over `*` keeps only those (before paging, when cached). */
  visible?: (namespace: string) => boolean;
}

export interface JobListPage {
  stubs: JobListStub[];
  next_token: string | null;
  /** How many jobs match in all; known when the list came from the cache (Nomad's pages do not say). */
  total?: number;
}

/** Nomad's job list order and tokens: by `<namespace>.<job ID>`, the token the first job of the next page. */
export const JOB_TOKEN: Cursor<JobListStub> & { sort(stubs: JobListStub[]): JobListStub[] } = {
  token: (j) => `${j.Namespace}.${j.ID}`,
  atOrAfter: (j, token) => `${j.Namespace}.${j.ID}` >= token,
  sort: (stubs) => [...stubs].sort((a, b) => {
    const x = `${a.Namespace}.${a.ID}`;
    const y = `${b.Namespace}.${b.ID}`;
    return x < y ? -1 : x > y ? 1 : 0;
  }),
};

/**
 * The one door of the read operations to Nomad's hot reads: from the watch cache when it may answer
 * (WatchCache.serves), else from Nomad. Operations ask here instead of the resource APIs, so no operation
 * decides about the cache itself. Answers are shared between callers: never edit them (arrays are frozen).
 */
@Injectable()
export class NomadReads {
  constructor(
    private readonly cache: WatchCache,
    private readonly jobsApi: NomadJobsApi,
    private readonly nodesApi: NomadNodesApi,
    private readonly allocationsApi: NomadAllocationsApi,
    private readonly namespacesApi: NomadNamespacesApi,
  ) {}

  /**
   * A page of a namespace's jobs (`*`: every namespace). From the cache when it holds the namespace's list
   * (paged here); otherwise Nomad pages it (`per_page`, `next_token`, the status as its filter) while the cache
   * reads the whole list in the background, so a first page never waits for a 10,000-job list. The tokens are
   * Nomad's either way, so a caller pages on across the two.
   */
  async listJobs(namespace: string, q: JobListQuery): Promise<JobListPage> {
    const held = await this.cache.peek('job_list', { list: namespace }, ['jobs', 'allocs', 'evals'], async () => JOB_TOKEN.sort((await this.jobsApi.list(namespace)).body));
    if (held) {
      // unfiltered, the held list is paged as it is: no copy of a 10,000-job list per call
      const matching = q.prefix || q.status || q.visible
        ? held.value.filter((j) => (!q.prefix || j.ID.startsWith(q.prefix)) && (!q.status || j.Status === q.status) && (!q.visible || q.visible(j.Namespace)))
        : held.value;
      const p = page(matching, q.limit, JOB_TOKEN, q.nextToken);
      return { stubs: p.items, next_token: p.next_token, total: matching.length };
    }
    // status comes from a closed enum, so the expression cannot be injected into
    const conditions = q.status ? [`Status == "${q.status}"`] : [];
    if (q.visible) {
      // Nomad pages by its filter: a page filtered here afterwards would come up short, its next_token naming a
      // job the caller may not see. So the namespaces the caller sees go into the filter (their names are
      // Nomad's, quoted as JSON strings, which bexpr reads alike).
      const seen = (await this.namespacesApi.list()).body.map((n) => n.Name).filter((n) => q.visible!(n));
      if (!seen.length) return { stubs: [], next_token: null };
      conditions.push(`(${seen.map((n) => `Namespace == ${JSON.stringify(n)}`).join(' or ')})`);
    }
    const filter = conditions.length ? conditions.join(' and ') : undefined;
    const res = await this.jobsApi.list(namespace, { prefix: q.prefix, filter, perPage: q.limit, nextToken: q.nextToken });
    // and kept from what comes back, should a namespace appear between the two reads
    const stubs = q.visible ? res.body.filter((j) => q.visible!(j.Namespace)) : res.body;
    return { stubs, next_token: res.nextToken ?? null };
  }

  /** The job, or undefined when Nomad has none of that ID in the namespace. */
  job(namespace: string, jobId: string): Promise<NomadJob | undefined> {
    return this.cache.read('job', { job: [namespace, jobId] }, ['jobs'], async () => (await this.jobsApi.find(namespace, jobId))?.body);
  }

  summary(namespace: string, jobId: string): Promise<JobSummary> {
    return this.cache.read('job_summary', { job: [namespace, jobId] }, ['jobs', 'allocs', 'evals'], async () => (await this.jobsApi.summary(namespace, jobId)).body);
  }

  allocations(namespace: string, jobId: string): Promise<readonly AllocationListStub[]> {
    return this.cache.read('job_allocations', { job: [namespace, jobId] }, ['allocs'], async () => (await this.jobsApi.allocations(namespace, jobId)).body);
  }

  evaluations(namespace: string, jobId: string): Promise<readonly Evaluation[]> {
    return this.cache.read('job_evaluations', { job: [namespace, jobId] }, ['evals'], async () => (await this.jobsApi.evaluations(namespace, jobId)).body);
  }

  deployments(namespace: string, jobId: string): Promise<readonly Deployment[]> {
    return this.cache.read('job_deployments', { job: [namespace, jobId] }, ['deployments'], async () => (await this.jobsApi.deployments(namespace, jobId)).body);
  }

  /** The most recent deployment, or null (batch jobs never have one). */
  latestDeployment(namespace: string, jobId: string): Promise<Deployment | null> {
    return this.cache.read('job_latest_deployment', { job: [namespace, jobId] }, ['deployments'], async () => (await this.jobsApi.latestDeployment(namespace, jobId)).body);
  }

  /** Every client node (stubs). */
  nodes(): Promise<readonly NodeListStub[]> {
    return this.cache.read('nodes', { list: '' }, ['nodes'], async () => (await this.nodesApi.list()).body);
  }

  /** Every allocation in every namespace the service's token sees, without task states (node counts). */
  allAllocations(): Promise<readonly AllocationListStub[]> {
    return this.cache.read('allocations', { list: '*' }, ['allocs'], async () => (await this.allocationsApi.list('*', { taskStates: false })).body);
  }
}
