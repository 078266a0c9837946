import type { NomadCallRecord } from '@nomad-mcp/nomad';
import type { OperationEvent } from '../operations/core/operation-events';
import type { TraceParent } from './trace-parent';

/*
 * What the service asks of a tracer, in its own words. OperationTracing holds one of these only when tracing is
 * on; the one implementation (otel-tracer.ts) is loaded then, with the OpenTelemetry packages behind it.
 */

/** What is known of an operation call when it starts: nothing from its input. */
export interface OperationStart {
  operation: string;
  transport: string;
  /** The caller's principal name (`key-1a2b3c4d`, an identity's name, `local`): never its key. */
  principal: string;
}

/** The span of one operation call. */
export interface OperationSpan {
  /** The call's event: outcome, status, namespace, job, evaluation. */
  finish(event: OperationEvent): void;
  /** One finished call to Nomad made for this operation: a child span. */
  nomadCall(call: NomadCallRecord): void;
  end(): void;
}

export interface TraceSink {
  /** A span for the call, child of the caller's span when it sent one. */
  startOperation(start: OperationStart, parent?: TraceParent): OperationSpan;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}
