/**
 * Names that say their value may be a secret: a jobspec attribute or meta key, an HCL variable, a query
 * parameter. What such a name holds is shown and logged as hidden, wherever the service shows or logs it.
 */
const SECRET_NAME = /(token|passw(or)?d|secret|api_?key|credential|private_?key)/i;

/** Query parameters that carry credentials under short names (`?key=`, `?auth=`, `?sig=`) besides SECRET_NAME's. */
const CREDENTIAL_PARAM = /^(key|auth|authorization|sig|signature|pass|pwd|access_?key|session|x_api_key)$/i;

/** Names are judged with `-` read as `_` (`api-key`, `X-API-Key`, `private-key`). */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name.replace(/-/g, '_'));

/**
 * A request URL as it may be logged: the values of query parameters named like credentials replaced by
 * `(hidden)` (a client may send its API key as `?api_key=`, which the service never reads, but the log would keep).
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const raw = eq < 0 ? pair : pair.slice(0, eq);
      let name = raw;
      try {
        name = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the name as sent
      }
      return eq >= 0 && (isSecretName(name) || CREDENTIAL_PARAM.test(name.replace(/-/g, '_'))) ? `${raw}=(hidden)` : pair;
    });
  return `${url.slice(0, q)}?${query.join('&')}`;
}

/** `scheme://user:password@host`: the password of credentials written into a URL. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"'`]*:)([^\s@"'`]+?)(@[^\s@"'`]*)/gi;

/** A text with the passwords of URLs in it (`postgres://u:pw@db`) replaced by `(hidden)`. */
export const hideUrlPasswords = (text: string): string => text.replace(URL_PASSWORD, '$1(hidden)$3');

/** A value shown under `name`: hidden when the name is secret-like, else with any URL password hidden. */
export const shownValue = (name: string, value: string): string => (isSecretName(name) ? '(hidden)' : hideUrlPasswords(value));

/** `--password=x`, `--api-key x`, `-token x`: a command-line flag named like a secret, and the value after it. */
const SECRET_FLAG = /^--?[\w-]+$/;
/** What stands before `=` in `--password=x` or `DB_PASSWORD=x` (an env-style word passed to a shell or `env`). */
const FLAG_OR_NAME = /^-*[A-Za-z_][\w-]*$/;

/**
 * A command line's words as they may be shown: the value of a flag named like a secret (`--password=x`,
 * `--token x`) or of a `DB_PASSWORD=x` word hidden, and the password of any URL in them.
 */
export function hideSecretArgs(words: string[]): string[] {
  return words.map((word, i) => {
    const eq = word.indexOf('=');
    if (eq > 0 && FLAG_OR_NAME.test(word.slice(0, eq)) && isSecretName(word.slice(0, eq).replace(/^-+/, ''))) return `${word.slice(0, eq)}=(hidden)`;
    const before = words[i - 1];
    if (before !== undefined && SECRET_FLAG.test(before) && !before.includes('=') && isSecretName(before.replace(/^-+/, '')) && !word.startsWith('-')) return '(hidden)';
    return hideUrlPasswords(word);
  });
}
