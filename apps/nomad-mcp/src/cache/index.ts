export * from './cache.module';
export * from './nomad-reads';
export * from './watch-cache';
export type { Table } from './table-watch';
