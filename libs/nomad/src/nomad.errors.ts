/**
 * Typed failures of the Nomad HTTP API. They keep what Nomad said (status and plain-text body) so the
 * global filter can tell the caller exactly that, and never carry request headers (the token).
 */
export abstract class NomadError extends Error {
  abstract readonly kind: 'api' | 'unavailable' | 'timeout' | 'protocol';
  constructor(
    message: string,
    /** "GET /v1/job/web" — method and path only, no query string, no headers. */
    readonly operation: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Nomad answered with a non-200 status. */
export class NomadApiError extends NomadError {
  readonly kind = 'api' as const;
  constructor(
    readonly status: number,
    /** Nomad's plain-text error body, trimmed. */
    readonly nomadMessage: string,
    operation: string,
  ) {
    super(`Nomad returned ${status} for ${operation}: ${nomadMessage || '(empty body)'}`, operation);
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

/** Nomad could not be reached (connection refused, DNS, TLS). */
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

/** Nomad did not answer within the configured timeout. */
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
