import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { requestPrincipal } from '@nomad-mcp/auth';
import type { Request } from 'express';
import { OperationExecutor } from '../operations/core/operation.executor';
import { JobActionResult, JobStatusResult } from './dto/job-results.dto';
import { JobAction, ManageJobDto } from './dto/manage-job.dto';

/** The operation each action of the published POST /api/claude/jobs runs. */
const ACTION_OPERATIONS: Record<JobAction, string> = {
  [JobAction.Status]: 'get_job_status',
  [JobAction.Start]: 'start_job',
  [JobAction.Stop]: 'stop_job',
  [JobAction.Restart]: 'restart_job',
};

/**
 * The one route of the published contract that is not one operation: POST /api/claude/jobs picks the
 * operation by `action`. Every other route is built from the operations themselves (operations/rest).
 */
@ApiTags('claude')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('api/claude')
export class ClaudeController {
  constructor(private readonly executor: OperationExecutor) {}

  @Post('jobs')
  @HttpCode(200)
  @ApiExtraModels(JobStatusResult, JobActionResult)
  @ApiOkResponse({ description: 'status -> JobStatusResult; start, stop, restart -> JobActionResult', schema: { oneOf: [{ $ref: getSchemaPath(JobStatusResult) }, { $ref: getSchemaPath(JobActionResult) }] } })
  @ApiOperation({ summary: 'Manage a job', description: 'status | start | stop (with purge) | restart of one job.' })
  async manageJob(@Body() body: ManageJobDto, @Req() req: Request): Promise<JobStatusResult | JobActionResult> {
    const { action, purge, confirm_token, ...ref } = body;
    const input = action === JobAction.Stop ? { ...ref, purge, confirm_token } : action === JobAction.Status ? ref : { ...ref, confirm_token };
    return (await this.executor.execute(ACTION_OPERATIONS[action], input, { principal: requestPrincipal(req), transport: 'rest' })).result as JobStatusResult | JobActionResult;
  }
}
