import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AxiosError, AxiosRequestConfig, AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { NomadApiError, NomadProtocolError, NomadTimeoutError, NomadUnavailableError } from './nomad.errors';
import { NOMAD_CLIENT_OPTIONS, NomadClientOptions } from './nomad.options';
import { nomadPath } from './nomad-path';
import {
  AclTokenSelf,
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
  NodeListStub,
  NomadJob,
} from './nomad.types';

interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  timeoutMs?: number;
  /** Upper bound of the response size; protects memory on log reads. */
  maxBytes?: number;
  /** The body is text (plain logs), not JSON. */
  text?: boolean;
}

function isStaleSocket(err: unknown): boolean {
  const e = err as AxiosError;
  return e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket hang up/i.test(e?.message ?? '');
}

/** How far back a log tail may read before it gives up finding more lines (bytes). */
const MAX_TAIL_WINDOW = 4 * 1024 * 1024;

/**
 * The only code that speaks Nomad's HTTP API: builds encoded URLs, adds the token and region, applies
 * the timeout, and turns every failure into a typed NomadError.
 */
@Injectable()
export class NomadService {
  private readonly logger = new Logger(NomadService.name);

  constructor(
    private readonly http: HttpService,
    @Inject(NOMAD_CLIENT_OPTIONS) private readonly options: NomadClientOptions,
  ) {}

  get address(): string {
    return this.options.address;
  }

  private async call<T>(method: 'GET' | 'PUT' | 'DELETE', path: string, opts: CallOptions = {}): Promise<{ data: T; index?: number }> {
    const operation = `${method} ${path}`;
    const config: AxiosRequestConfig = {
      method,
      url: path,
      params: { ...(this.options.region ? { region: this.options.region } : {}), ...opts.query },
      data: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      headers: opts.body === undefined ? undefined : { 'Content-Type': 'application/json' },
      timeout: opts.timeoutMs ?? this.options.timeoutMs,
      maxContentLength: opts.maxBytes ?? 64 * 1024 * 1024,
    };
    let res: AxiosResponse<string>;
    try {
      res = await firstValueFrom(this.http.request<string>(config));
    } catch (err) {
      // a kept-alive socket the server closed while idle fails on reuse; a read is safe to send again once
      if (method !== 'GET' || !isStaleSocket(err)) throw this.transportError(err, operation, config.timeout!);
      try {
        res = await firstValueFrom(this.http.request<string>(config));
      } catch (again) {
        throw this.transportError(again, operation, config.timeout!);
      }
    }
    if (res.status !== 200) {
      const text = typeof res.data === 'string' ? res.data.trim() : '';
      this.logger.debug(`${operation} -> ${res.status} ${text.slice(0, 200)}`);
      throw new NomadApiError(res.status, text, operation);
    }
    const index = Number(res.headers['x-nomad-index']);
    if (opts.text) return { data: res.data as unknown as T, index: Number.isFinite(index) ? index : undefined };
    try {
      const data = (res.data === '' ? null : JSON.parse(res.data)) as T;
      return { data, index: Number.isFinite(index) ? index : undefined };
    } catch {
      // a 200 that is not JSON: NOMAD_ADDR points at something that is not Nomad (a proxy page, a UI)
      throw new NomadProtocolError(this.options.address, operation, res.headers['content-type'] as string | undefined);
    }
  }

  private transportError(err: unknown, operation: string, timeoutMs: number): Error {
    const e = err as AxiosError;
    const code = e?.code ?? '';
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(e?.message ?? '')) {
      return new NomadTimeoutError(this.options.address, timeoutMs, operation);
    }
    if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(e.message)) {
      return new NomadApiError(502, 'response larger than allowed', operation);
    }
    return new NomadUnavailableError(this.options.address, code || e?.message || 'unknown error', operation);
  }

  // ------------------------------------------------------------------ status

  /** The leader's RPC address; throws when Nomad is unreachable. */
  async leader(timeoutMs?: number): Promise<string> {
    return (await this.call<string>('GET', nomadPath`status/leader`, { timeoutMs })).data;
  }

  async listNamespaces(): Promise<Namespace[]> {
    return (await this.call<Namespace[]>('GET', nomadPath`namespaces`)).data ?? [];
  }

  /** One namespace; NomadApiError 404 `Namespace not found` when it does not exist. */
  async getNamespace(name: string): Promise<Namespace> {
    return (await this.call<Namespace>('GET', nomadPath`namespace/${name}`)).data;
  }

  /** The token the service sends; Nomad answers 400 `ACL support disabled` when ACLs are off. */
  async tokenSelf(): Promise<AclTokenSelf> {
    return (await this.call<AclTokenSelf>('GET', nomadPath`acl/token/self`)).data;
  }

  // ------------------------------------------------------------------ jobs

  /** `filter` is a Nomad filter expression (go-bexpr), evaluated by Nomad against each full job. */
  async listJobs(namespace: string, opts: { prefix?: string; filter?: string } = {}): Promise<JobListStub[]> {
    const query = { namespace, prefix: opts.prefix || undefined, filter: opts.filter || undefined };
    return (await this.call<JobListStub[]>('GET', nomadPath`jobs`, { query })).data ?? [];
  }

  async getJob(namespace: string, jobId: string): Promise<NomadJob> {
    return (await this.call<NomadJob>('GET', nomadPath`job/${jobId}`, { query: { namespace } })).data;
  }

  /** The job, or undefined when Nomad answers 404. */
  async findJob(namespace: string, jobId: string): Promise<NomadJob | undefined> {
    try {
      return await this.getJob(namespace, jobId);
    } catch (err) {
      if (err instanceof NomadApiError && err.isNotFound) return undefined;
      throw err;
    }
  }

  async getJobSummary(namespace: string, jobId: string): Promise<JobSummary> {
    return (await this.call<JobSummary>('GET', nomadPath`job/${jobId}/summary`, { query: { namespace } })).data;
  }

  async getJobAllocations(namespace: string, jobId: string): Promise<AllocationListStub[]> {
    return (await this.call<AllocationListStub[]>('GET', nomadPath`job/${jobId}/allocations`, { query: { namespace, all: false } })).data ?? [];
  }

  async getJobEvaluations(namespace: string, jobId: string): Promise<Evaluation[]> {
    return (await this.call<Evaluation[]>('GET', nomadPath`job/${jobId}/evaluations`, { query: { namespace } })).data ?? [];
  }

  async getJobDeployments(namespace: string, jobId: string): Promise<Deployment[]> {
    return (await this.call<Deployment[]>('GET', nomadPath`job/${jobId}/deployments`, { query: { namespace, all: false } })).data ?? [];
  }

  /** The most recent deployment, or null (batch jobs never have one). */
  async getJobLatestDeployment(namespace: string, jobId: string): Promise<Deployment | null> {
    return (await this.call<Deployment | null>('GET', nomadPath`job/${jobId}/deployment`, { query: { namespace } })).data;
  }

  /**
   * PUT /v1/jobs with the job wrapped as Nomad requires. With `enforceJobModifyIndex` Nomad registers only
   * if the job is unchanged since it was read (0: only if it does not exist yet); otherwise it answers an
   * error that NomadApiError.isIndexConflict recognises.
   */
  async registerJob(namespace: string, job: NomadJob, opts: { enforceJobModifyIndex?: number } = {}): Promise<JobRegisterResponse> {
    const enforce = opts.enforceJobModifyIndex === undefined ? {} : { EnforceIndex: true, JobModifyIndex: opts.enforceJobModifyIndex };
    return (await this.call<JobRegisterResponse>('PUT', nomadPath`jobs`, { query: { namespace }, body: { Job: { ...job, Namespace: namespace }, ...enforce } })).data;
  }

  async deregisterJob(namespace: string, jobId: string, purge: boolean): Promise<JobDeregisterResponse> {
    return (await this.call<JobDeregisterResponse>('DELETE', nomadPath`job/${jobId}`, { query: { namespace, purge } })).data;
  }

  // ------------------------------------------------------------------ allocations

  async getAllocation(allocId: string): Promise<Allocation> {
    return (await this.call<Allocation>('GET', nomadPath`allocation/${allocId}`)).data;
  }

  /** In-place restart of the allocation's running tasks (or one task), as `nomad alloc restart` does. */
  async restartAllocation(allocId: string, taskName = ''): Promise<void> {
    await this.call('PUT', nomadPath`client/allocation/${allocId}/restart`, { body: { TaskName: taskName } });
  }

  /** Raw bytes of a task log, counted from the end (origin=end), never the whole file. */
  async readLogEnd(allocId: string, task: string, type: LogStream, bytesFromEnd: number): Promise<string> {
    const { data } = await this.call<string>('GET', nomadPath`client/fs/logs/${allocId}`, {
      query: { task, type, origin: 'end', offset: bytesFromEnd, plain: true, follow: false },
      maxBytes: bytesFromEnd + 1024,
      text: true,
    });
    return data ?? '';
  }

  /**
   * The last `lines` lines of a task log. Reads a window from the end and widens it only while it holds
   * too few lines, so the cost follows the lines asked for, not the size of the log.
   */
  async tailLog(allocId: string, task: string, type: LogStream, lines: number): Promise<LogTail> {
    let window = Math.min(MAX_TAIL_WINDOW, Math.max(4096, lines * 200));
    let bytesRead = 0;
    for (;;) {
      const text = await this.readLogEnd(allocId, task, type, window);
      const size = Buffer.byteLength(text);
      bytesRead += size;
      const reachedStart = size < window;
      const all = text.split('\n');
      if (all.length && all[all.length - 1] === '') all.pop();
      // the first line of a window that did not reach the start of the file is cut
      const complete = reachedStart ? all : all.slice(1);
      if (complete.length >= lines || reachedStart || window >= MAX_TAIL_WINDOW) {
        return {
          lines: complete.slice(-lines),
          bytesRead,
          truncated: complete.length > lines || !reachedStart,
        };
      }
      window = Math.min(MAX_TAIL_WINDOW, window * 4);
    }
  }

  // ------------------------------------------------------------------ evaluations, namespaces, nodes

  async getEvaluation(evalId: string): Promise<Evaluation> {
    return (await this.call<Evaluation>('GET', nomadPath`evaluation/${evalId}`)).data;
  }

  /** The namespace, or undefined when Nomad answers 404. */
  async findNamespace(name: string): Promise<Namespace | undefined> {
    try {
      return (await this.call<Namespace>('GET', nomadPath`namespace/${name}`)).data;
    } catch (err) {
      if (err instanceof NomadApiError && err.isNotFound) return undefined;
      throw err;
    }
  }

  /** Nodes with their resources (capacity and reserved). */
  async listNodesWithResources(): Promise<NodeListStub[]> {
    return (await this.call<NodeListStub[]>('GET', nomadPath`nodes`, { query: { resources: true } })).data ?? [];
  }

  /** Allocations placed on a node (full allocations, with their allocated resources). */
  async getNodeAllocations(nodeId: string): Promise<Allocation[]> {
    return (await this.call<Allocation[]>('GET', nomadPath`node/${nodeId}/allocations`)).data ?? [];
  }
}
