import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The page size of a paged list; each list adds its own `next_token` (the shape of its tokens). */
export class PageQueryDto {
  /**
   * How many items at most (1-100; default 20). A page of up to 20 also stops where the answer would pass 4 KB;
   * the answer says how to get the next ones.
   * @example 20
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number = 20;
}
