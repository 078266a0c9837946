import { PickType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsAddressableJobId } from './job-id.validator';

/** Names one Nomad job. */
export class JobRefDto {
  /**
   * The Nomad job ID. Any characters but whitespace and control characters; `/` is allowed
   * (dispatched and periodic children are named `<parent>/dispatch-...`). `.` and `..` are refused, alone or
   * between slashes, and so are empty parts (`a//b`, a leading or trailing `/`): URL parsers and Nomad's HTTP
   * server rewrite such paths, so no request could address that job.
   * @example "example-job"
   */
  @IsString()
  @MaxLength(256)
  @Matches(/^(?!\.{1,2}$)[^\s\x00-\x1f\x7f]+$/, { message: "job_id must not be empty, '.' or '..', nor contain whitespace or control characters" })
  @IsAddressableJobId()
  job_id: string;

  /**
   * The Nomad namespace of the job. Defaults to the service's default namespace (`development` unless configured).
   * @example "development"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[a-zA-Z0-9-]{1,128}$/, { message: 'namespace must be 1-128 letters, digits or dashes' })
  namespace?: string;
}

/** Path parameters of GET /api/claude/job-logs/{job_id}. */
export class JobIdParamDto extends PickType(JobRefDto, ['job_id'] as const) {}
