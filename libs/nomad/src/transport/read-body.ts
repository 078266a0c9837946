import { Readable } from 'node:stream';

export interface CappedBody {
  /** At most `limit` bytes of the body. */
  bytes: Buffer;
  /** True when the body was longer than `limit`; reading stopped there and the stream was destroyed. */
  overflow: boolean;
}

/** Thrown by readCapped when the stream failed part-way; carries how much had arrived by then. */
export class BodyReadError extends Error {
  constructor(
    readonly original: unknown,
    readonly bytesRead: number,
  ) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/**
 * Reads a response body, but never more than `limit` bytes: a 20 MB answer costs `limit` bytes of memory and
 * is then dropped (the socket with it). Failures part-way (reset, abort) become BodyReadError.
 */
export async function readCapped(stream: Readable, limit: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (size + buf.length > limit) {
        chunks.push(buf.subarray(0, limit - size));
        stream.destroy();
        return { bytes: Buffer.concat(chunks), overflow: true };
      }
      chunks.push(buf);
      size += buf.length;
    }
  } catch (err) {
    throw new BodyReadError(err, size);
  }
  return { bytes: Buffer.concat(chunks), overflow: false };
}
