import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './server';

/** `npm run sim -- --port 4646 --acl --bootstrap-token <secret> --seed` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4646' },
      region: { type: 'string', default: 'global' },
      datacenter: { type: 'string', default: 'dc1' },
      nodes: { type: 'string', default: '1' },
      acl: { type: 'boolean', default: false },
      'bootstrap-token': { type: 'string' },
      seed: { type: 'boolean', default: false },
      'start-delay': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'Nomad API simulator',
        '  --host <addr>             listen address (default 127.0.0.1)',
        '  --port <n>                listen port (default 4646; 0 = any free port)',
        '  --region, --datacenter    names reported by the agent (global, dc1)',
        '  --nodes <n>               simulated client nodes (default 1)',
        '  --acl                     enable ACLs; with --bootstrap-token <secret> for the management token',
        '  --seed                    create the demo namespaces and jobs',
        '  --start-delay <ms>        placement -> running delay (default 1500)',
        '  --tls-cert, --tls-key     serve HTTPS with this PEM certificate and key',
        '  --tls-ca <pem>            also require client certificates signed by this CA',
        '',
      ].join('\n'),
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port "${values.port}": expected 0-65535\n`);
    process.exit(2);
  }
  if (values.acl && !values['bootstrap-token']) {
    process.stderr.write('--acl needs --bootstrap-token <secret> (or bootstrap later with PUT /v1/acl/bootstrap)\n');
  }
  const sim = await startSimulator({
    host: values.host, port, region: values.region, datacenter: values.datacenter, nodes: Number(values.nodes),
    acl: values.acl, bootstrapToken: values['bootstrap-token'], seed: values.seed,
    timings: values['start-delay'] ? { startDelayMs: Number(values['start-delay']) } : undefined,
    tls: values['tls-cert'] && values['tls-key']
      ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']), ca: values['tls-ca'] ? readFileSync(values['tls-ca']) : undefined }
      : undefined,
  });
  process.stdout.write(`Nomad API simulator listening on ${sim.url}${values.acl ? ' (ACLs enabled)' : ''}${values.seed ? ' with demo data' : ''}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: NodeJS.ErrnoException) => {
  process.stderr.write(`nomad-sim: ${err.code === 'EADDRINUSE' ? `address in use (${err.message})` : err.message}\n`);
  process.exit(1);
});
