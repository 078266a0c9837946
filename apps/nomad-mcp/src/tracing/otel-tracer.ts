import { diag, DiagLogLevel, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, Sampler, TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { nomadEndpoint, NomadCallRecord } from '@nomad-mcp/nomad';
import type { TracingConfig } from '../config/app-config';
import type { OperationEvent } from '../operations/core/operation-events';
import type { TraceParent } from './trace-parent';
import type { OperationSpan, OperationStart, TraceSink } from './trace-sink';

/*
 * The only file that imports OpenTelemetry; loaded (require) by OperationTracing only when an endpoint is set, so
 * a service without tracing never pays for the SDK at start-up. Spans carry names and bounded facts: the
 * operation, the transport, the outcome, namespace, job and evaluation, the principal's name, Nomad endpoint
 * templates and statuses — never a key, a token, a URL with its query, or an argument's value.
 */

const now = () => performance.timeOrigin + performance.now();

class OtelOperationSpan implements OperationSpan {
  constructor(
    private readonly span: Span,
    private readonly startChild: (name: string, parent: Span, startTime: number, attributes: Record<string, string | number | boolean>) => Span,
  ) {}

  finish(e: OperationEvent): void {
    this.span.setAttributes({
      'nomad_mcp.outcome': e.outcome,
      'http.response.status_code': e.status,
      ...(e.namespace ? { 'nomad_mcp.namespace': e.namespace } : {}),
      ...(e.job ? { 'nomad_mcp.job': e.job } : {}),
      ...(e.eval_id ? { 'nomad_mcp.eval_id': e.eval_id } : {}),
    });
    // refusals (invalid, denied, planned) are answers, not failures of the service
    if (e.outcome === 'error') this.span.setStatus({ code: SpanStatusCode.ERROR });
    if (e.outcome === 'error') this.span.setAttribute('error.type', String(e.status));
  }

  nomadCall(c: NomadCallRecord): void {
    const endpoint = nomadEndpoint(c.method, c.path);
    const end = now();
    const failed = typeof c.status !== 'number' || c.status >= 400;
    const child = this.startChild(endpoint, this.span, end - c.durationMs, {
      'http.request.method': c.method,
      'url.template': endpoint.slice(c.method.length + 1),
      ...(typeof c.status === 'number' ? { 'http.response.status_code': c.status } : {}),
      ...(failed ? { 'error.type': String(c.status) } : {}),
      ...(c.blocking ? { 'nomad_mcp.nomad.blocking_query': true } : {}),
    });
    if (failed) child.setStatus({ code: SpanStatusCode.ERROR });
    child.end(end);
  }

  end(): void {
    this.span.end();
  }
}

/** The message of what OpenTelemetry reports (its error handler sends exceptions as JSON), on one short line. */
function problemOf(report: string): string {
  let message = report;
  try {
    const parsed = JSON.parse(report) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // a plain text report
  }
  return message.split('\n')[0].slice(0, 300);
}

/** OTEL_TRACES_SAMPLER as OpenTelemetry's SDK reads it, from the validated setting (the SDK would read the environment itself). */
export function samplerOf({ name, ratio }: TracingConfig['sampler']): Sampler {
  const root = name.endsWith('traceidratio') ? new TraceIdRatioBasedSampler(ratio) : name.endsWith('always_off') ? new AlwaysOffSampler() : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/** `problem`: told of each export that failed (a collector down, refusing, too slow); the caller decides how often to say so. */
export function startOtelTracer(config: TracingConfig & { tracesUrl: string }, version: string, problem: (message: string) => void): TraceSink {
  // failed exports reach OpenTelemetry's global error handler, which reports to diag: errors only, to the service's log
  const quiet = () => undefined;
  diag.setLogger({ error: (m: string) => problem(problemOf(m)), warn: quiet, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.ERROR);
  const exporter = new OTLPTraceExporter({ url: config.tracesUrl, headers: { ...config.headers } });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': version }),
    sampler: samplerOf(config.sampler),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: config.scheduleDelayMs })],
  });
  const tracer = provider.getTracer('nomad-mcp', version);
  const startChild = (name: string, parent: Span, startTime: number, attributes: Record<string, string | number | boolean>) =>
    tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime, attributes }, trace.setSpan(ROOT_CONTEXT, parent));

  return {
    startOperation(start: OperationStart, parent?: TraceParent): OperationSpan {
      const context = parent ? trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true }) : ROOT_CONTEXT;
      const span = tracer.startSpan(start.operation, {
        kind: SpanKind.SERVER,
        attributes: { 'nomad_mcp.operation': start.operation, 'nomad_mcp.transport': start.transport, 'enduser.id': start.principal },
      }, context);
      return new OtelOperationSpan(span, startChild);
    },
    shutdown: async () => {
      await provider.shutdown();
      diag.disable();
    },
  };
}
