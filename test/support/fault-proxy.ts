import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * How the proxy treats a request:
 * - pass: forwards it to the target (the simulator) and its answer back;
 * - down: nothing listens on the port any more (ECONNREFUSED); open connections are cut, as when Nomad dies;
 * - hang: accepts and reads the request, never answers;
 * - slow: forwards the request at once (Nomad acts on it) but holds the answer for `slowMs`;
 * - html / not-json / truncated-json / wrong-json: a complete 200 whose body is not Nomad's JSON;
 * - short-body: announces more bytes than it sends, then closes the connection;
 * - long-body: sends more bytes than its Content-Length announces (the reader sees a cut JSON);
 * - reset-mid-body: status, headers and part of the body, then a TCP reset;
 * - reset-before-answer: reads the request, then a TCP reset before any byte of the answer;
 * - refuse: Nomad's refusal, a plain-text error with a status (`refuseStatus`, default 500; `refuseText`).
 */
export type FaultMode =
  | 'pass' | 'down' | 'hang' | 'slow'
  | 'html' | 'not-json' | 'truncated-json' | 'wrong-json'
  | 'short-body' | 'long-body' | 'reset-mid-body' | 'reset-before-answer' | 'refuse';

export interface FaultOptions {
  /** Only requests this accepts get the fault; the others pass (e.g. only the DELETE of a stop). */
  only?: (method: string, url: string) => boolean;
  /** How long `slow` holds an answer; default 10 s. */
  slowMs?: number;
  /** `refuse`: the status and plain-text body Nomad answers with (default 500, "rpc error: refused"). */
  refuseStatus?: number;
  refuseText?: string;
}

export interface FaultProxy {
  url: string;
  readonly mode: FaultMode;
  /** Switches the mode for the requests that follow (the port stays the same, also across `down`). */
  set(mode: FaultMode, opts?: FaultOptions): Promise<void>;
  /** Connections open at the proxy now (server side): what the client under test holds. */
  openConnections(): number;
  /** "METHOD url" of every request that got a fault rather than the target's answer. */
  faulted: string[];
  close(): Promise<void>;
}

const JSON_HEADERS = 'Content-Type: application/json\r\nConnection: close\r\n';

/** The raw bytes each garbage mode writes: a status line, headers and a body that is not what Nomad sends. */
const GARBAGE: Partial<Record<FaultMode, string>> = {
  html: raw('Content-Type: text/html\r\nConnection: close\r\n', '<html><body><h1>502 Bad Gateway</h1></body></html>'),
  'not-json': raw(JSON_HEADERS, 'OK'),
  'truncated-json': raw(JSON_HEADERS, '[{"ID":"example-job","Name":"exa'),
  'wrong-json': raw(JSON_HEADERS, '{"jobs":"not a list"}'),
  'short-body': `HTTP/1.1 200 OK\r\n${JSON_HEADERS}Content-Length: 4096\r\n\r\n[{"ID":"example-job"`,
  'long-body': `HTTP/1.1 200 OK\r\n${JSON_HEADERS}Content-Length: 10\r\n\r\n[{"ID":"example-job"}]`,
  'reset-mid-body': `HTTP/1.1 200 OK\r\n${JSON_HEADERS}Content-Length: 4096\r\n\r\n[{"ID":"example-job",`,
};

function raw(headers: string, body: string): string {
  return `HTTP/1.1 200 OK\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * An HTTP server between the service and Nomad whose behaviour the test switches: pass-through, down, hang,
 * slow, garbage, cut or reset answers. Without a target it can only hang (a black hole).
 */
export async function startFaultProxy(opts: { target?: string; mode?: FaultMode } = {}): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const faulted: string[] = [];
  const target = opts.target ? new URL(opts.target) : undefined;
  let mode: FaultMode = opts.mode ?? (target ? 'pass' : 'hang');
  let options: FaultOptions = {};

  const forward = (req: IncomingMessage, res: ServerResponse, holdMs = 0) => {
    if (!target) throw new Error('fault proxy: pass-through needs a target');
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const deliver = () => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      if (!holdMs) return deliver();
      const timer = setTimeout(deliver, holdMs);
      res.on('close', () => clearTimeout(timer));
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const fault = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (mode === 'hang') return void req.resume();
    if (mode === 'slow') return forward(req, res, options.slowMs ?? 10_000);
    if (mode === 'reset-before-answer') return void socket.resetAndDestroy();
    if (mode === 'refuse') {
      req.resume();
      return void res.writeHead(options.refuseStatus ?? 500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(options.refuseText ?? 'rpc error: refused');
    }
    const bytes = GARBAGE[mode];
    if (!bytes) throw new Error(`fault proxy: no fault for mode ${mode}`);
    req.resume();
    if (mode !== 'reset-mid-body') return void socket.end(bytes);
    // the reset comes after the client has the headers, so it breaks the body and not the connect
    socket.write(bytes, () => setTimeout(() => socket.resetAndDestroy(), 100));
  };

  const server: Server = createServer((req, res) => {
    const faulty = mode !== 'pass' && (options.only?.(req.method ?? 'GET', req.url ?? '/') ?? true);
    if (!faulty) return forward(req, res);
    faulted.push(`${req.method} ${req.url}`);
    fault(req, res);
  });
  // a hanging request stays until the client gives up, as against a Nomad that does not answer
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listenOn = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const stopListening = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });

  await listenOn(0);
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    faulted,
    get mode() {
      return mode;
    },
    async set(next, nextOptions = {}) {
      if (next === 'down' && mode !== 'down') await stopListening();
      if (next !== 'down' && mode === 'down') await listenOn(port);
      mode = next;
      options = nextOptions;
    },
    openConnections: () => sockets.size,
    close: async () => {
      if (mode !== 'down') await stopListening();
    },
  };
}
