export * from './api-key.guard';
export * from './api-key.module';
export * from './api-keys';
export * from './public.decorator';
export * from './principal';
export * from './identities';
export * from './principal-nomad-token';
