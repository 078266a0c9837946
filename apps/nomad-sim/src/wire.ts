/**
 * Wire helpers shared by the simulator: Nomad's JSON conventions (int64 nanosecond times that do not fit
 * a double, PascalCase keys matched case-insensitively on input) and its error texts.
 */

/** An int64 that JSON must print exactly (nanosecond times exceed 2^53). */
export type Int64 = bigint;

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function nowNs(): bigint {
  return process.hrtime.bigint() - hrtimeOrigin + wallOriginNs;
}
const hrtimeOrigin = process.hrtime.bigint();
const wallOriginNs = BigInt(Date.now()) * 1_000_000n;

export function nsToRfc3339(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

const BIG_MARK = '@@int64:';
/**
 * True only while toJson's JSON.stringify runs: then BigInt.prototype.toJSON marks bigints. Outside, it hands the
 * bigint back unchanged, which is what JSON.stringify does without a toJSON: a replacer still sees the bigint, and
 * without one V8 throws its own TypeError.
 */
let marking = false;
function markBigInt(this: bigint): string | bigint {
  const n = BigInt.prototype.valueOf.call(this);
  return marking ? `${BIG_MARK}${n.toString()}` : n;
}

/**
 * JSON.stringify that prints bigint as a bare integer, the way Go prints int64/uint64. Bigints are marked through
 * BigInt.prototype.toJSON, not with a replacer: a replacer is called for every key and made every list several
 * times slower to write. The method is installed once (non-enumerable) and marks only during this synchronous call;
 * outside it, it returns the bigint as it is, so JSON.stringify elsewhere behaves as if there were none.
 * Adding and deleting it on every call (as this did before) halved the speed of every JSON.stringify: V8 drops
 * its prototype-chain caches each time BigInt.prototype changes shape. If some other code installed its own
 * toJSON, it is swapped out for the call and put back, as before.
 */
export function toJson(value: unknown, pretty = false): string {
  return unmarkJson(toMarkedJson(value, pretty));
}

/**
 * toJson's first step: the JSON text with each bigint still a marked string. unmarkJson(toMarkedJson(v)) is
 * toJson(v); the event broker keeps the marked text of each payload (an exact snapshot) and unmarks it only
 * when a subscriber reads it, as most events never are.
 */
export function toMarkedJson(value: unknown, pretty = false): string {
  const proto = BigInt.prototype as unknown as { toJSON?: () => string | bigint };
  if (proto.toJSON !== markBigInt && !Object.prototype.hasOwnProperty.call(proto, 'toJSON')) {
    Object.defineProperty(proto, 'toJSON', { value: markBigInt, writable: true, configurable: true, enumerable: false });
  }
  const foreign = proto.toJSON !== markBigInt;
  const previous = proto.toJSON;
  if (foreign) proto.toJSON = markBigInt;
  const was = marking;
  marking = true;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, undefined, pretty ? 4 : undefined);
  } finally {
    marking = was;
    if (foreign) proto.toJSON = previous;
  }
  return text ?? 'null';
}

/** toJson's second step: each marked bigint printed as the bare integer. */
export function unmarkJson(text: string): string {
  return text.includes(BIG_MARK) ? text.replace(/"@@int64:(-?\d+)"/g, '$1') : text;
}

/** An HTTP error whose body Nomad sends as bare text. */
export class NomadHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** hashicorp/go-multierror's text, which Nomad returns for validation failures. */
export function multiError(errors: string[]): string {
  const head = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
  return `${head}\n\t${errors.map((e) => `* ${e}`).join('\n\t')}\n\n`;
}

/** Go's encoding/json matches object keys to struct fields case-insensitively. */
export function field<T = unknown>(obj: unknown, name: string): T | undefined {
  return fieldsOf(obj)(name) as T | undefined;
}

/**
 * field() for many names of one object: its keys are lower-cased once, when a name first misses the exact
 * match, rather than once per name (decoding a job asks an object for every field its shape knows).
 * `lowerName`: the name already lower-cased, when the caller keeps it.
 */
export function fieldsOf(obj: unknown): (name: string, lowerName?: string) => unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return () => undefined;
  const rec = obj as Record<string, unknown>;
  let keys: string[] | undefined;
  let lower: string[] | undefined;
  return (name, lowerName = name.toLowerCase()) => {
    if (name in rec) return rec[name];
    if (!keys) {
      keys = Object.keys(rec);
      lower = keys.map((k) => k.toLowerCase());
    }
    const at = lower!.indexOf(lowerName);
    return at < 0 ? undefined : rec[keys[at]];
  };
}

/** Parses a Go duration string ("5m", "300000ms", "1h2m3.5s") into milliseconds; undefined if invalid. */
export function parseGoDurationMs(text: string): number | undefined {
  const ns = parseGoDurationNs(text);
  return ns === undefined ? undefined : ns / 1e6;
}

/** Go's time.ParseDuration: a signed sequence of decimal numbers with units (ns, us, µs, ms, s, m, h), in ns. */
export function parseGoDurationNs(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (body === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(body))) {
    total += parseFloat(m[1]) * unit[m[2]];
    consumed = re.lastIndex;
  }
  return consumed === body.length && consumed > 0 ? sign * Math.round(total) : undefined;
}

export function parseBool(v: string | undefined): boolean {
  return v !== undefined && v !== 'false' && v !== '0';
}

/** Nomad's namespace and datacenter globs: `*` matches any run of characters. */
export function globMatch(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

const globs = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (!re) {
    if (globs.size > 1000) globs.clear();
    globs.set(pattern, (re = compileGlob(pattern)));
  }
  return re;
}

function compileGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Go's time.Duration text for whole seconds ("5s", "30m0s", "24h0m0s"). */
export function goDuration(ns: number): string {
  let s = Math.round(ns / 1e9);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}
