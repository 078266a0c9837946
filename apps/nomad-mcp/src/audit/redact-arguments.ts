import { hideSecretArgs, hideUrlPasswords } from '../common/secret-names';
import { redactHcl } from '../jobs/hcl-redact';

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

/** Keys whose value is a secret whatever its type: api_key, X-Nomad-Token, db_password, client_secret … */
const SECRET_KEY = /token|secret|passw(or)?d|passphrase|key|credential|auth|cookie/i;
/** Keys holding environment variables (create_job's env_vars, Nomad's Env): every value is redacted, the names kept. */
const ENV_KEY = /^(env|envs|environment|env_?vars?|environment_?variables)$/i;
/** A template's body (EmbeddedTmpl) often renders secrets: redacted whole. */
const TEMPLATE_KEY = /^embedded_?tmpl$/i;
/** A dispatch's payload: input the job reads (often configuration), kept out whole. */
const PAYLOAD_KEY = /^payload$/i;
/** A task's command line (Nomad's Config.args, a JSON jobspec's): kept with the values of secret-named flags hidden. */
const ARGS_KEY = /^args$/i;
/** A jobspec as HCL text (plan_job, register_job): kept, with env values, template data and secret-named attributes hidden. */
const HCL_KEY = /^hcl$/i;
/** Deeper than this, a value is not walked (and not kept): arguments are validated input, never this deep. */
const MAX_DEPTH = 32;

/**
 * A copy of a call's arguments fit for the audit trail: the value under any key named like a secret
 * (token, secret, password, key, credential, auth …), a template's body, a dispatch payload and every value
 * of an environment-variable map become "[redacted]"; a command line (`args`) keeps its words but the values
 * of secret-named flags; HCL jobspecs keep their text with those values hidden (hcl-redact.ts); names,
 * structure and all other values are kept. Plain JSON out (Dates as ISO
 * strings, functions and undefined dropped); `__proto__` and other odd keys are copied as plain data.
 */
export function redactArguments(args: unknown): unknown {
  return walk(args, 0);
}

function walk(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : primitive(value);
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1) ?? null);
  const entries: Array<[string, unknown]> = [];
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key) || TEMPLATE_KEY.test(key) || PAYLOAD_KEY.test(key)) entries.push([key, v === null || v === undefined ? v : REDACTED]);
    else if (HCL_KEY.test(key) && typeof v === 'string') entries.push([key, redactHcl(v)]);
    else if (ENV_KEY.test(key)) entries.push([key, redactEnv(v, depth + 1)]);
    else if (ARGS_KEY.test(key) && Array.isArray(v) && v.every((w) => typeof w === 'string')) entries.push([key, hideSecretArgs(v)]);
    else entries.push([key, walk(v, depth + 1)]);
  }
  // fromEntries defines own properties: a "__proto__" key stays data and never becomes the prototype
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** An env map keeps its names; a list of `NAME=value` strings keeps the part before `=`. */
function redactEnv(env: unknown, depth: number): unknown {
  if (env === null || env === undefined) return env;
  if (Array.isArray(env)) return env.map((e) => (typeof e === 'string' && e.includes('=') ? `${e.slice(0, e.indexOf('='))}=${REDACTED}` : REDACTED));
  if (typeof env === 'object' && depth < MAX_DEPTH) return Object.fromEntries(Object.keys(env).map((k) => [k, REDACTED]));
  return REDACTED;
}

function primitive(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  // a connection string in any argument (an arg, a meta value) keeps everything but its password
  return typeof value === 'string' ? hideUrlPasswords(value) : value;
}
