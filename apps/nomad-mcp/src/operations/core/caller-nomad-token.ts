import { nomadTokenOf, Principal } from '@nomad-mcp/auth';
import { NomadApiError, withNomadToken } from '@nomad-mcp/nomad';
import { ErrorBody, statusText } from '../../common/all-exceptions.filter';
import { NomadCapability, OperationDefinition } from './operation';

/**
 * Runs an operation's work with the caller's own Nomad token when it has one (its identity's, or the
 * X-Nomad-Token it sent with NOMAD_MCP_TOKEN_PASSTHROUGH); otherwise its Nomad calls send NOMAD_TOKEN.
 * Nomad's own ACLs then decide what the caller may do, on top of the service's scopes.
 */
export function runAsCaller<T>(principal: Principal, work: () => Promise<T>): Promise<T> {
  return withNomadToken(nomadTokenOf(principal), work);
}

/** Capabilities a `read` policy holds: operations that need only these do not also need read-job named. */
const READ_CAPABILITIES: ReadonlySet<NomadCapability> = new Set(['list-jobs', 'read-job']);

/**
 * Nomad's 403 ("Permission denied") for an operation, as an answer that says whose token lacked what: the
 * capability the operation needs in the namespace, and how to grant it. 403 when the token was the caller's
 * own (its access is what is missing); 502 when it was the service's NOMAD_TOKEN (the service is misconfigured).
 * Undefined for any other failure.
 */
export function nomadPermissionDenied(def: OperationDefinition, err: unknown, namespace: string): ErrorBody | undefined {
  if (!(err instanceof NomadApiError) || !err.isPermissionDenied) return undefined;
  const token = err.tokenLabel ?? "the service's Nomad token (NOMAD_TOKEN)";
  const status = err.tokenLabel ? 403 : 502;
  const refused = `Nomad refused ${err.operation} (${err.nomadMessage || 'Permission denied'})`;
  const cap = def.nomadCapability;
  if (cap?.includes(':')) {
    // a cluster rule (node, agent), not a namespace capability
    const [rule, policy] = cap.split(':');
    return {
      statusCode: status, error: statusText(status), nomad_status: 403, nomad_capability: cap,
      message: `${refused}: ${token} lacks the '${policy}' policy on '${rule}' that ${def.name} needs.`,
      next_step: `Add ${rule} { policy = "${policy}" } to that token's ACL policy, or ask an operator to; do not retry until then.`,
    };
  }
  if (!cap) {
    return {
      statusCode: status, error: statusText(status), nomad_status: 403,
      message: `${refused}: ${token} lacks a capability ${def.name} needs in namespace '${namespace}'.`,
      next_step: `Check the ACL policy of that token for namespace "${namespace}" (or ask an operator to); do not retry until then.`,
    };
  }
  const needed = READ_CAPABILITIES.has(cap) ? [cap] : ['read-job', cap];
  const also = needed.length > 1 ? " (with 'read-job', to read the job first)" : '';
  return {
    statusCode: status, error: statusText(status), nomad_status: 403, nomad_capability: cap,
    message: `${refused}: ${token} lacks the capability '${cap}' that ${def.name} needs in namespace '${namespace}'${also}.`,
    next_step:
      `Add '${cap}' to that token's ACL policy for namespace "${namespace}" ` +
      `(namespace "${namespace}" { capabilities = [${needed.map((c) => `"${c}"`).join(', ')}] }), or ask an operator to; do not retry until then.`,
  };
}
