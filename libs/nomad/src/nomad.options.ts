/** Settings of the Nomad client, named after Nomad's own environment variables. */
export interface NomadClientOptions {
  /** NOMAD_ADDR */
  address: string;
  /** NOMAD_TOKEN */
  token?: string;
  /** NOMAD_REGION */
  region?: string;
  /** NOMAD_CACERT: PEM file of the CA that signed Nomad's certificate. */
  caCertPath?: string;
  /** NOMAD_SKIP_VERIFY */
  skipVerify?: boolean;
  /** NOMAD_CLIENT_CERT / NOMAD_CLIENT_KEY: PEM files for clusters that verify client certificates. */
  clientCertPath?: string;
  clientKeyPath?: string;
  /** Per-call timeout in ms (NOMAD_TIMEOUT_MS). */
  timeoutMs: number;
}

export const NOMAD_CLIENT_OPTIONS = Symbol('NOMAD_CLIENT_OPTIONS');
