/**
 * The URL with the user and password of its authority replaced by `***`, so an address such as
 * `http://user:pw@nomad:4646` can be shown in /health, errors and logs. Works on strings that do not
 * parse as URLs too (a bad NOMAD_ADDR is echoed in the config error). Everything else is kept as written.
 *
 * libs/nomad is getting its own URL-redacting helper; until that lands, this one serves the service.
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
