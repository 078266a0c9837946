export * from './nomad.errors';
export * from './nomad.module';
export * from './nomad.options';
export * from './nomad.service';
export * from './nomad.types';
export * from './nomad-path';
