import { RunningSimulator, startSimulator } from '@nomad-mcp/nomad-sim';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

/*
 * `nomad-mcp demo` (`npm run demo`): the built-in simulator with demo data, and the service pointed at it. Its
 * own app, so the service's build and image carry neither the demo nor the simulator. The service (Nest) is
 * loaded only when the demo starts, so that `nomad-mcp demo --help` answers at once.
 */

/** The options, in the shape both node:util parseArgs and the nomad-mcp CLI's parser take. */
export const DEMO_OPTIONS = {
  'sim-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DEMO_USAGE = `Usage: nomad-mcp demo [options]     (in a checkout: npm run demo -- [options])

The Nomad API simulator with demo data (namespaces default, development and staging; jobs example-job,
nightly-report, broken-api, hello-world, and one staged failure of each kind in staging), and the service
pointed at it; prints where everything is. With NOMAD_ADDR set, the service uses that Nomad instead and no
simulator starts. The service's settings are read as for serve.

Options:
  --sim-port N   the simulator's port (default 4646; when it is taken, any free port, and the banner says so)
  -h, --help     this text
`;

/** A bad option value; the CLI exits 2 for it (its name ends in UsageError, as the CLI's own do). */
export class DemoUsageError extends Error {
  readonly name = 'DemoUsageError';
}

/** Is the port free on 127.0.0.1? The demo prefers Nomad's 4646 but never fails for want of it. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false)).once('listening', () => probe.close(() => resolve(true)));
    probe.listen(port, '127.0.0.1');
  });
}

function canResolve(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The simulator on the wanted port, or on any free one (with a note saying so) when that one is taken. */
async function startDemoSimulator(wanted: number): Promise<{ sim: RunningSimulator; note?: string }> {
  if (await portFree(wanted)) {
    try {
      return { sim: await startSimulator({ port: wanted, seed: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      // taken between the probe and the listen: fall through to any free port
    }
  }
  const sim = await startSimulator({ port: 0, seed: true });
  return { sim, note: `port ${wanted} is in use, so the simulator listens on ${sim.port} instead` };
}

function simPort(text = '4646'): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new DemoUsageError(`--sim-port must be a port number, 0-65535 (got "${text}")`);
  return port;
}

/** Starts the demo; it runs until the process is stopped. A bad setting or a busy port throws one clear line. */
export async function runDemo(values: { 'sim-port'?: string }, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const wanted = simPort(values['sim-port']);
  const { createApp, DOCS_PATH, listen } = await import('../../nomad-mcp/src/bootstrap');
  const { loadConfig, redactUrl } = await import('../../nomad-mcp/src/config');
  const { reportNomadStartupCheck } = await import('../../nomad-mcp/src/health/nomad-startup.check');
  // readable logs for a person at a terminal, when the dev dependency is installed
  if (!env.LOG_FORMAT && canResolve('pino-pretty')) env.LOG_FORMAT = 'pretty';
  // a bad setting stops the demo with one line before anything starts (the service's config is read again
  // below only to point it at the simulator)
  loadConfig(env);
  let simulator: { sim: RunningSimulator; note?: string } | undefined;
  if (!env.NOMAD_ADDR) {
    simulator = await startDemoSimulator(wanted);
    const { sim } = simulator;
    process.on('exit', () => void sim.close());
  }
  const config = loadConfig(simulator ? { ...env, NOMAD_ADDR: simulator.sim.url } : env);
  const app = await createApp({ config });
  const { url, notes } = await listen(app);
  const auth = config.auth.apiKeys || config.auth.apiKeysFile ? ` -H 'X-API-Key: <your key>'` : '';
  const lines = [
    '',
    'Nomad MCP demo is up.',
    simulator
      ? `  Nomad simulator  ${simulator.sim.url}   (demo data: namespaces default, development, staging; jobs example-job, nightly-report, broken-api, and one staged failure of each kind in staging)`
      : `  Nomad            ${redactUrl(config.nomad.address)}`,
    ...(simulator?.note ? [`                   (${simulator.note})`] : []),
    `  REST API         ${url}/api/claude`,
    `  Swagger UI       ${url}/${DOCS_PATH}`,
    `  MCP (HTTP)       ${url}/mcp`,
    `  Health           ${url}/health`,
    '',
    'Try:',
    `  curl -s${auth} '${url}/api/claude/list-jobs?namespace=development'`,
    `  curl -s${auth} -X POST ${url}/api/claude/jobs -H 'Content-Type: application/json' -d '{"job_id":"broken-api","action":"status"}'`,
    `  curl -s${auth} '${url}/api/claude/job-logs/example-job?lines=5'`,
    `  curl -s${auth} '${url}/api/claude/problems?namespace=*'`,
    ...notes.map((n) => `Note: ${n}`),
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  void reportNomadStartupCheck(app);
}

if (require.main === module) {
  Promise.resolve()
    .then(() => {
      const { values } = parseArgs({ options: DEMO_OPTIONS });
      if (values.help) process.stdout.write(DEMO_USAGE);
      else return runDemo(values);
    })
    .catch((err: Error) => {
      process.stderr.write(`nomad-mcp demo: ${err.message}\n`);
      process.exit(err instanceof DemoUsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
    });
}
