/** Settings of the Nomad client, named after Nomad's own environment variables. */
export interface NomadClientOptions {
  /** NOMAD_ADDR; may carry basic-auth credentials (`http://user:pw@host`), which are sent but never shown. */
  address: string;
  /** NOMAD_TOKEN */
  token?: string;
  /** NOMAD_REGION */
  region?: string;
  /** NOMAD_CACERT: PEM file of the CA that signed Nomad's certificate. */
  caCertPath?: string;
  /** NOMAD_CAPATH: a PEM file or a folder of them (used when caCertPath is not set, as Nomad does). */
  caPath?: string;
  /** NOMAD_TLS_SERVER_NAME: the name Nomad's certificate is checked against (and sent as SNI) instead of NOMAD_ADDR's host. */
  tlsServerName?: string;
  /** NOMAD_SKIP_VERIFY */
  skipVerify?: boolean;
  /** NOMAD_CLIENT_CERT / NOMAD_CLIENT_KEY: PEM files for clusters that verify client certificates. */
  clientCertPath?: string;
  clientKeyPath?: string;
  /** NOMAD_TIMEOUT_MS: bound of a whole call, from connecting to the last byte of the answer. */
  timeoutMs: number;
  /** Largest successful answer read from Nomad (bytes); larger ones fail with NomadResponseTooLargeError. */
  maxResponseBytes?: number;
}

/** 32 MiB: about 10,000 job stubs; more than that needs a prefix, a filter or paging. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Of an error answer only this much is read: Nomad's errors are one line; a 20 MB one is not worth holding. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Margin added to a blocking query's `wait`: Nomad adds up to wait/16 of jitter, and the answer still has to
 * travel. The call's timeout is wait + wait/16 + the normal timeout.
 */
export function blockingTimeoutMs(waitMs: number, timeoutMs: number): number {
  return waitMs + Math.ceil(waitMs / 16) + timeoutMs;
}
