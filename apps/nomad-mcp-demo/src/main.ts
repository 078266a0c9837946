import { RunningSimulator, startSimulator } from '@nomad-mcp/nomad-sim';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { createApp, DOCS_PATH, listen } from '../../nomad-mcp/src/bootstrap';
import { loadConfig, redactUrl } from '../../nomad-mcp/src/config';
import { reportNomadStartupCheck } from '../../nomad-mcp/src/health/nomad-startup.check';

/*
 * `npm run demo`: the built-in simulator with demo data, and the service pointed at it. Its own app, so the
 * service's build and image carry neither the demo nor the simulator.
 */

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

function simPort(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { 'sim-port': { type: 'string', default: '4646' } } });
  const port = Number(values['sim-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--sim-port must be a port number (got "${values['sim-port']}")`);
  return port;
}

async function demo(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  // readable logs for a person at a terminal, when the dev dependency is installed
  if (!env.LOG_FORMAT && canResolve('pino-pretty')) env.LOG_FORMAT = 'pretty';
  // a bad setting stops the demo with one line before anything starts (the service's config is read again
  // below only to point it at the simulator)
  loadConfig(env);
  const wanted = simPort(argv);
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

demo(process.argv.slice(2), process.env).catch((err: Error) => {
  process.stderr.write(`nomad-mcp demo: ${err.message}\n`);
  process.exit(1);
});
