import { Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { NomadCallRecord, nomadEndpoint, NomadTransport } from '@nomad-mcp/nomad';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Subscription } from 'rxjs';
import { AuditStore } from '../audit/audit.store';
import { WatchCache } from '../cache/watch-cache';
import { cacheMetrics } from './cache-metrics';
import { ConfirmationDecision, ConfirmationGate } from '../operations/core/confirmation.gate';
import { OperationEvent, OperationEvents } from '../operations/core/operation-events';
import { VERSION } from '../version';
import { processMetrics } from './process-metrics';

/** Seconds: from a cached answer (a few ms) to a slow Nomad or a long wait for a deployment. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The label of a request no route matched (404s): one value, whatever the URL was. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route template a request matched (`/api/claude/jobs/:job_id`), never its URL with the IDs in it. */
export function routeOf(req: object): string {
  const url = (req as { routeOptions?: { url?: unknown } }).routeOptions?.url;
  return typeof url === 'string' && url !== '' ? url : UNMATCHED_ROUTE;
}

/**
 * The service's Prometheus metrics. Every label comes from a bounded set: route templates, operation names,
 * transports, outcomes, Nomad endpoint templates, HTTP statuses. No label holds an ID, a URL or an identity.
 * Operation calls, Nomad calls, audit writes and confirmations are counted from the events those parts emit
 * (so nothing on their path waits for metrics); HTTP requests by a hook (http-metrics.ts), 429s by the
 * rate-limit guard. Node's process metrics are added at scrape time.
 */
@Injectable()
export class ServiceMetrics implements OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();
  private readonly subscriptions: Subscription[] = [];

  private readonly httpRequests = new Counter({
    name: 'nomad_mcp_http_requests_total', help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'], registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'nomad_mcp_http_request_duration_seconds', help: 'Time from a request arriving to its answer finishing, by method, route template and status.',
    labelNames: ['method', 'route', 'status'], buckets: DURATION_BUCKETS, registers: [this.registry],
  });
  private readonly operationCalls = new Counter({
    name: 'nomad_mcp_operation_calls_total', help: 'Tool/operation calls, by operation, transport (rest, mcp) and outcome (ok, planned, invalid, denied, error).',
    labelNames: ['operation', 'transport', 'outcome'], registers: [this.registry],
  });
  private readonly operationDuration = new Histogram({
    name: 'nomad_mcp_operation_duration_seconds', help: 'Duration of tool/operation calls, by operation, transport and outcome.',
    labelNames: ['operation', 'transport', 'outcome'], buckets: DURATION_BUCKETS, registers: [this.registry],
  });
  private readonly nomadRequests = new Counter({
    name: 'nomad_mcp_nomad_requests_total', help: 'Requests to Nomad, by endpoint template and status (the HTTP status, or timeout, unreachable, aborted, truncated, too-large).',
    labelNames: ['endpoint', 'status'], registers: [this.registry],
  });
  private readonly nomadDuration = new Histogram({
    name: 'nomad_mcp_nomad_request_duration_seconds', help: 'Duration of requests to Nomad (a stream: until its answer began; blocking queries are not timed), by endpoint template and status.',
    labelNames: ['endpoint', 'status'], buckets: DURATION_BUCKETS, registers: [this.registry],
  });
  private readonly auditWrites = new Counter({
    name: 'nomad_mcp_audit_writes_total', help: 'Audit records written (ok) and records that could not be written (failed; the call was then refused).',
    labelNames: ['result'], registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'nomad_mcp_rate_limited_total', help: 'Requests refused with 429 by RATE_LIMIT_PER_MINUTE, by route template.',
    labelNames: ['route'], registers: [this.registry],
  });
  private readonly confirmations = new Counter({
    name: 'nomad_mcp_confirmations_total', help: 'Changes that needed confirmation, by operation and decision: planned (a plan and token answered), accepted (a token applied), refused (a token not accepted).',
    labelNames: ['operation', 'decision'], registers: [this.registry],
  });

  constructor(
    private readonly events: OperationEvents,
    private readonly transport: NomadTransport,
    private readonly audit: AuditStore,
    private readonly gate: ConfirmationGate,
    @Optional() private readonly cache?: WatchCache,
  ) {
    new Gauge({ name: 'nomad_mcp_info', help: 'The running version of nomad-mcp (always 1).', labelNames: ['version'], registers: [this.registry] }).set({ version: VERSION }, 1);
    for (const result of ['ok', 'failed']) this.auditWrites.inc({ result }, 0);
    processMetrics();
  }

  onModuleInit(): void {
    this.subscriptions.push(
      this.events.events$.subscribe((e) => this.operation(e)),
      this.transport.calls$.subscribe((c) => this.nomad(c)),
      this.audit.writes$.subscribe((ok) => this.auditWrites.inc({ result: ok ? 'ok' : 'failed' })),
      this.gate.decisions$.subscribe((d: ConfirmationDecision) => this.confirmations.inc({ operation: d.operation, decision: d.decision })),
      ...(this.cache?.enabled ? cacheMetrics(this.registry, this.cache) : []),
    );
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** One answered HTTP request (the middleware calls it when the answer has been sent). */
  http(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** One request refused by the rate limit. */
  rateLimitRefusal(route: string): void {
    this.rateLimited.inc({ route });
  }

  /** The whole scrape: the service's families, then the process's, in Prometheus text format. */
  async scrape(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${process}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private operation(e: OperationEvent): void {
    const labels = { operation: e.operation, transport: e.transport, outcome: e.outcome };
    this.operationCalls.inc(labels);
    this.operationDuration.observe(labels, e.duration_ms / 1000);
  }

  private nomad(c: NomadCallRecord): void {
    const labels = { endpoint: nomadEndpoint(c.method, c.path), status: String(c.status) };
    this.nomadRequests.inc(labels);
    // a blocking query lasts as long as Nomad holds it: counted, but not a latency
    if (!c.blocking) this.nomadDuration.observe(labels, c.durationMs / 1000);
  }
}
