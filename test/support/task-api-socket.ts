import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a Nomad client gives each task: a Unix socket (`${NOMAD_SECRETS_DIR}/api.sock`, the Task API) that
 * carries the agent's HTTP API. Here each connection to the socket is piped to `targetUrl` (a simulator), so
 * the service can be run with NOMAD_ADDR=unix://<path> as it is inside a Nomad task.
 */
export interface TaskApiSocket {
  /** The socket's path; `unix://${path}` is the NOMAD_ADDR. */
  path: string;
  /** `unix://…`, as NOMAD_UNIX_ADDR holds it. */
  address: string;
  close(): Promise<void>;
}

export async function startTaskApiSocket(targetUrl: string): Promise<TaskApiSocket> {
  const dir = mkdtempSync(join(tmpdir(), 'nomad-secrets-'));
  const path = join(dir, 'api.sock');
  const target = new URL(targetUrl);
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    path,
    address: `unix://${path}`,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
