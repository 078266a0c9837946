/**
 * Deterministic task logs that are never held in memory. A log file is a short start-up banner followed by
 * "cycle" lines: line i is rendered from template i % P, whose length does not depend on i (timestamps are
 * fixed width), so byte offset <-> line number is O(1) arithmetic. A task writes a new line every interval
 * while it runs; a configurable history of lines makes a log of hundreds of MB that costs nothing to hold.
 */

export type LogType = 'stdout' | 'stderr';

export interface LogSpec {
  /** Unix ms when the task started writing; undefined: never started. */
  startedAtMs: number;
  /** Unix ms when the task stopped writing (dead); undefined: still writing. */
  stoppedAtMs?: number;
  image: string;
  taskName: string;
  type: LogType;
  /** Extra bytes of history written before the start (large-log benchmarks). */
  historyBytes: number;
  /** Batch tasks write their banner and stop. */
  batch: boolean;
}

interface Flavour {
  banner: (startMs: number) => string[];
  cycle: Array<(ms: number) => string>;
  intervalMs: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
/** nginx access-log time: 28/Nov/2026:00:10:20 +0000 (fixed width). */
function clf(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}
/** nginx error-log time: 2026/11/28 00:10:20 (fixed width). */
function nginxErrTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}
const iso = (ms: number) => new Date(ms).toISOString();

const NGINX_PATHS: Array<[string, number, number, string]> = [
  ['GET / HTTP/1.1', 200, 615, 'curl/8.5.0'],
  ['GET /health HTTP/1.1', 200, 2, 'Consul Health Check'],
  ['GET /index.html HTTP/1.1', 200, 615, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36'],
  ['GET /favicon.ico HTTP/1.1', 404, 153, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36'],
  ['GET /api/status HTTP/1.1', 404, 153, 'python-requests/2.32.3'],
  ['HEAD / HTTP/1.1', 200, 0, 'kube-probe/1.30'],
  ['GET /static/app.css HTTP/1.1', 304, 0, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)'],
  ['POST /login HTTP/1.1', 405, 157, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)'],
];

const nginx: Record<LogType, Flavour> = {
  stdout: {
    banner: () => [
      '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
      '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
    ],
    cycle: NGINX_PATHS.map(
      ([req, status, bytes, ua], i) => (ms: number) =>
        `10.0.${i}.${10 + i} - - [${clf(ms)}] "${req}" ${status} ${bytes} "-" "${ua}" "-"`,
    ),
    intervalMs: 1000,
  },
  stderr: {
    banner: (ms) =>
      [
        'using the "epoll" event method',
        'nginx/1.27.3',
        'built by gcc 12.2.0 (Debian 12.2.0-14)',
        'OS: Linux 6.1.0-28-amd64',
        'getrlimit(RLIMIT_NOFILE): 1048576:1048576',
        'start worker processes',
        'start worker process 29',
        'start worker process 30',
      ].map((m) => `${nginxErrTime(ms)} [notice] 1#1: ${m}`),
    cycle: [
      (ms) => `${nginxErrTime(ms)} [error] 29#29: *7 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 10.0.3.13, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost"`,
      (ms) => `${nginxErrTime(ms)} [error] 30#30: *9 open() "/usr/share/nginx/html/api/status" failed (2: No such file or directory), client: 10.0.4.14, server: localhost, request: "GET /api/status HTTP/1.1", host: "localhost"`,
    ],
    intervalMs: 4000,
  },
};

function generic(image: string, task: string): Record<LogType, Flavour> {
  return {
    stdout: {
      banner: (ms) => [
        `${iso(ms)} INFO  starting ${task} (image ${image})`,
        `${iso(ms)} INFO  loaded configuration from environment`,
        `${iso(ms)} INFO  listening on 0.0.0.0:8080`,
      ],
      cycle: [
        (ms) => `${iso(ms)} INFO  request method=GET path=/ status=200 duration_ms=003`,
        (ms) => `${iso(ms)} INFO  request method=GET path=/healthz status=200 duration_ms=001`,
        (ms) => `${iso(ms)} INFO  request method=POST path=/api/items status=201 duration_ms=014`,
        (ms) => `${iso(ms)} DEBUG cache refresh completed entries=0128`,
      ],
      intervalMs: 1000,
    },
    stderr: {
      banner: (ms) => [`${iso(ms)} WARN  no TLS certificate configured; serving plain HTTP`],
      cycle: [
        (ms) => `${iso(ms)} WARN  slow request method=GET path=/api/items duration_ms=1203`,
        (ms) => `${iso(ms)} ERROR upstream timeout service=db attempt=1`,
      ],
      intervalMs: 5000,
    },
  };
}

function batchFlavour(image: string, task: string): Record<LogType, Flavour> {
  return {
    stdout: {
      banner: (ms) => [
        `${iso(ms)} starting batch task ${task} (image ${image})`,
        ...[1, 2, 3, 4, 5].map((n) => `${iso(ms)} processed chunk ${n}/5 (2000 records)`),
        `${iso(ms)} done: 10000 records in 5 chunks`,
      ],
      cycle: [],
      intervalMs: 1000,
    },
    stderr: { banner: () => [], cycle: [], intervalMs: 1000 },
  };
}

/** One task log file, addressed by byte offset. */
export class LogFile {
  private readonly banner: Buffer;
  private readonly flavour: Flavour;
  private readonly cycleLens: number[];
  private readonly prefix: number[];
  private readonly cycleBytes: number;
  private readonly historyLines: number;

  constructor(private readonly spec: LogSpec) {
    const flavours = spec.batch
      ? batchFlavour(spec.image, spec.taskName)
      : /(^|\/)nginx(:|@|$)/.test(spec.image)
        ? nginx
        : generic(spec.image, spec.taskName);
    this.flavour = flavours[spec.type];
    this.banner = Buffer.from(this.flavour.banner(spec.startedAtMs).map((l) => l + '\n').join(''));
    this.cycleLens = this.flavour.cycle.map((f) => Buffer.byteLength(f(spec.startedAtMs)) + 1);
    this.prefix = [];
    let acc = 0;
    for (const len of this.cycleLens) {
      this.prefix.push(acc);
      acc += len;
    }
    this.cycleBytes = acc;
    this.historyLines =
      this.cycleBytes > 0 ? Math.floor(spec.historyBytes / this.cycleBytes) * this.cycleLens.length : 0;
  }

  private linesAt(nowMs: number): number {
    if (this.cycleLens.length === 0) return 0;
    const end = Math.min(nowMs, this.spec.stoppedAtMs ?? Infinity);
    const live = Math.max(0, Math.floor((end - this.spec.startedAtMs) / this.flavour.intervalMs));
    return this.historyLines + live;
  }

  private offsetOfLine(i: number): number {
    const P = this.cycleLens.length;
    return this.banner.length + Math.floor(i / P) * this.cycleBytes + this.prefix[i % P];
  }

  private lineTime(i: number): number {
    return this.spec.startedAtMs + (i - this.historyLines + 1) * this.flavour.intervalMs;
  }

  size(nowMs = Date.now()): number {
    return this.cycleLens.length ? this.offsetOfLine(this.linesAt(nowMs)) : this.banner.length;
  }

  /** Bytes [start, end) of the file; callers keep end - start small (a frame). */
  read(start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    if (start < this.banner.length) parts.push(this.banner.subarray(start, Math.min(end, this.banner.length)));
    if (end > this.banner.length && this.cycleLens.length) {
      const P = this.cycleLens.length;
      const rel = Math.max(start, this.banner.length) - this.banner.length;
      let i = Math.floor(rel / this.cycleBytes) * P;
      while (this.offsetOfLine(i + 1) <= Math.max(start, this.banner.length)) i++;
      let pos = this.offsetOfLine(i);
      while (pos < end) {
        const line = Buffer.from(this.flavour.cycle[i % P](this.lineTime(i)) + '\n');
        const from = Math.max(0, start - pos);
        const to = Math.min(line.length, end - pos);
        parts.push(line.subarray(from, to));
        pos += line.length;
        i++;
      }
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}

/** Reads NOMAD_SIM_LOG_BYTES style sizes: "524288000", "500MB", "1GB". */
export function parseSize(text: unknown): number {
  if (typeof text !== 'string') return 0;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!m) return 0;
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(parseFloat(m[1]) * mult);
}
