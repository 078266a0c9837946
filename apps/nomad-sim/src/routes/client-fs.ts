import { need } from '../http/access';
import type { RequestContext } from '../http/context';
import { LOG_CONTENT_TYPES } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { allocTerminal } from '../state/allocs';
import type { LogType } from '../logs';
import { NomadHttpError, parseBool } from '../wire';

/** Nomad's frames carry at most 64 KiB of Data each. */
const FRAME_BYTES = 64 * 1024;
const FOLLOW_POLL_MS = 200;
const HEARTBEAT_MS = 1000;

/**
 * GET /v1/client/fs/logs/:alloc (BEHAVIOUR.md §8): raw bytes with plain=true, else concatenated JSON frames
 * `{"Offset","Data" (base64),"File"}`; with follow=true the stream stays open, sending new bytes as the task
 * writes them and a `{}` heartbeat every second, until the task dies or the reader goes away.
 */
export function clientFsRoutes(r: Router, sim: Sim): void {
  r.get('/v1/client/fs/logs/:id', (ctx) => streamLogs(sim, ctx));
}

async function streamLogs(sim: Sim, ctx: RequestContext): Promise<void> {
  const { store, client } = sim.state;
  const q = ctx.query;
  const allocId = ctx.params.id;
  const a = store.allocs.get(allocId);
  if (!a) throw new NomadHttpError(404, `Unknown allocation "${allocId}"`);
  need(sim.acl, ctx, a.Namespace, 'read-logs', 'read-fs');
  const task = q.get('task');
  if (!task) throw new NomadHttpError(400, 'must provide task name');
  const type = q.get('type');
  if (type !== 'stdout' && type !== 'stderr') throw new NomadHttpError(400, 'must provide log type (stdout/stderr)');
  const origin = q.get('origin') || 'start';
  if (origin !== 'start' && origin !== 'end') throw new NomadHttpError(400, 'origin must be start or end');
  const offsetRaw = q.get('offset') ?? '0';
  if (!/^-?\d+$/.test(offsetRaw || '0')) throw new NomadHttpError(400, `strconv.ParseInt: parsing "${offsetRaw}": invalid syntax`);
  const offset = Number(offsetRaw || '0');
  const follow = parseBool(q.get('follow') ?? undefined);
  const plain = parseBool(q.get('plain') ?? undefined);
  const tasks = a.Job.TaskGroups.find((g) => g.Name === a.TaskGroup)?.Tasks ?? [];
  if (!tasks.some((t) => t.Name === task)) throw new NomadHttpError(400, `unknown task name "${task}"`);
  const file = client.logFile(a, task, type as LogType);
  if (!file) throw new NomadHttpError(404, `task "${task}" not started yet. No logs available`);
  const fileName = `alloc/logs/${task}.${type}.0`;
  const size = file.size();
  let pos = origin === 'end' ? Math.max(0, size - Math.max(0, offset)) : Math.min(Math.max(0, offset), size);

  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': plain ? LOG_CONTENT_TYPES.plain : LOG_CONTENT_TYPES.framed });
  // waits for drain or close, and drops the other listener: one left behind per wait piled up on a long fast stream
  const write = (chunk: Buffer | string) =>
    res.write(chunk)
      ? Promise.resolve()
      : new Promise<void>((done) => {
          const finish = () => {
            res.off('drain', finish);
            res.off('close', finish);
            done();
          };
          res.once('drain', finish);
          res.once('close', finish);
        });
  const sendRange = async (end: number) => {
    while (pos < end && !res.destroyed) {
      const to = Math.min(end, pos + FRAME_BYTES);
      const data = file.read(pos, to);
      pos = to;
      await write(plain ? data : `{"Offset":${pos},"Data":"${data.toString('base64')}","File":"${fileName}"}`);
    }
  };
  await sendRange(size);
  if (!follow) {
    res.end();
    return;
  }
  let lastHeartbeat = Date.now();
  while (!res.destroyed) {
    await new Promise((done) => setTimeout(done, FOLLOW_POLL_MS));
    const alloc = store.allocs.get(allocId);
    const current = client.logFile(a, task, type as LogType);
    if (!alloc || !current || current !== file) break;
    await sendRange(file.size());
    if (!plain && Date.now() - lastHeartbeat >= HEARTBEAT_MS) {
      lastHeartbeat = Date.now();
      await write('{}');
    }
    if (allocTerminal(alloc) && alloc.TaskStates?.[task]?.State === 'dead') break;
  }
  res.end();
}
