import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'nomad-mcp:is-public';

/** Marks a route as reachable without an API key (health only). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
