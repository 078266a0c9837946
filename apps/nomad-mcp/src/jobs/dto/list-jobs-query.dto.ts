import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Query of GET /api/claude/list-jobs. */
export class ListJobsQueryDto {
  /**
   * Namespace to list; `*` lists every namespace. Defaults to the service's default namespace.
   * @example "development"
   */
  @IsOptional()
  @IsString()
  @Matches(/^(\*|[a-zA-Z0-9-]{1,128})$/, { message: 'namespace must be "*" or 1-128 letters, digits or dashes' })
  namespace?: string;

  /**
   * Only jobs whose ID starts with this text.
   * @example "web"
   */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  prefix?: string;
}
