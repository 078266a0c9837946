import { join } from 'node:path';
import { CliIo } from './cli-io';
import { CliOptions } from './cli-options';

/*
 * The demo and the simulator are apps of their own (apps/nomad-mcp-demo, apps/nomad-sim). `nest build
 * nomad-mcp-demo` compiles them beside the service (npm ci, npm pack and npm test build that), `npm run build`
 * the service alone (what the Docker image holds). So they are found here at run time, by path: an import would
 * pull them into the service's own build.
 */

/** A command of a built app, as `nomad-mcp demo` and `nomad-mcp sim` run it. */
export interface BuiltAppCommand {
  options: CliOptions;
  usage: string;
  /** Starts it; resolves once it runs (it runs until the process is stopped). */
  start(values: Record<string, string | boolean | undefined>, io: CliIo, env: NodeJS.ProcessEnv): Promise<void>;
}

/** The folder holding the apps: dist/apps when built, apps/ under ts-jest. */
const APPS = join(__dirname, '..', '..', '..');

/** The entry module of `app`, or an Error that says how to build it. */
function entryOf(app: string, command: string): Record<string, any> {
  const path = join(APPS, app, 'src', 'main');
  try {
    return require(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'MODULE_NOT_FOUND' || !e.message.includes(path)) throw err;
    throw new Error(
      `not in this build, which holds the service alone (npm run build, the Docker image); ${command} needs the build ` +
        'of the demo project: in a checkout, npx nest build nomad-mcp-demo (npm run demo and npm run sim build it themselves).',
    );
  }
}

export function demoCommand(): BuiltAppCommand {
  const m = entryOf('nomad-mcp-demo', 'nomad-mcp demo');
  return { options: m.DEMO_OPTIONS, usage: m.DEMO_USAGE, start: (values, _io, env) => m.runDemo(values, env) };
}

export function simCommand(): BuiltAppCommand {
  const m = entryOf('nomad-sim', 'nomad-mcp sim');
  return { options: m.SIM_OPTIONS, usage: m.SIM_USAGE, start: (values, io) => m.runSimulator(values, io.stdout) };
}
