import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { LogStream, LogTail } from '../nomad.types';
import { NomadStreamResult } from '../transport/nomad.transport';
import { NomadResource } from './nomad-resource';

/** How far back a log tail may read before it gives up finding more lines (bytes). */
export const MAX_TAIL_WINDOW = 4 * 1024 * 1024;

/** /v1/client/fs/…: task logs, read by byte offset so their size never matters. */
@Injectable()
export class NomadClientFsApi extends NomadResource {
  /** Raw bytes of a task log, counted from the end (origin=end), never the whole file. */
  async readLogEnd(allocId: string, task: string, type: LogStream, bytesFromEnd: number): Promise<string> {
    const query = { task, type, origin: 'end', offset: bytesFromEnd, plain: true, follow: false };
    const { body } = await this.transport.text('GET', nomadPath`client/fs/logs/${allocId}`, { query, maxBytes: bytesFromEnd + 1024 });
    return body;
  }

  /**
   * The last `lines` lines of a task log. Reads a window from the end and widens it only while it holds
   * too few lines, so the cost follows the lines asked for, not the size of the log. `maxBytes` caps the window
   * at what the caller can return anyway (get_job_logs answers at most 256 KiB a stream).
   */
  async tailLog(allocId: string, task: string, type: LogStream, lines: number, maxBytes = MAX_TAIL_WINDOW): Promise<LogTail> {
    const cap = Math.min(MAX_TAIL_WINDOW, Math.max(4096, maxBytes));
    let window = Math.min(cap, Math.max(4096, lines * 200));
    let bytesRead = 0;
    for (;;) {
      const text = await this.readLogEnd(allocId, task, type, window);
      const size = Buffer.byteLength(text);
      bytesRead += size;
      const reachedStart = size < window;
      const all = text.split('\n');
      if (all.length && all[all.length - 1] === '') all.pop();
      // the first line of a window that did not reach the start of the file is cut
      const complete = reachedStart ? all : all.slice(1);
      if (complete.length >= lines || reachedStart || window >= cap) {
        return { lines: complete.slice(-lines), bytesRead, truncated: complete.length > lines || !reachedStart };
      }
      window = Math.min(cap, window * 4);
    }
  }

  /**
   * A task log as a stream of raw bytes (plain mode), from `bytesFromEnd` before the end; with `follow` it
   * stays open and carries new output as the task writes it, until closed or `signal` aborts.
   */
  streamLog(
    allocId: string,
    task: string,
    type: LogStream,
    opts: { bytesFromEnd?: number; follow?: boolean; signal?: AbortSignal } = {},
  ): Promise<NomadStreamResult> {
    const query = { task, type, origin: 'end', offset: opts.bytesFromEnd ?? 0, plain: true, follow: opts.follow ?? true };
    return this.transport.stream('GET', nomadPath`client/fs/logs/${allocId}`, { query, signal: opts.signal });
  }
}
