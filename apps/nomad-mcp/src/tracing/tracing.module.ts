import { Global, Module } from '@nestjs/common';
import { OperationTracing } from './operation-tracing';

/** OpenTelemetry traces of operation calls (off unless OTEL_EXPORTER_OTLP_ENDPOINT is set); global for the executor. */
@Global()
@Module({ providers: [OperationTracing], exports: [OperationTracing] })
export class TracingModule {}
