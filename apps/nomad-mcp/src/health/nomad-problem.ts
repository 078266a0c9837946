import { NomadApiError, NomadBadResponseError, NomadProtocolError, NomadTimeoutError, NomadUnavailableError } from '@nomad-mcp/nomad';

/** Why Nomad cannot be used, in a word a monitor can switch on. */
export type NomadProblemReason =
  | 'connection-refused'
  | 'dns'
  | 'timeout'
  | 'tls'
  | 'unreachable'
  | 'token-refused'
  | 'no-leader'
  | 'not-nomad'
  | 'nomad-error';

export interface NomadProblem {
  reason: NomadProblemReason;
  /** One line that says what is wrong and what to do; the address is shown without its password. */
  message: string;
}

/** At most this much of Nomad's own text is quoted, on one line. */
const MAX_QUOTE = 200;
const quote = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_QUOTE ? `${line.slice(0, MAX_QUOTE)}…` : line || '(empty body)';
};

const TLS_CODE = /CERT|TLS|SSL|EPROTO/;

function unreachable(address: string, cause: string): NomadProblem {
  if (address.startsWith('unix://')) return socketUnreachable(address, cause);
  if (cause === 'ECONNREFUSED') {
    return { reason: 'connection-refused', message: `Nomad at ${address} is unreachable (ECONNREFUSED): connection refused; is Nomad running there, and is NOMAD_ADDR right?` };
  }
  if (cause === 'ENOTFOUND' || cause === 'EAI_AGAIN') {
    let host = address;
    try {
      host = new URL(address).hostname;
    } catch {
      // keep the whole (redacted) address
    }
    const why = cause === 'ENOTFOUND' ? 'does not resolve' : 'could not be resolved just now (DNS failing)';
    return { reason: 'dns', message: `Nomad at ${address} is unreachable (${cause}): the host name '${host}' ${why}; check NOMAD_ADDR.` };
  }
  if (TLS_CODE.test(cause)) {
    return { reason: 'tls', message: `Nomad at ${address} is unreachable (${cause}): the TLS connection failed; check NOMAD_CACERT (or NOMAD_CAPATH), NOMAD_TLS_SERVER_NAME (the name in Nomad's certificate, e.g. server.global.nomad), NOMAD_CLIENT_CERT/NOMAD_CLIENT_KEY or the http/https scheme of NOMAD_ADDR.` };
  }
  return { reason: 'unreachable', message: `Nomad at ${address} is unreachable (${cause}); check NOMAD_ADDR and the network between this service and Nomad.` };
}

/** NOMAD_ADDR=unix:///…: Nomad's Task API socket, which exists inside a Nomad task only. */
function socketUnreachable(address: string, cause: string): NomadProblem {
  const why: Record<string, string> = {
    ENOENT: 'no socket at that path: a unix:// NOMAD_ADDR works inside a Nomad task, at ${NOMAD_SECRETS_DIR}/api.sock (the Task API); check the path',
    ECONNREFUSED: 'nothing listens on the socket: is the Nomad client agent on this node running?',
    EACCES: 'this process may not open the socket: with task.user set, only that user may use the Task API',
  };
  const reason = cause === 'ECONNREFUSED' ? 'connection-refused' : 'unreachable';
  return { reason, message: `Nomad at ${address} is unreachable (${cause}): ${why[cause] ?? 'check NOMAD_ADDR'}.` };
}

/**
 * Says which of the ways of failing a call to Nomad this was: connection refused, a name that does not
 * resolve, TLS, a timeout, a refused token, no leader, something that is not Nomad, or another Nomad error.
 * `address` must already be redacted (redactUrl): Nomad's error classes carry the address as configured.
 */
export function describeNomadProblem(err: unknown, address: string): NomadProblem {
  if (err instanceof NomadUnavailableError) return unreachable(address, err.cause);
  if (err instanceof NomadTimeoutError) {
    return { reason: 'timeout', message: `Nomad at ${address} did not answer within ${err.timeoutMs} ms (timeout); is it overloaded, or is a firewall dropping the traffic?` };
  }
  if (err instanceof NomadBadResponseError) {
    return { reason: 'not-nomad', message: `${address} answered ${err.operation} with JSON that is not what Nomad sends (expected ${err.expected}); is NOMAD_ADDR pointing at a Nomad agent?` };
  }
  if (err instanceof NomadProtocolError) {
    return { reason: 'not-nomad', message: `${address} answered ${err.operation} with ${err.contentType || 'a body'} that is not JSON; is NOMAD_ADDR pointing at a Nomad agent?` };
  }
  if (err instanceof NomadApiError) {
    if (err.status === 403) {
      return { reason: 'token-refused', message: `Nomad at ${address} refused the token (403 ${quote(err.nomadMessage)}): NOMAD_TOKEN is unknown, expired or malformed; set a valid NOMAD_TOKEN.` };
    }
    if (/no cluster leader/i.test(err.nomadMessage)) return noLeader(address);
    return { reason: 'nomad-error', message: `Nomad at ${address} answered ${err.status} to ${err.operation}: ${quote(err.nomadMessage)}` };
  }
  return { reason: 'unreachable', message: `Nomad at ${address} could not be asked: ${quote(err instanceof Error ? err.message : String(err))}` };
}

function noLeader(address: string): NomadProblem {
  return { reason: 'no-leader', message: `Nomad at ${address} has no cluster leader; calls fail until the servers elect one.` };
}

/**
 * Nomad answers /v1/status/leader with the leader's RPC address as a JSON string ("10.0.0.5:4647", or
 * "[::1]:4647"); an empty string means no leader. Anything else is not Nomad. Undefined when the answer is right.
 */
export function leaderProblem(leader: unknown, address: string): NomadProblem | undefined {
  if (leader === '') return noLeader(address);
  if (typeof leader === 'string' && /^\S+:\d{1,5}$/.test(leader)) return undefined;
  const got = typeof leader === 'string' ? 'a string that is not "host:port"' : leader === null ? 'null' : Array.isArray(leader) ? 'an array' : `a JSON ${typeof leader}`;
  return { reason: 'not-nomad', message: `${address} answered GET /v1/status/leader with ${got}, not a leader address ("host:port"); is NOMAD_ADDR pointing at a Nomad agent?` };
}
