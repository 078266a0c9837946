/*
 * Other names the settings are read under: those of HashiCorp's own MCP servers (terraform-mcp-server,
 * vault-mcp-server), so that an environment written for one of them works here as it is. This is the one place
 * they are read; loadConfig applies them before validating. MCP_ALLOWED_ORIGINS is the same name in both.
 */

/** An alias: when `alias` is set and `setting` is not, the setting takes the alias's value (converted). */
export interface SettingAlias {
  alias: string;
  setting: string;
  /** From the alias's format to the setting's; undefined when the value is not in the alias's format. */
  convert?: (value: string) => string | undefined;
  /** What the alias's format is, for the line that refuses a value not in it. */
  format?: string;
}

/**
 * `rps:burst` (HashiCorp's per-session limit, a token bucket) as requests per minute per client: rps × 60. The
 * burst has no counterpart in a per-minute window; a rate of 0 (nothing allowed) cannot be one either, since
 * RATE_LIMIT_PER_MINUTE=0 turns the limit off.
 */
function perSecondToPerMinute(value: string): string | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?::\s*\d+\s*)?$/.exec(value);
  const perMinute = m ? Math.round(Number(m[1]) * 60) : 0;
  return perMinute >= 1 ? String(perMinute) : undefined;
}

export const SETTING_ALIASES: readonly SettingAlias[] = [
  { alias: 'TRANSPORT_HOST', setting: 'HOST' },
  { alias: 'TRANSPORT_PORT', setting: 'PORT' },
  { alias: 'MCP_TLS_CERT_FILE', setting: 'TLS_CERT_FILE' },
  { alias: 'MCP_TLS_KEY_FILE', setting: 'TLS_KEY_FILE' },
  {
    alias: 'MCP_RATE_LIMIT_SESSION',
    setting: 'RATE_LIMIT_PER_MINUTE',
    convert: perSecondToPerMinute,
    format: 'requests per second and burst as rps:burst, e.g. 5:10 (at least 1 request a minute)',
  },
];

/** The environment with the aliases applied, and for each setting taken from an alias, that alias's name. */
export interface ResolvedAliases {
  env: Record<string, unknown>;
  /** setting → alias it was read from. */
  from: Record<string, string>;
  /** An alias whose value is not in its format: its name and format; loadConfig stops on it. */
  invalid?: SettingAlias;
}

/** Applies SETTING_ALIASES to `env` (empty values already left out): our own name wins when both are set. */
export function resolveSettingAliases(env: Record<string, unknown>): ResolvedAliases {
  const out = { ...env };
  const from: Record<string, string> = {};
  for (const a of SETTING_ALIASES) {
    const value = env[a.alias];
    if (value === undefined || env[a.setting] !== undefined) continue;
    const converted = a.convert ? a.convert(String(value)) : value;
    if (converted === undefined) return { env: out, from, invalid: a };
    out[a.setting] = converted;
    from[a.setting] = a.alias;
  }
  return { env: out, from };
}
