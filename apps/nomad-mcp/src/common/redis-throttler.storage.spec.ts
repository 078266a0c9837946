import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { keysUnder, skipWithoutRedis, startRedisRelay, TEST_REDIS_URL, uniqueRateLimitPrefix } from './testing/test-redis';

const MINUTE = 60_000;
const SKIP = skipWithoutRedis('the Redis rate-limit storage specs');

/** `n` requests of one client, as the guard makes them (60 s window, the block as long as the window). */
async function requests(storage: ThrottlerStorage, key: string, n: number, limit: number, blockMs = MINUTE) {
  const records = [];
  for (let i = 0; i < n; i++) records.push(await storage.increment(key, MINUTE, limit, blockMs, 'default'));
  return records;
}

/** The records without what the in-memory storage leaves undefined (its timeToBlockExpire is garbage when not blocked). */
const comparable = (records: Array<Awaited<ReturnType<ThrottlerStorage['increment']>>>) =>
  records.map((r) => ({ ...r, timeToBlockExpire: r.isBlocked ? r.timeToBlockExpire : 0 }));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

(SKIP ? describe.skip : describe)('RedisThrottlerStorage (real Redis)', () => {
  const prefix = uniqueRateLimitPrefix();
  const opened: Array<{ onApplicationShutdown(): unknown }> = [];
  const open = async (url = TEST_REDIS_URL) => {
    const storage = new RedisThrottlerStorage(url, prefix);
    opened.push(storage);
    await storage.onModuleInit();
    return storage;
  };
  const inMemory = () => {
    const storage = new ThrottlerStorageService();
    opened.push(storage);
    return storage;
  };
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  const logged = (spy: jest.SpyInstance) => spy.mock.calls.map((c) => String(c[0]));
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.onApplicationShutdown()));
    jest.restoreAllMocks();
  });
  afterAll(() => keysUnder(prefix, { delete: true }));

  it('answers what the in-memory storage answers: the limit, then blocked for the block duration, uncounted', async () => {
    const shared = await requests(await open(), 'default:alice', 6, 3);
    expect(shared).toEqual(comparable(await requests(inMemory(), 'default:alice', 6, 3)));
    expect(shared.map((r) => [r.totalHits, r.isBlocked])).toEqual([[1, false], [2, false], [3, false], [4, true], [4, true], [4, true]]);
    expect(shared[0]).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(shared[3]).toEqual({ totalHits: 4, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 60 });
    expect(await keysUnder(`${prefix}default:alice`)).toEqual([`${prefix}default:alice:block`, `${prefix}default:alice:hits`]);
    expect(logged(log)).toEqual([`Rate limits are shared by the replicas through Redis at ${TEST_REDIS_URL} (keys ${prefix}*).`]);
  });

  it('without a block duration: over the limit is refused, uncounted, as in memory', async () => {
    const shared = await requests(await open(), 'default:bruno', 4, 2, 0);
    expect(shared).toEqual(comparable(await requests(inMemory(), 'default:bruno', 4, 2, 0)));
    expect(shared.map((r) => [r.totalHits, r.isBlocked, r.timeToBlockExpire])).toEqual([[1, false, 0], [2, false, 0], [3, true, 60], [3, true, 60]]);
  });

  it('when the block ends, the count starts afresh', async () => {
    const storage = await open();
    const [, blocked] = await requests(storage, 'default:chris', 2, 1, 300);
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(await storage.increment('default:chris', MINUTE, 1, 300, 'default')).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('two replicas count one client together, and each client apart', async () => {
    const [one, two] = [await open(), await open()];
    expect((await requests(one, 'default:dana', 2, 3)).map((r) => r.totalHits)).toEqual([1, 2]);
    expect(await two.increment('default:dana', MINUTE, 3, MINUTE, 'default')).toMatchObject({ totalHits: 3, isBlocked: false });
    expect(await two.increment('default:dana', MINUTE, 3, MINUTE, 'default')).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    expect(await one.increment('default:dana', MINUTE, 3, MINUTE, 'default')).toMatchObject({ isBlocked: true });
    expect(await one.increment('default:erin', MINUTE, 3, MINUTE, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('Redis down at start: starts, warns once without the password, counts on its own meanwhile', async () => {
    const relay = await startRedisRelay();
    await relay.down();
    const url = relay.url.replace('redis://', 'redis://user:pw-SECRET-1@');
    const storage = await open(url);
    const alone = await requests(storage, 'default:fay', 3, 2);
    expect(alone.map((r) => [r.totalHits, r.isBlocked])).toEqual([[1, false], [2, false], [3, true]]);
    await new Promise((r) => setTimeout(r, 500)); // ioredis retries meanwhile: each failed attempt is an 'error'
    expect(logged(warn)).toEqual([
      `Redis at ${relay.url.replace('redis://', 'redis://***@')} (REDIS_URL) is not answering (ECONNREFUSED): each replica counts rate limits on its own until it does. Is Redis running there, and is REDIS_URL right?`,
    ]);
    expect(JSON.stringify([warn.mock.calls, log.mock.calls])).not.toContain('SECRET');
  });

  it('an outage mid-run: no error, one warning; when Redis is back, counting is shared again, said once', async () => {
    const relay = await startRedisRelay();
    try {
      const [replica, direct] = [await open(relay.url), await open()];
      expect(await replica.increment('default:gus', MINUTE, 10, MINUTE, 'default')).toMatchObject({ totalHits: 1 });
      expect(await direct.increment('default:gus', MINUTE, 10, MINUTE, 'default')).toMatchObject({ totalHits: 2 });
      await relay.down();
      // counted here meanwhile (from 1), never thrown
      expect((await requests(replica, 'default:gus', 3, 10)).map((r) => r.totalHits)).toEqual([1, 2, 3]);
      expect(logged(warn)).toHaveLength(1);
      expect(logged(warn)[0]).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\) is not answering \(/);
      await relay.up();
      // shared again when a hit through the replica is seen directly in Redis (a fresh client each try)
      let attempt = 0;
      await until('the replica to count in Redis again', async () => {
        const key = `default:gus-${attempt++}`;
        await replica.increment(key, MINUTE, 10, MINUTE, 'default');
        return (await direct.increment(key, MINUTE, 10, MINUTE, 'default')).totalHits === 2;
      });
      expect(logged(log).filter((l) => /answers again/.test(l))).toEqual([`Redis at ${relay.url} answers again: rate limits are shared by the replicas again.`]);
      expect(logged(warn)).toHaveLength(1);
    } finally {
      await relay.close();
    }
  });
});
