import { IntersectionType } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { JobRefDto } from '../../../jobs/dto/job-ref.dto';
import { PageQueryDto } from '../../core/page-query.dto';

export enum AllocationStatusFilter {
  Running = 'running',
  Pending = 'pending',
  Failed = 'failed',
  Complete = 'complete',
  Lost = 'lost',
}

/** Which allocations of a job to list, newest first. */
export class ListAllocationsQueryDto extends IntersectionType(JobRefDto, PageQueryDto) {
  /**
   * Only allocations whose client status is this: running, pending, failed, complete or lost.
   * @example "running"
   */
  @IsOptional()
  @IsEnum(AllocationStatusFilter, { message: 'status must be one of: running, pending, failed, complete, lost' })
  status?: AllocationStatusFilter;

  /** The `next_token` of the previous answer, to read the next page (`<CreateIndex>.<allocation ID>`). */
  // no @example: Swagger UI would send it, and a made-up position shows a part of the list as if it were all of it
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^\d{1,20}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'next_token must be the next_token of a previous answer' })
  next_token?: string;
}

/** Names one allocation. */
export class AllocationRefDto {
  /**
   * The allocation ID, or a unique prefix of at least 8 hex characters (as list_allocations and get_job_status show them).
   * @example "5457f16d-0f87-8e6b-5e91-0c7da3a41eb7"
   */
  @IsString()
  @MaxLength(36)
  @Matches(/^[0-9a-fA-F]{8}[0-9a-fA-F-]{0,28}$/, { message: 'alloc_id must be an allocation ID or a prefix of at least 8 hex characters' })
  alloc_id: string;
}
