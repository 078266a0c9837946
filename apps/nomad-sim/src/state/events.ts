import { toMarkedJson, unmarkJson } from '../wire';
import type { Allocation, Deployment, Evaluation, Job, SimNode } from './types';

/**
 * Nomad's event broker (nomad/stream, nomad/state/events.go): every write publishes events for the objects it
 * changed, grouped by the index of the write, into a bounded buffer (`event_buffer_size`, 100 batches) that
 * subscribers of /v1/event/stream read from — from its oldest batch, or from a given index on.
 *
 * An event's Type is the kind of write that made it (the raft message type), not the object's: the evaluation a
 * job registration creates is an Evaluation event of Type `JobRegistered`, an allocation the scheduler places is
 * `PlanResult`. Writers that make several objects change say so with `during(type, fn)`; an object published
 * inside takes that type unless the call names its own. Payloads are serialised when published, so a subscriber
 * sees each object as that write left it; the batches go out at the end of the synchronous work.
 */

export type Topic = 'Job' | 'Allocation' | 'Deployment' | 'Evaluation' | 'Node';
export const TOPICS: readonly Topic[] = ['Job', 'Allocation', 'Deployment', 'Evaluation', 'Node'];

/**
 * One event as the buffer keeps it: the envelope, and the payload's JSON as it was when published. The text is
 * kept with its bigints still marked (toMarkedJson) and printed (unmarkJson) on first read: replay and live
 * subscribers read it, while most events leave the buffer unread, so this skips a scan and copy of each payload.
 */
export class StoredEvent {
  private json: string | undefined;

  constructor(
    readonly Topic: Topic,
    readonly Type: string,
    readonly Key: string,
    readonly Namespace: string,
    readonly FilterKeys: string[] | null,
    readonly Index: number,
    private readonly markedPayload: string,
  ) {}

  get payloadJson(): string {
    return (this.json ??= unmarkJson(this.markedPayload));
  }

  /** The same event under another Type (a later write of the object at the same index keeps the first one's). */
  withType(type: string): StoredEvent {
    return new StoredEvent(this.Topic, type, this.Key, this.Namespace, this.FilterKeys, this.Index, this.markedPayload);
  }
}

export interface EventBatch {
  Index: number;
  Events: StoredEvent[];
}

type TopicObject = { Job: Job; Allocation: Allocation; Deployment: Deployment; Evaluation: Evaluation; Node: SimNode };

type Pending = StoredEvent;

/** The type of a write nobody named: what Nomad's most common write of that object is. */
const DEFAULT_TYPE: Record<Topic, string> = {
  Job: 'JobRegistered', Allocation: 'AllocationUpdated', Deployment: 'DeploymentStatusUpdate', Evaluation: 'EvaluationUpdated', Node: 'NodeStreamEvent',
};

export class EventBroker {
  private readonly buffer: EventBatch[] = [];
  private readonly subscribers = new Set<(batch: EventBatch) => void>();
  private pending: Pending[] = [];
  private readonly types: string[] = [];
  /** The full node as GET /v1/node/:id answers it (the HTTP layer knows the agent's address and version). */
  nodeView: (n: SimNode) => unknown = (n) => n;

  constructor(
    private readonly currentIndex: () => number,
    /** Nomad's event_buffer_size; 0 turns the broker off (enable_event_broker = false). */
    readonly size = 100,
  ) {}

  get enabled(): boolean {
    return this.size > 0;
  }

  /** Runs a write whose objects' events take `type` (nested writes name their own). */
  during<T>(type: string, fn: () => T): T {
    this.types.push(type);
    try {
      return fn();
    } finally {
      this.types.pop();
    }
  }

  /** The object changed at the store's current index; `type` overrides the surrounding write's. */
  publish<K extends Topic>(topic: K, obj: TopicObject[K], type?: string): void {
    if (!this.enabled) return;
    if (!this.pending.length) queueMicrotask(() => this.flush());
    this.pending.push(this.stored(topic, obj, this.currentIndex(), type ?? this.types.at(-1) ?? DEFAULT_TYPE[topic]));
  }

  /** Batches whose index is at least `index` (Nomad's StartAtClosest: the closest one when it was dropped). */
  since(index: number): EventBatch[] {
    if (index <= 0) return [...this.buffer];
    const at = this.buffer.findIndex((b) => b.Index >= index);
    // past the newest: Nomad starts at the newest batch again
    return at < 0 ? this.buffer.slice(-1) : this.buffer.slice(at);
  }

  subscribe(fn: (batch: EventBatch) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Groups what was published by index, one event per object and index (its latest state, its first type). */
  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    // the index only grows, so what was published is in index order already: each run of one index is a batch
    for (let start = 0; start < pending.length; ) {
      const index = pending[start].Index;
      let end = start + 1;
      while (end < pending.length && pending[end].Index === index) end++;
      this.append(index, end - start === 1 ? [pending[start]] : latestPerObject(pending, start, end));
      start = end;
    }
  }

  private append(index: number, events: StoredEvent[]): void {
    const last = this.buffer.at(-1);
    // a later write at an index already flushed (rare: two ticks on one index) joins its batch
    const batch: EventBatch = last && last.Index === index ? { Index: index, Events: [...last.Events, ...events] } : { Index: index, Events: events };
    if (batch.Events !== events) this.buffer.pop();
    this.buffer.push(batch);
    if (this.buffer.length > this.size) this.buffer.shift();
    for (const fn of this.subscribers) fn({ Index: index, Events: events });
  }

  private stored<K extends Topic>(topic: K, obj: TopicObject[K], index: number, type: string): StoredEvent {
    const key = (obj as { ID: string }).ID;
    switch (topic) {
      case 'Job': {
        const j = obj as Job;
        return new StoredEvent(topic, type, key, j.Namespace, null, index, toMarkedJson({ Job: j }));
      }
      case 'Evaluation': {
        const e = obj as Evaluation;
        return new StoredEvent(topic, type, key, e.Namespace, [e.JobID, e.DeploymentID], index, toMarkedJson({ Evaluation: e }));
      }
      case 'Allocation': {
        const a = obj as Allocation;
        return new StoredEvent(topic, type, key, a.Namespace, [a.JobID, a.DeploymentID], index, allocationJson(a));
      }
      case 'Deployment': {
        const d = obj as Deployment;
        return new StoredEvent(topic, type, key, d.Namespace, [d.JobID], index, toMarkedJson({ Deployment: d }));
      }
      default:
        return new StoredEvent(topic, type, key, '', null, index, toMarkedJson({ Node: this.nodeView(obj as SimNode) }));
    }
  }
}

/**
 * An allocation event's payload: the allocation without its job (events.go sets alloc.Job = nil) nor the
 * simulator's JobCreateIndex. Both are blanked on the object itself for the (synchronous) serialisation and put
 * back, rather than copying its forty-odd fields twice per event; an undefined property is left out by JSON as a
 * removed one is, in the same place.
 */
function allocationJson(a: Allocation): string {
  // (marked text: see StoredEvent)
  const { Job: job, JobCreateIndex: createIndex } = a;
  const blank = a as unknown as { Job: null; JobCreateIndex: undefined };
  blank.Job = null;
  blank.JobCreateIndex = undefined;
  try {
    return toMarkedJson({ Allocation: a });
  } finally {
    a.Job = job;
    a.JobCreateIndex = createIndex;
  }
}

/** pending[start, end) (one index): one event per object, in first-published order, with its latest state and first type. */
function latestPerObject(pending: StoredEvent[], start: number, end: number): StoredEvent[] {
  const byObject = new Map<string, StoredEvent>();
  for (let i = start; i < end; i++) {
    const p = pending[i];
    const k = `${p.Topic}/${p.Key}`;
    const first = byObject.get(k);
    byObject.set(k, first ? p.withType(first.Type) : p);
  }
  return [...byObject.values()];
}

/** One NDJSON line of the stream: the batch with only the events the subscriber may see. */
export function batchLine(index: number, events: StoredEvent[]): string {
  const parts = events.map((e) =>
    `{"Topic":${JSON.stringify(e.Topic)},"Type":${JSON.stringify(e.Type)},"Key":${JSON.stringify(e.Key)},"Namespace":${JSON.stringify(e.Namespace)},` +
    `"FilterKeys":${JSON.stringify(e.FilterKeys)},"Index":${e.Index},"Payload":${e.payloadJson}}`);
  return `{"Index":${index},"Events":[${parts.join(',')}]}`;
}
