import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { AuditOutcome } from '../../audit/audit-record';
import type { Transport } from './operation';

/** How a call ended: the outcomes audit and metrics count separately. */
export type Outcome = AuditOutcome;

/**
 * One structured event per call, from any transport, emitted once the call has ended. Audit and metrics
 * subscribe to it; nothing secret is in it (the principal's name, never its key; no input values but the
 * namespace and the job).
 */
export interface OperationEvent {
  operation: string;
  principal: string;
  transport: Transport;
  namespace: string | null;
  job: string | null;
  outcome: Outcome;
  /** The HTTP status the call ended with (REST sends it; MCP reports errors as tool errors). */
  status: number;
  duration_ms: number;
  /** The Nomad evaluation a change created, when there is one. */
  eval_id: string | null;
  /** The error's one-line message when outcome is not ok. */
  error: string | null;
  /** ISO time the call started. */
  at: string;
}

@Injectable()
export class OperationEvents implements OnModuleDestroy {
  private readonly subject = new Subject<OperationEvent>();

  /** Subscribe to every call's event (audit, metrics, logs). */
  get events$(): Observable<OperationEvent> {
    return this.subject.asObservable();
  }

  emit(event: OperationEvent): void {
    this.subject.next(event);
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
