import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { NomadTransport } from '@nomad-mcp/nomad';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Subscription } from 'rxjs';
import { TRACING_CONFIG, TracingConfig } from '../config/app-config';
import type { Transport } from '../operations/core/operation';
import { OperationEvents } from '../operations/core/operation-events';
import { VERSION } from '../version';
import { parseTraceParent } from './trace-parent';
import type { OperationSpan, TraceSink } from './trace-sink';

/** The operation call a piece of async work belongs to, while it runs. */
interface ActiveCall {
  operation: string;
  span: OperationSpan;
  /** False once the call has answered: work it left behind (a cache's watch) is not its child any more. */
  open: boolean;
}

/** A collector that stays down fails every export: say so at most once a minute. */
const PROBLEM_EVERY_MS = 60_000;

/** Export may wait on a collector that does not answer: shutdown waits this long, then goes on. */
const SHUTDOWN_FLUSH_MS = 5000;

/**
 * OpenTelemetry traces of operation calls: one span per call (OperationExecutor runs each call inside trace()),
 * a child span per Nomad call (from the transport's report of each call, the one metrics count), attributes from
 * the call's event. Off unless the tracing slice has a traces URL; then the OpenTelemetry packages are loaded
 * at init, and never otherwise — trace() is then a plain call.
 */
@Injectable()
export class OperationTracing implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');
  private readonly active = new AsyncLocalStorage<ActiveCall>();
  private readonly subscriptions: Subscription[] = [];
  private sink?: TraceSink;
  private lastProblemAt = -Infinity;
  private unsaidProblems = 0;

  constructor(
    @Inject(TRACING_CONFIG) private readonly config: TracingConfig,
    private readonly events: OperationEvents,
    private readonly transport: NomadTransport,
  ) {}

  get enabled(): boolean {
    return this.sink !== undefined;
  }

  async onModuleInit(): Promise<void> {
    const { tracesUrl } = this.config;
    if (!tracesUrl) return;
    this.sink = await this.loadSink(tracesUrl);
    // both are reported synchronously inside the call's own async context: the active call is the one they belong to
    this.subscriptions.push(
      this.events.events$.subscribe((e) => {
        const call = this.active.getStore();
        if (call?.open && call.operation === e.operation) call.span.finish(e);
      }),
      this.transport.calls$.subscribe((c) => {
        const call = this.active.getStore();
        if (call?.open) call.span.nomadCall(c);
      }),
    );
    this.logger.log(`Exporting traces to ${new URL(tracesUrl).origin} as ${this.config.serviceName}.`);
  }

  /** The OpenTelemetry SDK and exporter, required only now. */
  protected async loadSink(tracesUrl: string): Promise<TraceSink> {
    const { startOtelTracer } = await import('./otel-tracer');
    return startOtelTracer({ ...this.config, tracesUrl }, VERSION, (message) => this.exportProblem(message));
  }

  /**
   * Runs one operation call inside its span. `traceparent`: the caller's W3C trace context (REST header, MCP
   * `_meta.traceparent`); absent or malformed, the call starts a trace of its own.
   */
  trace<T>(operation: string, call: { transport: Transport; principal: { name: string }; traceparent?: unknown }, run: () => Promise<T>): Promise<T> {
    const sink = this.sink;
    if (!sink) return run();
    const span = sink.startOperation({ operation, transport: call.transport, principal: call.principal.name }, parseTraceParent(call.traceparent));
    const active: ActiveCall = { operation, span, open: true };
    return this.active.run(active, async () => {
      try {
        return await run();
      } finally {
        active.open = false;
        span.end();
      }
    });
  }

  private exportProblem(message: string): void {
    const now = Date.now();
    if (now - this.lastProblemAt < PROBLEM_EVERY_MS) {
      this.unsaidProblems++;
      return;
    }
    const more = this.unsaidProblems ? ` (${this.unsaidProblems} more since the last warning)` : '';
    this.logger.warn(`Traces not exported to ${new URL(this.config.tracesUrl!).origin}: ${message}${more}; check OTEL_EXPORTER_OTLP_ENDPOINT and the collector.`);
    this.lastProblemAt = now;
    this.unsaidProblems = 0;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    const sink = this.sink;
    this.sink = undefined;
    if (!sink) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_FLUSH_MS)));
    try {
      if ((await Promise.race([sink.shutdown(), late])) === 'late') this.logger.warn(`Traces not all exported: the collector did not answer within ${SHUTDOWN_FLUSH_MS / 1000} s.`);
    } catch (err) {
      this.logger.warn(`Traces not all exported: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
