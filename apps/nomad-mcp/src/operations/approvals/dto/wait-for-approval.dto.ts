import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Input of wait_for_approval. */
export class WaitForApprovalDto {
  /**
   * The approval id a change's first call answered (NOMAD_MCP_CONFIRM_BY=human: it waits for a person).
   * @example "approval-5f0c2d9e8a7b6c5d4e3f2a1b"
   */
  @IsString()
  @Matches(/^approval-[0-9a-f]{24}$/, { message: 'approval_id must be the approval id a change answered (approval- and 24 hex characters)' })
  approval_id!: string;

  /**
   * How long to wait at most, in seconds (up to 900); the answer then says the change still waits.
   * @example 5
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'timeout_seconds must be a whole number' })
  @Min(1)
  @Max(900)
  timeout_seconds?: number = 300;
}

export class WaitForApprovalResult {
  /** One sentence: what the person decided (or that it still waits), and what to do next. */
  message: string;
  /** The approval id. */
  approval_id: string;
  /** pending (still waiting when the wait ended), approved, denied, applied (already used) or expired. */
  status: string;
  /** The operation that waits. */
  operation: string;
  /** The job it changes, when it names one. */
  job_id: string | null;
  /** The job's namespace, when the call named one. */
  namespace: string | null;
  /** Who approved or denied it (null while pending). */
  decided_by: string | null;
  /** The approver's or denier's note. */
  reason: string | null;
  /** Until when it waits for a person (pending) or may be applied (approved). */
  expires_at: string;
  /** Where a person decides on it. */
  url: string;
  /** How long the call waited, in seconds. */
  waited_seconds: number;
}
