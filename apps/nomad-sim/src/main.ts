import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './server';

/*
 * The simulator's command line: `nomad-mcp sim [options]` (the CLI parses them against SIM_OPTIONS and calls
 * runSimulator), or this file run by itself (`node dist/apps/nomad-sim/src/main.js --port 0`, as the bench does).
 */

/** The options, in the shape both node:util parseArgs and the nomad-mcp CLI's parser take. */
export const SIM_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  region: { type: 'string' },
  datacenter: { type: 'string' },
  nodes: { type: 'string' },
  acl: { type: 'boolean' },
  'bootstrap-token': { type: 'string' },
  seed: { type: 'boolean' },
  'start-delay': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type SimValues = { [K in keyof typeof SIM_OPTIONS]?: (typeof SIM_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export const SIM_USAGE = `Usage: nomad-mcp sim [options]     (in a checkout: npm run sim -- [options])

The Nomad API simulator: Nomad's HTTP API (jobs, allocations, deployments, logs, ACLs, ...) with simulated
nodes, for trying Nomad MCP without a cluster. Runs until stopped (Ctrl+C).

Options:
  --host ADDR               listen address (default 127.0.0.1)
  --port N                  listen port (default 4646; 0 = any free port)
  --region, --datacenter    names the agent reports (default global, dc1)
  --nodes N                 simulated client nodes (default 1)
  --acl                     enable ACLs; with --bootstrap-token SECRET for the management token
  --seed                    create the demo namespaces and jobs
  --start-delay MS          placement -> running delay (default 1500)
  --tls-cert PEM, --tls-key PEM   serve HTTPS with this certificate and key
  --tls-ca PEM              also require client certificates signed by this CA
  -h, --help                this text
`;

/** A bad option value; the CLI exits 2 for it (its name ends in UsageError, as the CLI's own do). */
export class SimUsageError extends Error {
  readonly name = 'SimUsageError';
}

function integer(values: SimValues, name: 'port' | 'nodes' | 'start-delay', fallback: number, min: number, max: number): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new SimUsageError(`--${name} must be a whole number from ${min} to ${max} (got "${text}")`);
  return n;
}

function pem(values: SimValues, name: 'tls-cert' | 'tls-key' | 'tls-ca'): Buffer | undefined {
  const path = values[name];
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SimUsageError(`--${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}

/** Starts the simulator as the options say and prints where it listens; it runs until SIGINT or SIGTERM. */
export async function runSimulator(values: SimValues, out: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const port = integer(values, 'port', 4646, 0, 65535);
  const nodes = integer(values, 'nodes', 1, 1, 1000);
  const startDelay = integer(values, 'start-delay', -1, 0, 3_600_000);
  if (!!values['tls-cert'] !== !!values['tls-key']) throw new SimUsageError('--tls-cert and --tls-key go together: give both, or neither');
  if (values['tls-ca'] && !values['tls-cert']) throw new SimUsageError('--tls-ca needs --tls-cert and --tls-key (client certificates are checked over HTTPS only)');
  const cert = pem(values, 'tls-cert');
  const key = pem(values, 'tls-key');
  if (values.acl && !values['bootstrap-token']) {
    process.stderr.write('--acl without --bootstrap-token: bootstrap later with PUT /v1/acl/bootstrap\n');
  }
  const sim = await startSimulator({
    host: values.host ?? '127.0.0.1', port, region: values.region ?? 'global', datacenter: values.datacenter ?? 'dc1', nodes,
    acl: values.acl ?? false, bootstrapToken: values['bootstrap-token'], seed: values.seed ?? false,
    timings: startDelay >= 0 ? { startDelayMs: startDelay } : undefined,
    tls: cert && key ? { cert, key, ca: pem(values, 'tls-ca') } : undefined,
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new Error(`port ${port} is in use on ${values.host ?? '127.0.0.1'}; give --port <another port> (or --port 0 for any free port)`);
  });
  out(`Nomad API simulator listening on ${sim.url}${values.acl ? ' (ACLs enabled)' : ''}${values.seed ? ' with demo data' : ''}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  Promise.resolve()
    .then(() => {
      const { values } = parseArgs({ options: SIM_OPTIONS });
      if (values.help) process.stdout.write(SIM_USAGE);
      else return runSimulator(values);
    })
    .catch((err: Error) => {
      process.stderr.write(`nomad-sim: ${err.message}\n`);
      process.exit(err instanceof SimUsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
    });
}
