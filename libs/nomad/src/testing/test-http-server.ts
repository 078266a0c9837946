import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/** Test support: a local HTTP server on port 0 that plays a (mis)behaving Nomad. */
export interface TestHttpServer {
  url: string;
  port: number;
  /** "METHOD url" of every request received. */
  requests: Array<{ line: string; headers: IncomingMessage['headers'] }>;
  /** Resolves when every socket has closed: tests use it to see that the client let go. */
  socketsClosed(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestHttpServer> {
  const sockets = new Set<Socket>();
  const requests: TestHttpServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ line: `${req.method} ${req.url}`, headers: req.headers });
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    async socketsClosed() {
      while (sockets.size) await new Promise((r) => setTimeout(r, 10));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Writes `chunk` every `everyMs` until the client goes away (a Nomad that trickles). */
export function trickle(res: ServerResponse, chunk: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) return clearInterval(timer);
    res.write(chunk);
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/**
 * Sends `prefix` and then `total` bytes of 'x' with backpressure, so the count it reports is what the client
 * (and the kernel buffers between) actually took, and stops when the client hangs up.
 */
export function pour(res: ServerResponse, prefix: string, total: number): { sent: number } {
  const state = { sent: 0 };
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.write(prefix);
  const more = (): void => {
    while (state.sent < total && !res.destroyed) {
      state.sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
  return state;
}
