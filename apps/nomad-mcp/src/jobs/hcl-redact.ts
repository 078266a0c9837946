import { hideSecretArgs, hideUrlPasswords, isSecretName } from '../common/secret-names';

/**
 * A jobspec's HCL with the values that may be secrets hidden, for showing it (get_job_spec) and recording it
 * (the audit trail): every value inside an `env` block or `env = {…}` map (the names stay), a template's
 * `data`, a variable's default (it feeds env and templates: var.db_password shows what env hides), any
 * attribute named like a secret (token, password, secret, key, credential), the value of a command-line
 * flag named like one (`args = ["--password", "…"]`, `"--token=…"`), and the password of any
 * `scheme://user:password@` URL. Line-based on
 * purpose: it never needs the HCL to parse, and whatever it does not recognise it leaves as it was.
 */
export const HIDDEN = '"(hidden)"';

/** `name {`, `name "label" {`, `name = {` (a map) ending the line. */
const BLOCK_OPEN = /^\s*([A-Za-z_][\w-]*)\s*(?:"[^"]*"\s*)*(=\s*)?\{\s*(#.*|\/\/.*)?$/;
/** An env block or map on one line: `env { A = "b" }`. */
const INLINE_ENV = /(\benv\s*=?\s*\{)(.*)(\})/;
const ATTRIBUTE = /^(\s*)("?[^\s="{]+"?)(\s*=\s*)(.*)$/;
const HEREDOC = /<<-?\s*([A-Za-z_]\w*)\s*$/;
/** What a `variable` block says about its value rather than the value: shown; the rest (its default) is hidden. */
const VARIABLE_ABOUT = new Set(['type', 'description', 'sensitive', 'nullable', 'condition', 'error_message']);
const STRING = /"(?:[^"\\]|\\.)*"/g;
const VALUE_AFTER_EQUALS = /(=\s*)("(?:[^"\\]|\\.)*"|[^,\s}]+)/g;
/** `name = value` in a one-line block; not inside a string (`"--api-key=x"`, which hideSecretFlagValues sees to). */
const NAMED_VALUE = /((?<![-\w"])([A-Za-z_][\w-]*)\s*=\s*)("(?:[^"\\]|\\.)*"|[^,\s}]+)/g;

export function redactHcl(source: string): string {
  const out: string[] = [];
  const blocks: string[] = [];
  /** Inside a heredoc: its terminator, and whether its body is hidden. */
  let heredoc: { end: string; hidden: boolean } | null = null;
  /** Inside a hidden value that spans lines (`default = [` … `]`): how many brackets are still open. */
  let hiddenDepth = 0;
  /** The last quoted word shown, which may be a flag whose value is the next word, on this line or the next. */
  const words: { last?: string } = {};
  for (const line of source.split('\n')) {
    if (hiddenDepth > 0) {
      hiddenDepth += bracketBalance(line);
      continue;
    }
    if (heredoc) {
      if (!heredoc.hidden) out.push(hideUrlPasswords(line));
      if (line.trim() === heredoc.end) heredoc = null;
      continue;
    }
    const open = BLOCK_OPEN.exec(line);
    if (open) {
      blocks.push(open[1]);
      out.push(line);
      continue;
    }
    // names whose values are hidden wherever they stand: secret-like ones, and a variable's own (its default),
    // in a variable block or a one-line one (`variable "region" { default = "…" }`)
    const inVariable = blocks.includes('variable') || /^\s*variable\b/.test(line);
    const hiddenName = (name: string) => isSecretName(name) || (inVariable && !VARIABLE_ABOUT.has(name));
    const attr = ATTRIBUTE.exec(line);
    if (attr) {
      const name = attr[2].replace(/"/g, '');
      const hide = blocks[blocks.length - 1] === 'env' || hiddenName(name) || (name === 'data' && blocks.includes('template'));
      const doc = HEREDOC.exec(attr[4]);
      if (doc) heredoc = { end: doc[1], hidden: hide };
      if (hide) {
        out.push(`${attr[1]}${attr[2]}${attr[3]}${HIDDEN}`);
        // a list or map value that goes on over the next lines is hidden to its end
        if (!doc) hiddenDepth = Math.max(0, bracketBalance(attr[4]));
        continue;
      }
      // a new attribute's value is a new command line (or none): a flag ending the last one has no value here
      words.last = undefined;
    }
    const inline = INLINE_ENV.exec(line);
    const envHidden = inline ? line.replace(INLINE_ENV, (_m, a: string, body: string, c: string) => `${a}${body.replace(VALUE_AFTER_EQUALS, `$1${HIDDEN}`)}${c}`) : line;
    // the same names inside one-line blocks: `vault { token = "…" }`
    const named = hideSecretFlagValues(envHidden, words).replace(NAMED_VALUE, (m, lead: string, name: string) => (hiddenName(name) ? `${lead}${HIDDEN}` : m));
    out.push(hideUrlPasswords(named));
    // a closing brace outside strings ends the innermost block
    const bare = line.replace(STRING, '');
    const closes = (bare.match(/}/g) ?? []).length - (bare.match(/{/g) ?? []).length;
    for (let i = 0; i < closes && blocks.length; i++) blocks.pop();
  }
  return out.join('\n');
}

/** The line with the quoted words that are values of secret-named flags hidden, as hideSecretArgs says. */
function hideSecretFlagValues(line: string, words: { last?: string }): string {
  return line.replace(STRING, (quoted) => {
    const word = quoted.slice(1, -1);
    const shown = hideSecretArgs(words.last === undefined ? [word] : [words.last, word]).pop()!;
    words.last = word;
    return shown === word ? quoted : `"${shown}"`;
  });
}

/** Brackets (`[`, `{`) a line opens minus those it closes, outside strings. */
function bracketBalance(line: string): number {
  const bare = line.replace(STRING, '');
  return (bare.match(/[[{]/g) ?? []).length - (bare.match(/[\]}]/g) ?? []).length;
}
