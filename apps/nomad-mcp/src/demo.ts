import { startSimulator } from '@nomad-mcp/nomad-sim';
import { createServer } from 'node:net';
import { createApp, DOCS_PATH, listen } from './bootstrap';

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

/** `npm run demo`: the built-in simulator with demo data, and the service pointed at it. */
async function demo(): Promise<void> {
  // readable logs for a person at a terminal, when the dev dependency is installed
  if (!process.env.LOG_FORMAT && canResolve('pino-pretty')) process.env.LOG_FORMAT = 'pretty';
  const configured = process.env.NOMAD_ADDR;
  let simUrl: string | undefined;
  if (!configured) {
    const sim = await startSimulator({ port: (await portFree(4646)) ? 4646 : 0, seed: true });
    simUrl = sim.url;
    process.env.NOMAD_ADDR = sim.url;
    process.on('exit', () => void sim.close());
  }
  const app = await createApp();
  const { url, notes } = await listen(app);
  const key = (process.env.API_KEYS ?? '').split(',')[0]?.trim();
  const auth = key ? ` -H 'X-API-Key: ${'<your key>'}'` : '';
  const lines = [
    '',
    'Nomad MCP demo is up.',
    simUrl ? `  Nomad simulator  ${simUrl}   (demo data: namespaces default, development; jobs example-job, nightly-report, broken-api)` : `  Nomad            ${configured}`,
    `  REST API         ${url}/api/claude`,
    `  Swagger UI       ${url}/${DOCS_PATH}`,
    `  MCP (HTTP)       ${url}/mcp`,
    `  Health           ${url}/health`,
    '',
    'Try:',
    `  curl -s${auth} '${url}/api/claude/list-jobs?namespace=development'`,
    `  curl -s${auth} -X POST ${url}/api/claude/jobs -H 'Content-Type: application/json' -d '{"job_id":"broken-api","action":"status"}'`,
    `  curl -s${auth} '${url}/api/claude/job-logs/example-job?lines=5'`,
    ...notes.map((n) => `Note: ${n}`),
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

demo().catch((err: Error) => {
  process.stderr.write(`nomad-mcp demo: ${err.message}\n`);
  process.exit(1);
});
