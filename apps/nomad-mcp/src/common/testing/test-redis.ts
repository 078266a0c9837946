import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, Server, Socket } from 'node:net';
import Redis from 'ioredis';

/**
 * The Redis the rate-limit specs share with whoever else uses the machine's Redis (127.0.0.1:6379): every run
 * writes under a key prefix of its own and deletes only those keys. CI requires Redis (REQUIRE_REDIS=1, set by
 * .ci/run, which also checks it is up); elsewhere, without Redis, those specs skip with one line saying so.
 */
export const TEST_REDIS_PORT = 6379;
export const TEST_REDIS_URL = `redis://127.0.0.1:${TEST_REDIS_PORT}`;

/** Whether Redis answers PING: asked once, synchronously, because describe/it.skip need the answer at load. */
function redisAnswers(): boolean {
  const probe = `const s = require('net').connect(${TEST_REDIS_PORT}, '127.0.0.1', () => s.write('PING\\r\\n'));
    s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1)).on('error', () => process.exit(1)).setTimeout(1500, () => process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

/** True (after one line on stderr saying why) when Redis is not there and REQUIRE_REDIS is not 1. */
export function skipWithoutRedis(what: string): boolean {
  if (process.env.REQUIRE_REDIS === '1' || redisAnswers()) return false;
  process.stderr.write(`Redis is not answering at ${TEST_REDIS_URL}: ${what} skipped; start redis-server, or set REQUIRE_REDIS=1 to fail instead (CI does).\n`);
  return true;
}

/** A key prefix no other run uses, under the service's own `nomad-mcp:rl:`. */
export const uniqueRateLimitPrefix = () => `nomad-mcp:rl:test-${process.pid}-${randomBytes(4).toString('hex')}:`;

/** The keys under `prefix` (SCAN, not KEYS: the Redis is shared), optionally deleted. */
export async function keysUnder(prefix: string, opts: { delete?: boolean } = {}): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    if (opts.delete && keys.length) await redis.del(...keys);
    return keys.sort();
  } finally {
    redis.disconnect();
  }
}

/**
 * A TCP relay to the test Redis on a port of its own: `down()` closes it and cuts every connection (Redis
 * gone, as far as its clients can tell), `up()` listens again on the same port. The shared Redis itself is
 * never stopped.
 */
export async function startRedisRelay(): Promise<{ url: string; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const up = async () => {
    server = createServer((client) => {
      const upstream = createConnection(TEST_REDIS_PORT, '127.0.0.1');
      for (const [s, other] of [[client, upstream], [upstream, client]]) {
        sockets.add(s);
        s.on('close', () => (sockets.delete(s), other.destroy()));
        s.on('error', () => other.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  };
  const down = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      if (!server) return r();
      server.close(() => r());
      server = undefined;
    });
  await up();
  return { url: `redis://127.0.0.1:${port}`, up, down, close: down };
}
