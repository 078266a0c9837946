import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { redactUrl } from '@nomad-mcp/nomad';
import type Redis from 'ioredis';

/**
 * One request of one client, counted atomically however many replicas count at once. KEYS[1] is the
 * client's hit counter, KEYS[2] its block marker; ARGV: window (ms), limit, block duration (ms).
 * Returns {hits, ms until the window ends, blocked 0|1, ms until the block ends}. It keeps the in-memory
 * storage's rules: a blocked request is not counted; going over the limit blocks for the block duration,
 * after which the count starts afresh; with no block duration a request over the limit is refused, not
 * counted, until the window ends. The window is fixed (from the first hit), not sliding.
 */
const HIT_SCRIPT = `
local ttl, limit, blockMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blockLeft }
end
if blockMs <= 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  if hits >= limit then
    local left = redis.call('PTTL', KEYS[1])
    return { hits + 1, left, 1, left }
  end
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  left = ttl
end
if blockMs > 0 and hits > limit then
  redis.call('SET', KEYS[2], '1', 'PX', blockMs)
  redis.call('PEXPIRE', KEYS[1], blockMs)
  return { hits, blockMs, 1, blockMs }
end
return { hits, left, 0, 0 }
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
type HitReply = [hits: number, expireMs: number, blocked: number, blockMs: number];
type RedisWithHit = Redis & { rateLimitHit(hitsKey: string, blockKey: string, ttl: number, limit: number, blockMs: number): Promise<HitReply> };

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));
const reasonOf = (err: unknown) => (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));

/**
 * Rate-limit counts shared by every replica through Redis (REDIS_URL), so a client gets
 * RATE_LIMIT_PER_MINUTE in all, not per replica.
 *
 * When Redis does not answer (down, unreachable, too slow), requests are not refused for it: this replica
 * counts on its own, in memory, as it does without REDIS_URL, and says so once per outage; when Redis answers
 * again, counting is shared again (and says so). Rate limits here are a politeness guard against runaway
 * clients, not a security boundary: an outage of Redis should not become an outage of the service.
 * Start-up does not fail on it either: it waits for the first connection (at most CONNECT_TIMEOUT_MS) and
 * warns when there is none.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  static readonly CONNECT_TIMEOUT_MS = 3000;
  private readonly logger = new Logger('RateLimit');
  private readonly local = new ThrottlerStorageService();
  private readonly redis: RedisWithHit;
  private readonly shownUrl: string;
  /** false during an outage of Redis (counted here meanwhile); its warning is logged when this turns false. */
  private shared = true;

  /** `keyPrefix` (RATE_LIMIT_REDIS_PREFIX, `nomad-mcp:rl:`) starts every key this storage writes. */
  constructor(url: string, private readonly keyPrefix: string) {
    this.shownUrl = redactUrl(url);
    // ioredis is loaded only with REDIS_URL: a service counting in memory does not pay for it at start-up
    const RedisClient = (require('ioredis') as { default: typeof Redis }).default;
    this.redis = new RedisClient(url, {
      lazyConnect: true,
      // a request must not wait for Redis: when it is not connected, or slow, count here instead
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      connectTimeout: RedisThrottlerStorage.CONNECT_TIMEOUT_MS,
      // a connection that is already gone keeps a timer this long at shutdown (ioredis waits for a close that came before)
      disconnectTimeout: 300,
      // keeps trying for ever, at most every 2 s, so that counting is shared again soon after an outage
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    }) as RedisWithHit;
    this.redis.defineCommand('rateLimitHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    // every failed (re)connection is an 'error' event: only the first of an outage is logged
    this.redis.on('error', (err) => this.outage(err));
    this.redis.on('ready', () => this.recovered());
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.redis.connect();
      this.logger.log(`Rate limits are shared by the replicas through Redis at ${this.shownUrl} (keys ${this.keyPrefix}*).`);
    } catch (err) {
      this.outage(err); // ioredis keeps reconnecting in the background
    }
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      const [hits, expireMs, blocked, blockMs] = await this.redis.rateLimitHit(`${this.keyPrefix}${key}:hits`, `${this.keyPrefix}${key}:block`, ttl, limit, blockDuration);
      this.recovered();
      return { totalHits: hits, timeToExpire: seconds(expireMs), isBlocked: blocked === 1, timeToBlockExpire: seconds(blockMs) };
    } catch (err) {
      this.outage(err);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.onApplicationShutdown();
    this.redis.removeAllListeners('ready');
    await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  private outage(err: unknown): void {
    if (!this.shared) return;
    this.shared = false;
    this.logger.warn(
      `Redis at ${this.shownUrl} (REDIS_URL) is not answering (${reasonOf(err)}): each replica counts rate limits on its own until it does. ` +
        'Is Redis running there, and is REDIS_URL right?',
    );
  }

  private recovered(): void {
    if (this.shared) return;
    this.shared = true;
    this.logger.log(`Redis at ${this.shownUrl} answers again: rate limits are shared by the replicas again.`);
  }
}
