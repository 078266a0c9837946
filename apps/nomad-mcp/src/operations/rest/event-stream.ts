import { StreamableFile } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { toErrorBody } from '../../common/all-exceptions.filter';
import type { Call, Executed } from '../core/operation.executor';
import { OperationFailure } from '../core/operation-failure';

/** How often an idle event stream sends a comment line, so proxies and clients do not take it for dead. */
export const HEARTBEAT_MS = 15_000;

/** Whether a REST caller asked for Server-Sent Events. */
export function wantsEventStream(req: FastifyRequest): boolean {
  return /\btext\/event-stream\b/.test(req.headers.accept ?? '');
}

/**
 * Runs a long call and answers it as Server-Sent Events: `progress` events while it runs, then one `result`
 * (the operation's answer) or `error` (the error body REST would answer, with its status) event. The status is
 * 200 once the stream starts; a caller that goes away aborts the call (its signal), so nothing waits for nobody.
 */
export function answerAsEventStream(reply: FastifyReply, run: (live: Pick<Call, 'progress' | 'signal'>) => Promise<Executed>): StreamableFile {
  const out = new PassThrough();
  const send = (event: string, data: unknown) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const abort = new AbortController();
  reply.raw.on('close', () => abort.abort(new Error('the caller closed the event stream')));
  reply.headers({ 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  const beat = setInterval(() => out.write(': heartbeat\n\n'), HEARTBEAT_MS);
  void run({ progress: (u) => send('progress', u), signal: abort.signal })
    .then((done) => send('result', done.result), (err) => send('error', err instanceof OperationFailure ? err.body : toErrorBody(err)))
    .finally(() => {
      clearInterval(beat);
      out.end();
    });
  return new StreamableFile(out, { type: 'text/event-stream; charset=utf-8' });
}
