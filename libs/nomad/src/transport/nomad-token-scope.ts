import { AsyncLocalStorage } from 'node:async_hooks';

/** A token the Nomad calls of one piece of work use instead of the configured NOMAD_TOKEN. */
export interface ScopedNomadToken {
  readonly secret: string;
  /** Whose token it is, for error messages (never the token): "the Nomad token of identity 'ci-bot' (…)". */
  readonly label: string;
}

/**
 * Carries a caller's Nomad token from the operation executor down to NomadTransport without threading it
 * through every resource API and operation: every Nomad call made inside `withNomadToken` (however deep,
 * across awaits) sends that token.
 */
const scope = new AsyncLocalStorage<ScopedNomadToken | undefined>();

/** Runs `work` with its Nomad calls sending `token`; with no token, they send the configured one. */
export function withNomadToken<T>(token: ScopedNomadToken | undefined, work: () => T): T {
  return scope.run(token, work);
}

/** The token of the current scope, if any. */
export function scopedNomadToken(): ScopedNomadToken | undefined {
  return scope.getStore();
}
