import type { AclStore } from '../acl';
import type { SimState } from '../state/sim-state';

/** What the agent reports about itself (resolved start options). */
export interface AgentConfig {
  region: string;
  datacenter: string;
  /** the listen address, also reported as the leader's and the members' address */
  host: string;
  version: string;
  /** upper bound of a blocking query's wait (Nomad caps at 300 s) */
  maxWaitMs: number;
}

/** The simulator as route handlers see it. */
export interface Sim {
  readonly state: SimState;
  readonly acl: AclStore;
  readonly agent: AgentConfig;
  /** host:port the HTTP server listens on (known once it listens): nodes report its port in their HTTPAddr */
  httpAddr: string;
}
