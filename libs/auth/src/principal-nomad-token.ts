import type { Principal } from './principal';

/**
 * The Nomad token a caller's calls run with, when it is not the service's own NOMAD_TOKEN: its identity's
 * (identities file) or, with NOMAD_MCP_TOKEN_PASSTHROUGH, the one its request sent as X-Nomad-Token.
 */
export interface CallerNomadToken {
  /** The token itself: sent to Nomad, never written anywhere else. */
  readonly secret: string;
  /** Whose token it is, for messages: "the Nomad token of identity 'ci-bot' (nomad_token_env CI_TOKEN)". Never the token. */
  readonly label: string;
}

/**
 * Held beside the principal, not in it: a principal is logged, audited and answered (`JSON.stringify`, pino,
 * util.inspect), and none of them can reach a WeakMap entry. The entry goes with the principal object.
 */
const tokens = new WeakMap<Principal, CallerNomadToken>();

/** Gives the principal its own Nomad token (returns the same principal). */
export function attachNomadToken<P extends Principal>(principal: P, token: CallerNomadToken): P {
  tokens.set(principal, token);
  return principal;
}

/** The principal's own Nomad token, or undefined when its calls use the service's NOMAD_TOKEN. */
export function nomadTokenOf(principal: Principal): CallerNomadToken | undefined {
  return tokens.get(principal);
}
