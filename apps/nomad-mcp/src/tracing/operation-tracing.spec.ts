import { NomadCallRecord, NomadTransport } from '@nomad-mcp/nomad';
import { RunningSimulator, startSimulator } from '../../../nomad-sim/src';
import type { TracingConfig } from '../config/app-config';
import { OperationEvent, OperationEvents } from '../operations/core/operation-events';
import { OperationTracing } from './operation-tracing';
import type { TraceParent } from './trace-parent';
import type { OperationSpan, OperationStart, TraceSink } from './trace-sink';

/** What reached the tracer, in order (the exporter behind it is proven end to end in test/tracing.e2e-spec.ts). */
type Recorded = { op: string; what: string };

class RecordingSink implements TraceSink {
  readonly log: Recorded[] = [];
  readonly parents: Array<TraceParent | undefined> = [];
  startOperation(start: OperationStart, parent?: TraceParent): OperationSpan {
    this.parents.push(parent);
    const log = this.log;
    const op = start.operation;
    log.push({ op, what: `start ${start.transport} ${start.principal}` });
    return {
      finish: (e: OperationEvent) => log.push({ op, what: `finish ${e.outcome}` }),
      nomadCall: (c: NomadCallRecord) => log.push({ op, what: `${c.method} ${c.path} ${c.status}` }),
      end: () => log.push({ op, what: 'end' }),
    };
  }
  shutdown = async () => undefined;
}

class TracingWith extends OperationTracing {
  constructor(config: TracingConfig, events: OperationEvents, transport: NomadTransport, private readonly recorder: RecordingSink) {
    super(config, events, transport);
  }
  protected override async loadSink(): Promise<TraceSink> {
    return this.recorder;
  }
}

const CONFIG: TracingConfig = {
  tracesUrl: 'http://127.0.0.1:9/v1/traces', headers: {}, serviceName: 'test', scheduleDelayMs: 5000, sampler: { name: 'parentbased_always_on', ratio: 1 },
};
const event = (operation: string): OperationEvent => ({
  operation, principal: 'ops', transport: 'rest', namespace: null, job: null, outcome: 'ok', status: 200, duration_ms: 1, eval_id: null, error: null, at: '',
});
const who = { transport: 'rest' as const, principal: { name: 'ops' } };

describe('OperationTracing', () => {
  let sim: RunningSimulator;
  let transport: NomadTransport;
  let events: OperationEvents;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: true });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    transport = new NomadTransport({ address: sim.url, timeoutMs: 5000 });
    events = new OperationEvents();
  });
  afterEach(() => transport.onModuleDestroy());

  it('off (no traces URL): runs the call as it is and builds nothing', async () => {
    const sink = new RecordingSink();
    const tracing = new TracingWith({ ...CONFIG, tracesUrl: undefined }, events, transport, sink);
    await tracing.onModuleInit();
    expect(tracing.enabled).toBe(false);
    expect(await tracing.trace('list_jobs', who, async () => (await transport.json('GET', '/v1/jobs')).body !== null)).toBe(true);
    expect(sink.log).toEqual([]);
  });

  it("a call's Nomad requests and its event are its span's; work it leaves behind and calls outside any operation are not", async () => {
    const sink = new RecordingSink();
    const tracing = new TracingWith(CONFIG, events, transport, sink);
    await tracing.onModuleInit();
    expect(tracing.enabled).toBe(true);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let leftBehind: Promise<unknown> | undefined;

    await tracing.trace('get_job_status', { ...who, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, async () => {
      await transport.json('GET', '/v1/job/example-job', { query: { namespace: 'development' } });
      await transport.json('GET', '/v1/job/no-such-job').catch(() => undefined);
      // a watch started by the call that outlives it (a cache's blocking query)
      leftBehind = gate.then(() => transport.json('GET', '/v1/jobs'));
      // another operation's event (a nested call) is not this one's
      events.emit(event('list_jobs'));
      events.emit(event('get_job_status'));
    });
    release();
    await leftBehind;
    await transport.json('GET', '/v1/status/leader');

    expect(sink.log).toEqual([
      { op: 'get_job_status', what: 'start rest ops' },
      { op: 'get_job_status', what: 'GET /v1/job/example-job 200' },
      { op: 'get_job_status', what: 'GET /v1/job/no-such-job 404' },
      { op: 'get_job_status', what: 'finish ok' },
      { op: 'get_job_status', what: 'end' },
    ]);
    expect(sink.parents).toEqual([{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }]);
  });

  it('concurrent calls keep their own Nomad requests, and a failed call still ends its span', async () => {
    const sink = new RecordingSink();
    const tracing = new TracingWith(CONFIG, events, transport, sink);
    await tracing.onModuleInit();
    await Promise.all([
      tracing.trace('list_jobs', who, () => transport.json('GET', '/v1/jobs')),
      tracing.trace('list_nodes', who, () => transport.json('GET', '/v1/nodes')),
      expect(tracing.trace('get_job_status', who, () => transport.json('GET', '/v1/job/gone'))).rejects.toThrow(),
    ]);
    const of = (op: string) => sink.log.filter((r) => r.op === op).map((r) => r.what);
    expect(of('list_jobs')).toEqual(['start rest ops', 'GET /v1/jobs 200', 'end']);
    expect(of('list_nodes')).toEqual(['start rest ops', 'GET /v1/nodes 200', 'end']);
    expect(of('get_job_status')).toEqual(['start rest ops', 'GET /v1/job/gone 404', 'end']);
    expect(sink.parents).toEqual([undefined, undefined, undefined]);
  });
});
