/**
 * The command line of `nomad-mcp <command>`: a small parser with no dependencies (it runs before anything heavy
 * is loaded), strict about what it accepts. Every problem is a CliUsageError whose message names the option and
 * lists the ones that exist; the CLI prints it as one line and exits 2.
 */

/** One option: `--name value` / `--name=value` (string), or a flag (boolean); `short` is a one-letter alias. */
export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
}

export type CliOptions = Record<string, CliOption>;

/** The values given: strings for string options, true for flags given; options not given are absent. */
export type CliValues<T extends CliOptions> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string };

/** A bad command line; exit status 2. */
export class CliUsageError extends Error {
  readonly name = 'CliUsageError';
}

/** `--name, --scopes, --help (-h)`: what a command takes, for the line that names a bad option. */
export function describeOptions(options: CliOptions): string {
  return Object.entries(options)
    .map(([name, o]) => `--${name}${o.short ? ` (-${o.short})` : ''}`)
    .join(', ');
}

/**
 * Parses `argv` against `options`. `command` names the command in messages (`nomad-mcp key`). Positional
 * arguments are refused: every command takes options only.
 */
export function parseCliOptions<T extends CliOptions>(command: string, argv: string[], options: T): CliValues<T> {
  const values: Record<string, string | boolean> = {};
  const takes = () => (Object.keys(options).length ? `${command} takes ${describeOptions(options)}` : `${command} takes no options`);
  const byShort = new Map(Object.entries(options).filter(([, o]) => o.short).map(([name, o]) => [o.short!, name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let name: string | undefined;
    let inline: string | undefined;
    const long = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    if (long) [, name, inline] = long;
    else if (/^-[A-Za-z]$/.test(arg)) name = byShort.get(arg.slice(1)) ?? arg;
    else throw new CliUsageError(`unexpected argument "${arg}"; ${takes()}`);
    const option = options[name];
    if (!option) throw new CliUsageError(`unknown option ${long ? `--${name}` : arg}; ${takes()}`);
    if (values[name] !== undefined) throw new CliUsageError(`--${name} is given twice; give it once`);
    if (option.type === 'boolean') {
      if (inline !== undefined) throw new CliUsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    const value = inline ?? argv[i + 1];
    // `--name --scopes read` forgot the name's value: say so rather than take "--scopes" as the name
    // (a negative number is a value, which the option's own check then judges)
    if (value === undefined || (inline === undefined && value.startsWith('-') && value.length > 1 && !/^-\d/.test(value))) {
      throw new CliUsageError(`--${name} needs a value`);
    }
    if (inline === undefined) i++;
    values[name] = value;
  }
  return values as CliValues<T>;
}
