/**
 * Typed failures of the Nomad HTTP API. They keep what Nomad said (status and plain-text body, quoted at
 * most QUOTE_LIMIT characters) so the global filter can tell the caller exactly that, and never carry
 * request headers (the token) or the password of NOMAD_ADDR: every `address` here is the redacted one.
 *
 * Suggested HTTP mapping (apps/nomad-mcp/src/common/all-exceptions.filter.ts):
 *   NomadApiError 404 -> 404, 403 -> 502, other -> 502 · NomadUnavailableError -> 503 ·
 *   NomadTimeoutError -> 504 · NomadProtocolError, NomadBadResponseError, NomadResponseTooLargeError,
 *   NomadTruncatedResponseError -> 502 (their message already says what to do).
 */
export type NomadErrorKind = 'api' | 'unavailable' | 'timeout' | 'protocol' | 'bad-response' | 'too-large' | 'truncated';

/** The longest part of Nomad's own error text that is quoted in a message. */
export const QUOTE_LIMIT = 500;

export abstract class NomadError extends Error {
  abstract readonly kind: NomadErrorKind;
  constructor(
    message: string,
    /** "GET /v1/job/web" — method and path only, no query string, no headers. */
    readonly operation: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Nomad's error text, trimmed, at most QUOTE_LIMIT characters, saying so when it was cut. */
export function quoteNomadText(text: string, cut = false): string {
  const trimmed = text.trim();
  if (trimmed.length <= QUOTE_LIMIT && !cut) return trimmed;
  return `${trimmed.slice(0, QUOTE_LIMIT)}… [cut: Nomad's message is longer than ${QUOTE_LIMIT} characters]`;
}

/** Nomad answered with a non-200 status. */
export class NomadApiError extends NomadError {
  readonly kind = 'api' as const;
  /** Nomad's plain-text error body, trimmed and quoted at most QUOTE_LIMIT characters. */
  readonly nomadMessage: string;
  /**
   * Whose token the refused call sent when it was a caller's (withNomadToken), e.g. "the Nomad token of
   * identity 'ci-bot' (…)"; undefined when it was the service's NOMAD_TOKEN. A label, never the token.
   */
  tokenLabel?: string;
  constructor(
    readonly status: number,
    nomadText: string,
    operation: string,
    /** True when the transport stopped reading a body longer than it keeps. */
    bodyCut = false,
  ) {
    const quoted = quoteNomadText(nomadText, bodyCut);
    super(`Nomad returned ${status} for ${operation}: ${quoted || '(empty body)'}`, operation);
    this.nomadMessage = quoted;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isPermissionDenied(): boolean {
    return this.status === 403;
  }

  /** A register with EnforceIndex lost a race: the job changed (or appeared) since it was read. */
  get isIndexConflict(): boolean {
    return this.status === 500 && /^Enforcing job modify index \d+:/.test(this.nomadMessage);
  }
}

/** Nomad could not be reached (connection refused, DNS, TLS) before it started to answer. */
export class NomadUnavailableError extends NomadError {
  readonly kind = 'unavailable' as const;
  constructor(
    readonly address: string,
    readonly cause: string,
    operation: string,
  ) {
    super(`Nomad at ${address} is unreachable (${cause})`, operation);
  }
}

/** Nomad did not finish its answer within the timeout (the whole call, not only silence). */
export class NomadTimeoutError extends NomadError {
  readonly kind = 'timeout' as const;
  constructor(
    readonly address: string,
    readonly timeoutMs: number,
    operation: string,
  ) {
    super(`Nomad at ${address} did not answer within ${timeoutMs} ms`, operation);
  }
}

/** Something answered 200 at NOMAD_ADDR, but not with Nomad's JSON. */
export class NomadProtocolError extends NomadError {
  readonly kind = 'protocol' as const;
  constructor(
    readonly address: string,
    operation: string,
    readonly contentType: string | undefined,
  ) {
    super(`${address} answered ${operation} with ${contentType || 'a body'} that is not JSON; is NOMAD_ADDR pointing at a Nomad agent?`, operation);
  }
}

/** Nomad answered JSON, but not of the shape that endpoint returns (an object where a list belongs...). */
export class NomadBadResponseError extends NomadError {
  readonly kind = 'bad-response' as const;
  constructor(
    readonly address: string,
    operation: string,
    /** What was expected, e.g. "a list of jobs, each with an ID". */
    readonly expected: string,
  ) {
    super(
      `Nomad at ${address} answered ${operation} with an unexpected body (expected ${expected}); ` +
        'check that NOMAD_ADDR points at a Nomad agent (or a proxy that passes its answers through unchanged)',
      operation,
    );
  }
}

/** Nomad's answer is larger than the client reads: the request has to ask for less. */
export class NomadResponseTooLargeError extends NomadError {
  readonly kind = 'too-large' as const;
  constructor(
    readonly address: string,
    operation: string,
    readonly limitBytes: number,
  ) {
    super(
      `Nomad's answer to ${operation} is larger than ${formatBytes(limitBytes)}, the most this service reads from Nomad; ` +
        'ask for less: name a namespace, an ID prefix or a filter, or fewer log lines',
      operation,
    );
  }
}

/** Nomad started to answer, then the answer stopped short (connection reset, body shorter than announced). */
export class NomadTruncatedResponseError extends NomadError {
  readonly kind = 'truncated' as const;
  constructor(
    readonly address: string,
    operation: string,
    readonly bytesRead: number,
    readonly cause: string,
  ) {
    super(
      `Nomad's answer to ${operation} was cut off after ${bytesRead} bytes (${cause}); Nomad at ${address} or a proxy ` +
        'in between closed the connection mid-answer. Retry; if it repeats, check the logs of Nomad and of any proxy',
      operation,
    );
  }
}

/** Causes of NomadUnavailableError that come after the request may have gone out (the peer cut the connection). */
const CUT_AFTER_SENDING = /^(ECONNRESET|EPIPE)$|socket hang up/i;

/**
 * True when `err` ended a write (PUT, POST, DELETE) that may have reached Nomad and taken effect although no
 * usable answer came back: out of time, cut off, reset, or answered with something unreadable. The caller must
 * then look before it tries again (a second restart is a second restart). Refused connections and Nomad's own
 * error answers changed nothing.
 */
export function writeMayHaveApplied(err: unknown): boolean {
  if (!(err instanceof NomadError) || /^GET /.test(err.operation)) return false;
  if (err instanceof NomadApiError) return false;
  if (err instanceof NomadUnavailableError) return CUT_AFTER_SENDING.test(err.cause);
  return true;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
