import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** The one field every change operation takes for confirmed changes (see README "Running it safely"). */
export class ConfirmableDto {
  /**
   * Leave it out at first. When a change needs confirmation, the first call changes nothing and answers the
   * plan with a confirm_token; after the user agrees, repeat the same call with that token to apply the change
   * (once, within minutes, and only if the job has not changed meanwhile). Where a person approves changes
   * (NOMAD_MCP_CONFIRM_BY=human), it is the approval id the first call answered, once the person approved.
   * @example "v1.eyJvcCI6InN0b3Bfam9iIn0.3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
   */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  @Matches(/^(v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|approval-[0-9a-f]{24})$/, {
    message: 'confirm_token must be the token a previous call of this operation answered (v1.….…), or its approval id (approval-…)',
  })
  confirm_token?: string;
}
