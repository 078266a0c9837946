import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { CreateJobDto } from './dto/create-job.dto';
import { JobLogsQueryDto } from './dto/job-logs.dto';
import { JobIdParamDto } from './dto/job-ref.dto';
import { ListJobsQueryDto } from './dto/list-jobs-query.dto';
import { ManageJobDto } from './dto/manage-job.dto';
import { CreateJobResult, JobActionResult, JobLogsResult, JobStatusResult, ListJobsResult } from './dto/job-results.dto';
import { JobsService } from './jobs.service';

/** The Claude-facing REST API (the published integration contract). */
@ApiTags('claude')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('api/claude')
export class ClaudeController {
  constructor(private readonly jobs: JobsService) {}

  @Get('list-jobs')
  @ApiOperation({ summary: 'List jobs', description: 'Jobs of a namespace (default: the configured default namespace; `*` for all) with status, type and allocation counts.' })
  listJobs(@Query() query: ListJobsQueryDto): Promise<ListJobsResult> {
    return this.jobs.listJobs(query);
  }

  @Post('jobs')
  @HttpCode(200)
  @ApiExtraModels(JobStatusResult, JobActionResult)
  @ApiOkResponse({ description: 'status -> JobStatusResult; start, stop, restart -> JobActionResult', schema: { oneOf: [{ $ref: getSchemaPath(JobStatusResult) }, { $ref: getSchemaPath(JobActionResult) }] } })
  @ApiOperation({ summary: 'Manage a job', description: 'status | start | stop (with purge) | restart of one job.' })
  manageJob(@Body() body: ManageJobDto): Promise<JobStatusResult | JobActionResult> {
    return this.jobs.manage(body);
  }

  @Post('create-job')
  @ApiOperation({ summary: 'Create or update a docker job', description: 'Builds a Nomad docker job from a short spec and registers it. 201 when the job is new, 200 when an existing job was updated.' })
  @ApiOkResponse({ type: CreateJobResult, description: 'An existing job was updated (or re-evaluated)' })
  @ApiCreatedResponse({ type: CreateJobResult, description: 'A new job was registered' })
  async createJob(@Body() body: CreateJobDto, @Res({ passthrough: true }) res: Response): Promise<CreateJobResult> {
    const result = await this.jobs.create(body);
    res.status(result.created ? 201 : 200);
    return result;
  }

  @Get('job-logs/:job_id')
  @ApiOperation({ summary: 'Read job logs', description: "Tail of stdout and/or stderr of the job's latest allocation (or a given one). Job IDs with '/' are sent encoded as %2F." })
  jobLogs(@Param() params: JobIdParamDto, @Query() query: JobLogsQueryDto): Promise<JobLogsResult> {
    return this.jobs.logs({ ...query, job_id: params.job_id });
  }
}
