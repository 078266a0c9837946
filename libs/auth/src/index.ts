export * from './api-key.guard';
export * from './api-key.module';
export * from './api-keys';
export * from './principal';
export * from './public.decorator';
