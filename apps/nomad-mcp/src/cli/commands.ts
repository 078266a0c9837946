import type { BuiltAppCommand } from './built-apps';
import { CliIo } from './cli-io';
import { CliOptions, CliValues, parseCliOptions } from './cli-options';

/*
 * The commands of `nomad-mcp`. This file and what it imports stay light: each command loads what it needs when
 * it runs (Nest only for serve, stdio, demo and check), so `nomad-mcp --help` and `nomad-mcp key` answer at once.
 */

/** What a command ends with: an exit status, or `running` for a server that runs until it is stopped. */
export type CommandResult = number | 'running';

export interface CliCommand {
  name: string;
  /** One line for `nomad-mcp --help`. */
  summary: string;
  /** Runs with the arguments after the command's name; bad arguments throw an error named …UsageError (exit 2). */
  run(argv: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<CommandResult>;
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** A command whose options this CLI parses: `--help` prints `usage`, anything else reaches `body`. */
function command<T extends CliOptions>(
  name: string,
  summary: string,
  usage: string,
  options: T,
  body: (values: CliValues<T>, io: CliIo, env: NodeJS.ProcessEnv) => Promise<CommandResult>,
): CliCommand {
  return {
    name,
    summary,
    async run(argv, io, env) {
      const values = parseCliOptions(`nomad-mcp ${name}`, argv, options);
      if (values.help) {
        io.stdout(usage);
        return 0;
      }
      return body(values, io, env);
    },
  };
}

/** A command of the demo or simulator app: its options, usage and start come from the app's build. */
function builtApp(name: string, summary: string, load: () => Promise<BuiltAppCommand>): CliCommand {
  return {
    name,
    summary,
    async run(argv, io, env) {
      const app = await load();
      const values = parseCliOptions(`nomad-mcp ${name}`, argv, app.options);
      if (values.help) {
        io.stdout(app.usage);
        return 0;
      }
      await app.start(values, io, env);
      return 'running';
    },
  };
}

const SETTINGS_NOTE = `Settings are environment variables (NOMAD_ADDR, NOMAD_TOKEN, API_KEYS_FILE, HOST, PORT, ...; HashiCorp's MCP
server names such as TRANSPORT_PORT work too): see README "Configuration". A bad one stops it with one line.`;

const SERVE_USAGE = `Usage: nomad-mcp serve     (also plain nomad-mcp; in a checkout: npm start)

The HTTP service: REST at /api/claude, MCP (Streamable HTTP) at /mcp, Swagger UI at /api/docs, /health.
Listens on HOST:PORT (default 127.0.0.1:8000; 0.0.0.0 when API keys are set) until stopped (Ctrl+C).

${SETTINGS_NOTE}

Options:
  -h, --help   this text
`;

const STDIO_USAGE = `Usage: nomad-mcp stdio     (nomad-mcp --stdio does the same)

MCP over stdin and stdout, for Claude Desktop and other local MCP clients that start the server themselves:
JSON-RPC messages one per line on stdin, answers on stdout, logs on stderr. Runs until stdin closes.

${SETTINGS_NOTE}

Options:
  -h, --help   this text
`;

const KEY_USAGE = `Usage: nomad-mcp key --name NAME [--scopes LIST] [--namespaces LIST]

Generates a new API key (256 random bits), prints it once, and prints the entry that accepts it in the
identities file (API_KEYS_FILE): its name, the key's SHA-256 (key_sha256; the key itself is kept nowhere),
its scopes and namespaces. Nothing is written and Nomad is not contacted.

Options:
  --name NAME         the identity's name, shown in logs and the audit trail (letters, digits, . _ @ -)
  --scopes LIST       comma-separated: read, operate, write, destroy, admin, approve or '*' (default read)
  --namespaces LIST   comma-separated namespace names or globs (dev-*,staging); default every namespace
  -h, --help          this text

Example: nomad-mcp key --name ci-bot --scopes read,operate --namespaces 'dev-*'
`;

const CHECK_USAGE = `Usage: nomad-mcp check

Checks what the service would start with, without starting it: the settings (as serve reads them), the API
keys or identities file, the audit trail's database, and Nomad: is its leader reachable, is NOMAD_TOKEN
accepted and what is it (management, or client with its policies), does the default namespace exist.
Prints one line per finding.

${SETTINGS_NOTE}

Options:
  -h, --help   this text

Exit status: 0 when all is well, 1 when a problem was found (each one listed with what to do), 2 for a bad option.
`;

const KEY_OPTIONS = { name: { type: 'string' }, scopes: { type: 'string' }, namespaces: { type: 'string' }, ...HELP } as const;

/** What the commands that run the service (serve, stdio) do first: the start-up date format before anything loads Nest (see there), then the settings. */
async function serviceConfig(env: NodeJS.ProcessEnv) {
  await import('../start-up-date-format');
  const { loadConfig } = await import('../config/env.schema');
  return loadConfig(env);
}

/** Every command, in the order `nomad-mcp --help` lists them; the first is the default. */
export const COMMANDS: CliCommand[] = [
  command('serve', 'the HTTP service: REST /api/claude, MCP /mcp, Swagger UI (the default)', SERVE_USAGE, HELP, async (_v, _io, env) => {
    const config = await serviceConfig(env);
    await (await import('./serve')).runHttp(config);
    return 'running';
  }),
  command('stdio', 'MCP over stdin/stdout, for Claude Desktop and local MCP clients (also --stdio)', STDIO_USAGE, HELP, async (_v, _io, env) => {
    const config = await serviceConfig(env);
    await (await import('./stdio')).runStdio(config);
    return 'running';
  }),
  builtApp('demo', 'the Nomad API simulator with demo data, and the service pointed at it', async () => (await import('./built-apps')).demoCommand()),
  builtApp('sim', "the Nomad API simulator alone (Nomad's HTTP API, simulated nodes)", async () => (await import('./built-apps')).simCommand()),
  {
    name: 'audit',
    summary: 'read the audit trail (filters, pages, JSON lines) without starting the service',
    // it parses its own options (they are those of GET /api/audit) and answers its own --help
    run: async (argv, io, env) => (await import('../audit/audit-cli')).runAuditCli(argv, env, io),
  },
  command('key', 'generate an API key and print its identities-file entry', KEY_USAGE, KEY_OPTIONS, async (values, io) => {
    const { identityEntry, keyReport, newApiKey } = await import('./key');
    const key = newApiKey();
    io.stdout(keyReport(key, identityEntry(key, values)));
    return 0;
  }),
  command('check', 'check the settings and the connection to Nomad (token, policies, namespace), then exit', CHECK_USAGE, HELP, async (_v, io, env) =>
    (await import('./check')).runCheck(env, io),
  ),
];

export const COMMAND_NAMES = COMMANDS.map((c) => c.name);
