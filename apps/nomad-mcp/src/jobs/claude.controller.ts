import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { requestPrincipal } from '@nomad-mcp/auth';
import type { FastifyRequest as Request } from 'fastify';
import { leaveValidationToExecutor, validateInput } from '../common/validation';
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

// validated by the executor as part of the call (see manageJob), not by the global pipe
leaveValidationToExecutor(ManageJobDto);

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
  // `body` is typed ManageJobDto for Swagger; it arrives as sent (the executor validates it, see prepare)
  async manageJob(@Body() body: ManageJobDto, @Req() req: Request): Promise<JobStatusResult | JobActionResult> {
    const raw: unknown = body ?? {};
    const action = (raw as { action?: unknown }).action;
    // an action that names no operation is refused here (400 naming it): there is no operation call to record
    if (typeof action !== 'string' || !Object.hasOwn(ACTION_OPERATIONS, action)) await validateInput(ManageJobDto, raw);
    const operation = ACTION_OPERATIONS[action as JobAction];
    // the rest is checked as a step of the call, so an invalid change is audited like one over MCP
    const prepare = async (input: unknown) => {
      const { action: _, purge, confirm_token, ...ref } = await validateInput(ManageJobDto, input);
      if (action === JobAction.Status) return ref;
      return action === JobAction.Stop ? { ...ref, purge, confirm_token } : { ...ref, confirm_token };
    };
    const done = await this.executor.execute(operation, raw, { principal: requestPrincipal(req), transport: 'rest', traceparent: req.headers.traceparent }, { prepare });
    return done.result as JobStatusResult | JobActionResult;
  }
}
