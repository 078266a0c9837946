export * from './app-config';
export * from './config.module';
export { ConfigError, EnvironmentVariables, loadConfig } from './env.schema';
export * from './redact-url';
