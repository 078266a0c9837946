import { Type } from '@nestjs/common';
import { CreateJobDto } from '../jobs/dto/create-job.dto';
import { JobLogsRequestDto } from '../jobs/dto/job-logs.dto';
import { ListJobsQueryDto } from '../jobs/dto/list-jobs-query.dto';
import { ManageJobDto } from '../jobs/dto/manage-job.dto';
import { definitionOf } from '../operations/core/operation';
import { CreateJobOp } from '../operations/jobs/create-job.op';
import { GetJobLogsOp } from '../operations/jobs/get-job-logs.op';
import { ListJobsOp } from '../operations/jobs/list-jobs.op';

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

/** An operation's model-facing description: written once, in its .op.ts file. */
const describedAs = (op: Function): string => definitionOf(op)!.description;

export const REST_TOOLS: RestToolSpec[] = [
  { name: 'list_jobs', description: describedAs(ListJobsOp), method: 'GET', path: '/api/claude/list-jobs', input: ListJobsQueryDto, in: 'query' },
  {
    name: 'manage_job',
    description: 'Manage one job: action=status (health and problems), start, stop (purge=true also removes it), or restart.',
    method: 'POST', path: '/api/claude/jobs', input: ManageJobDto, in: 'body',
  },
  { name: 'create_job', description: describedAs(CreateJobOp), method: 'POST', path: '/api/claude/create-job', input: CreateJobDto, in: 'body' },
  { name: 'get_job_logs', description: describedAs(GetJobLogsOp), method: 'GET', path: '/api/claude/job-logs/{job_id}', input: JobLogsRequestDto, in: 'path+query' },
];

/** The published REST bodies and queries, so the OpenAPI document carries a schema for each (extraModels). */
export const TOOL_INPUT_MODELS: Type<object>[] = [...new Set(REST_TOOLS.map((t) => t.input))];
