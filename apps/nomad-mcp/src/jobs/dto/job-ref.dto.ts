import { PickType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { JOB_ID, NAMESPACE } from './patterns';

/** Names one Nomad job. */
export class JobRefDto {
  /**
   * The Nomad job ID. Any characters but whitespace and control characters; `/` is allowed
   * (dispatched and periodic children are named `<parent>/dispatch-...`). `.` and `..` alone are refused:
   * URL parsers drop such path segments, so no request could address that job.
   * @example "example-job"
   */
  @IsString()
  @MaxLength(256)
  @Matches(JOB_ID, { message: "job_id must not be empty, '.' or '..', nor contain whitespace or control characters" })
  job_id: string;

  /**
   * The Nomad namespace of the job. Defaults to the service's default namespace (`development` unless configured).
   * @example "development"
   */
  @IsOptional()
  @IsString()
  @Matches(NAMESPACE, { message: 'namespace must be 1-128 letters, digits or dashes' })
  namespace?: string;
}

/** Path parameters of GET /api/claude/job-logs/{job_id}. */
export class JobIdParamDto extends PickType(JobRefDto, ['job_id'] as const) {}
