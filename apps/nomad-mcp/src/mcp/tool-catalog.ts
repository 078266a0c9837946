import { Type } from '@nestjs/common';
import { CreateJobDto } from '../jobs/dto/create-job.dto';
import { JobLogsRequestDto } from '../jobs/dto/job-logs.dto';
import { JobRefDto } from '../jobs/dto/job-ref.dto';
import { ListJobsQueryDto } from '../jobs/dto/list-jobs-query.dto';
import { ManageJobDto, StopJobDto } from '../jobs/dto/manage-job.dto';
import { JobsService } from '../jobs/jobs.service';
import { CreateJobResult, JobActionResult, JobLogsResult, JobStatusResult, ListJobsResult } from '../jobs/dto/job-results.dto';

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * One tool: its words for a model live here, its input is a DTO class whose JSON Schema comes from the
 * OpenAPI document (never written by hand), and it runs a JobsService operation.
 */
export interface ToolSpec<T extends object = any> {
  name: string;
  description: string;
  input: Type<T>;
  /** The answer's class: its schema becomes the tool's outputSchema, which MCP clients check answers against. */
  output: Type<object>;
  annotations: ToolAnnotations;
  run(jobs: JobsService, args: T): Promise<{ message: string }>;
}

const read = (title: string): ToolAnnotations => ({ title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });

export const TOOLS: ToolSpec[] = [
  {
    name: 'list_jobs',
    description:
      'List the Nomad jobs of a namespace with their status (pending/running/dead), type and allocation counts. ' +
      'Use it first to find job IDs, or to get an overview; status="dead" or "pending" finds jobs that are down or not placed. ' +
      'namespace defaults to the service default ("development"); "*" lists all namespaces. ' +
      'Read-only. Returns a one-line summary and a jobs array.',
    input: ListJobsQueryDto,
    output: ListJobsResult,
    annotations: read('List Nomad jobs'),
    run: (jobs, args: ListJobsQueryDto) => jobs.listJobs(args),
  },
  {
    name: 'get_job_status',
    description:
      'Diagnose one job: status, version, allocation counts by state, latest deployment, and for anything failing or pending the reason ' +
      '(failed task events with their messages, placement failures of blocked evaluations). Use it to answer "is X healthy?" or "why is X failing?". ' +
      'Read-only. Fails with "not found" if the job is not in that namespace: call list_jobs to see the jobs there.',
    input: JobRefDto,
    output: JobStatusResult,
    annotations: read('Get job status'),
    run: (jobs, args: JobRefDto) => jobs.status(args),
  },
  {
    name: 'start_job',
    description:
      'Start a stopped (or dead) job again by re-registering its last spec; a running job is left alone and the answer says so. ' +
      'Returns the evaluation ID that places its allocations. Follow with get_job_status to watch it come up.',
    input: JobRefDto,
    output: JobActionResult,
    annotations: { title: 'Start job', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: (jobs, args: JobRefDto) => jobs.start(args),
  },
  {
    name: 'stop_job',
    description:
      'Stop a job: Nomad deregisters it and stops all its allocations (the service stops serving). With purge=true the job is also removed ' +
      'from Nomad and cannot be started again without create_job. Destructive: confirm with the user before stopping production jobs. ' +
      'Returns the evaluation ID and the allocations that will stop.',
    input: StopJobDto,
    output: JobActionResult,
    annotations: { title: 'Stop job', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    run: (jobs, args: StopJobDto) => jobs.stop(args),
  },
  {
    name: 'restart_job',
    description:
      'Restart the running allocations of a job in place, one after another (like `nomad job restart`): tasks are killed and started again on the same node. ' +
      'A stopped or dead job is started instead, and the answer says so. Refused while a deployment is in progress (wait, then retry). ' +
      'Causes a brief interruption per allocation.',
    input: JobRefDto,
    output: JobActionResult,
    annotations: { title: 'Restart job', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    run: (jobs, args: JobRefDto) => jobs.restart(args),
  },
  {
    name: 'create_job',
    description:
      'Create (or update) a Docker job from a short spec: job_id, docker_image, and optionally type, count, cpu (MHz), memory (MB), ports and env_vars. ' +
      'Ports use {"Label":"http","Value":0,"To":80}: Value 0 = dynamic host port, Value > 0 = static host port, To = container port. ' +
      'Calling it again for a job_id it created updates that job to a new version; jobs created any other way are refused (409) so their specs are never replaced. ' +
      'Returns the evaluation ID, whether the job is new, and its version.',
    input: CreateJobDto,
    output: CreateJobResult,
    annotations: { title: 'Create or update job', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: (jobs, args: CreateJobDto) => jobs.create(args),
  },
  {
    name: 'get_job_logs',
    description:
      "Read the last lines of a job's logs (stdout and stderr by default) from its latest allocation, or from alloc_id. " +
      'Use it to see why a task fails or what a service is doing. lines defaults to 100 (max 5000). Says plainly when the job has no allocation yet. Read-only.',
    input: JobLogsRequestDto,
    output: JobLogsResult,
    annotations: read('Get job logs'),
    run: (jobs, args: JobLogsRequestDto) => jobs.logs(args),
  },
];

/**
 * The REST operations in the shape of the published tool configuration (GET /api/claude/tool-config).
 * The input schema of each comes from the same DTO as the REST endpoint.
 */
export interface RestToolSpec {
  name: string;
  description: string;
  method: 'GET' | 'POST';
  path: string;
  input: Type<object>;
  /** where the fields go: query string, JSON body, or the path parameter plus query */
  in: 'query' | 'body' | 'path+query';
}

const describedAs = (name: string): string => {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool named ${name}`);
  return tool.description;
};

export const REST_TOOLS: RestToolSpec[] = [
  { name: 'list_jobs', description: describedAs('list_jobs'), method: 'GET', path: '/api/claude/list-jobs', input: ListJobsQueryDto, in: 'query' },
  {
    name: 'manage_job',
    description: 'Manage one job: action=status (health and problems), start, stop (purge=true also removes it), or restart.',
    method: 'POST', path: '/api/claude/jobs', input: ManageJobDto, in: 'body',
  },
  { name: 'create_job', description: describedAs('create_job'), method: 'POST', path: '/api/claude/create-job', input: CreateJobDto, in: 'body' },
  { name: 'get_job_logs', description: describedAs('get_job_logs'), method: 'GET', path: '/api/claude/job-logs/{job_id}', input: JobLogsRequestDto, in: 'path+query' },
];

/** Every input class, so the OpenAPI document carries a schema for each (SwaggerDocumentOptions.extraModels). */
export const TOOL_INPUT_MODELS: Type<object>[] = [
  ...new Set([...TOOLS.map((t) => t.input), ...TOOLS.map((t) => t.output), ...REST_TOOLS.map((t) => t.input)]),
];
