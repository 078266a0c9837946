/**
 * NOMAD_ADDR may carry HTTP basic-auth credentials for a proxy in front of Nomad
 * (`https://user:pw@nomad.example`). They are sent to Nomad but must never be shown: every message, log
 * line and health answer uses the redacted form.
 */
export interface NomadAddress {
  /** Scheme, host, port and path prefix, without credentials and without a trailing slash. */
  baseUrl: string;
  /** Credentials from the URL, percent-decoded, for the Authorization: Basic header. */
  auth?: { username: string; password: string };
  /** The address as it may be shown: `http://***@host:4646`. */
  display: string;
  /**
   * `unix:///path/api.sock`: the Unix socket every request goes to (Nomad's Task API, which a task with an
   * `identity` block reaches at `${NOMAD_SECRETS_DIR}/api.sock`); baseUrl is then only the Host header.
   */
  socketPath?: string;
}

/** `unix://` followed by an absolute path, as Nomad's own client reads NOMAD_ADDR (and NOMAD_UNIX_ADDR holds). */
const UNIX_ADDRESS = /^unix:\/\/(\/.+)$/i;

/** The socket path of a `unix:///path` address, or undefined for any other. */
export function unixSocketPath(addr: string): string | undefined {
  return UNIX_ADDRESS.exec(addr.trim())?.[1];
}

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i;

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The URL with the user and password of its authority replaced by `***` (a user name alone is often a
 * token in disguise), so `http://user:pw@nomad:4646` can be shown in /health, errors and logs. Works on
 * strings that do not parse as URLs too (a bad NOMAD_ADDR is echoed in the config error); everything else
 * is kept as written.
 */
export function redactUrl(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  const rest = value.slice(scheme.length);
  // the authority ends at the first / ? or #; its user information ends at its LAST @ (a password may hold an @)
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at < 0) return value;
  return `${scheme}***@${rest.slice(at + 1)}`;
}

export function parseNomadAddress(addr: string): NomadAddress {
  const socketPath = unixSocketPath(addr);
  if (socketPath) return { baseUrl: 'http://localhost', socketPath, display: `unix://${socketPath}` };
  const trimmed = addr.replace(/\/+$/, '');
  const m = USERINFO.exec(trimmed);
  if (!m) return { baseUrl: trimmed, display: trimmed };
  const userinfo = m[2];
  const colon = userinfo.indexOf(':');
  const username = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? '' : decode(userinfo.slice(colon + 1));
  return { baseUrl: m[1] + trimmed.slice(m[0].length), auth: { username, password }, display: redactUrl(trimmed) };
}

/** Removes credentials from any text (error causes can quote the URL they failed on). */
export function scrubCredentials(text: string, address: NomadAddress): string {
  let out = text.replace(new RegExp(USERINFO.source.slice(1), 'gi'), (url) => redactUrl(url));
  const password = address.auth?.password ?? '';
  // very short passwords would blank out ordinary words; they only occur inside a URL, handled above
  if (password.length >= 4) for (const s of new Set([password, encodeURIComponent(password)])) out = out.split(s).join('***');
  return out;
}
