import { deny } from '../http/access';
import type { RequestContext } from '../http/context';
import { namespaceOf } from '../http/query-options';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { batchLine, type EventBatch, type StoredEvent } from '../state/events';
import { NomadHttpError } from '../wire';

/** Nomad's JsonStream heartbeat (nomad/event_endpoint.go: stream.NewJsonStream(ctx, 30*time.Second)). */
const HEARTBEAT_MS = 30_000;
const JOB_TOPICS = new Set(['Deployment', 'Evaluation', 'Allocation', 'Job', 'Service']);

type Topics = Map<string, string[]>;

/**
 * GET /v1/event/stream (command/agent/event_endpoint.go, nomad/event_endpoint.go, nomad/stream): newline-delimited
 * JSON, a `{}` heartbeat first and every 30 s, then each batch of events `{"Index":N,"Events":[…]}` that the
 * request's topics (`topic=Job`, `topic=Job:web`, `topic=*`; all of them when none is given) and namespace let
 * through. `index=N` starts at the buffered batch of index N (or the closest one kept), else at the oldest.
 * The token needs read-job in the namespace (every namespace for `namespace=*`) for the job topics, node:read
 * for Node, and a management token for `*` or any other topic.
 */
export function eventRoutes(r: Router, sim: Sim): void {
  r.get('/v1/event/stream', (ctx) => stream(sim, ctx));
}

async function stream(sim: Sim, ctx: RequestContext): Promise<void> {
  const broker = sim.state.events;
  const indexRaw = ctx.query.get('index') || '0';
  if (!/^[+-]?\d+$/.test(indexRaw)) throw new NomadHttpError(400, `Unable to parse index: strconv.Atoi: parsing ${JSON.stringify(indexRaw)}: invalid syntax`);
  const topics = parseTopics(ctx.query.getAll('topic'));
  const namespace = namespaceOf(ctx);
  const namespaces = namespace === '*' ? [...sim.state.store.namespaces.keys()] : [namespace];
  for (const ns of namespaces) allowed(sim, ctx, ns, topics);
  if (!broker.enabled) throw new NomadHttpError(500, 'Event broker is disabled');

  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  const send = (batch: EventBatch) => {
    const events = filter(batch.Events, topics, namespaces);
    if (events.length && !res.destroyed) res.write(`${batchLine(batch.Index, events)}\n`);
  };
  res.write('{}\n');
  for (const batch of broker.since(Number(indexRaw))) send(batch);
  const unsubscribe = broker.subscribe(send);
  const heartbeat = setInterval(() => res.write('{}\n'), sim.state.timings.eventHeartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref?.();
  await new Promise<void>((done) => {
    res.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      done();
    });
  });
  if (!res.writableEnded) res.end();
}

/** parseEventTopics: `Topic` alone means every key (`Topic:*`); more than one `:` is refused. */
function parseTopics(raw: string[]): Topics {
  const topics: Topics = new Map();
  if (!raw.length) return new Map([['*', ['*']]]);
  for (const t of raw) {
    const parts = t.split(':');
    if (parts.length > 2) throw new NomadHttpError(400, `Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: ${t}`);
    const [topic, key = '*'] = parts;
    topics.set(topic, [...(topics.get(topic) ?? []), key]);
  }
  return topics;
}

/** validateNsOp: what each requested topic needs of the token in one namespace. */
function allowed(sim: Sim, ctx: RequestContext, ns: string, topics: Topics): void {
  const { acl } = sim;
  for (const topic of topics.keys()) {
    const ok = JOB_TOPICS.has(topic) ? acl.allowNamespace(ctx.token, ns, ['read-job'])
      : topic === 'Node' ? acl.allowScope(ctx.token, 'node', false)
        : !acl.enabled || ctx.token?.Type === 'management';
    if (!ok) deny();
  }
}

/**
 * The subscription's filter (nomad/stream/subscription.go), quirks kept: an event outside the namespaces is
 * dropped unless it has none (nodes); with `*:*` everything passes; else the event's key or one of its
 * FilterKeys must be among the keys asked for its topic (plus those asked for `*`), and a `*` key only counts
 * when it is the only one.
 */
function filter(events: StoredEvent[], topics: Topics, namespaces: string[]): StoredEvent[] {
  const all = topics.get('*') ?? [];
  const out: StoredEvent[] = [];
  for (const e of events) {
    if (e.Namespace !== '' && !namespaces.includes(e.Namespace)) continue;
    if (all.length === 1 && all[0] === '*') {
      out.push(e);
      continue;
    }
    const keys = [...all, ...(topics.get(e.Topic) ?? [])];
    if (keys.length === 1 && keys[0] === '*') {
      out.push(e);
      continue;
    }
    // Nomad appends the event once per matching key
    for (const k of keys) if (e.Key === k || (e.FilterKeys ?? []).includes(k)) out.push(e);
  }
  return out;
}
