// first, before the modules below load: V8's memory settings for a small service (see start-up-heap.ts)
import './start-up-heap';
import { CliIo, processIo } from './cli/cli-io';
import { CliCommand, COMMAND_NAMES, COMMANDS, CommandResult } from './cli/commands';
import { VERSION } from './version';

/*
 * `nomad-mcp [command] [options]` (bin/nomad-mcp.js runs main). Only the command table is loaded here; each
 * command loads what it needs when it runs.
 */

export const USAGE = `Usage: nomad-mcp [command] [options]

Claude's safe door to HashiCorp Nomad: REST at /api/claude and an MCP server, with a built-in Nomad API simulator.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(7)}${c.summary}`).join('\n')}

nomad-mcp <command> --help says what a command takes. Without a command, nomad-mcp serves (as serve does);
nomad-mcp --stdio is nomad-mcp stdio. Settings are environment variables: see README "Configuration".

Options:
  -h, --help   this text
  --version    the version
`;

/** A problem with the command line: its name ends in UsageError (the CLI's, the audit's, the demo's, the simulator's). */
const isUsageError = (err: unknown): err is Error => err instanceof Error && err.name.endsWith('UsageError');

/** Which command the arguments name, and the arguments it gets; undefined for --help, --version or a bad first word. */
type Resolved = { command: CliCommand; args: string[]; explicit: boolean } | { exit: number };

function resolveCommand(argv: string[], io: CliIo): Resolved {
  const [first, ...rest] = argv;
  const byName = (name: string) => COMMANDS.find((c) => c.name === name)!;
  if (first === undefined) return { command: COMMANDS[0], args: [], explicit: false };
  if (first === '--stdio') return { command: byName('stdio'), args: rest, explicit: false };
  if (first === '-h' || first === '--help' || (first === 'help' && !rest.length)) {
    io.stdout(USAGE);
    return { exit: 0 };
  }
  if (first === 'help' && COMMAND_NAMES.includes(rest[0])) return { command: byName(rest[0]), args: ['--help'], explicit: true };
  if (first === '--version') {
    io.stdout(`nomad-mcp ${VERSION}\n`);
    return { exit: 0 };
  }
  if (COMMAND_NAMES.includes(first)) return { command: byName(first), args: rest, explicit: true };
  const what = first === 'help' ? `unknown command "${rest[0]}"` : first.startsWith('-') ? `unknown option ${first.split('=')[0]}` : `unknown command "${first}"`;
  io.stderr(`nomad-mcp: ${what}; the commands are ${COMMAND_NAMES.join(', ')} (options: --help, --version, --stdio); see nomad-mcp --help\n`);
  return { exit: 2 };
}

/**
 * Runs the command line and resolves to its exit status, or `running` for a server. A bad command line is one
 * line on stderr and 2; any other failure one line and 1 (never a stack trace).
 */
export async function runCli(argv: string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  const resolved = resolveCommand(argv, io);
  if ('exit' in resolved) return resolved.exit;
  const { command, args, explicit } = resolved;
  const prefix = explicit ? `nomad-mcp ${command.name}` : 'nomad-mcp';
  try {
    return await command.run(args, io, env);
  } catch (err) {
    if (isUsageError(err)) {
      // a line that already lists what the command takes needs no pointer to its --help
      const see = err.message.includes(`nomad-mcp ${command.name} takes`) ? '' : `; see nomad-mcp ${command.name} --help`;
      io.stderr(`${prefix}: ${err.message.replace(/\.$/, '')}${see}\n`);
      return 2;
    }
    io.stderr(`${prefix}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const result = await runCli(argv);
  if (result !== 'running') process.exitCode = result;
}

if (require.main === module) void main();
