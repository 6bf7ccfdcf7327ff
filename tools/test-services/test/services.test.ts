import { describe, expect, it } from 'vitest';
import { ensureBinary, findChromium, MissingServiceError, pingRedis, startRedisServer, whichBinary } from '../src/index.js';
import { existsSync } from 'node:fs';

describe('test services', () => {
  it('starts a real redis-server on loopback that answers PING, and stops it', async () => {
    const redis = await startRedisServer();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await pingRedis(redis.port)).toBe(true);
    await redis.stop();
    expect(await pingRedis(redis.port, 300)).toBe(false);
    await redis.stop(); // idempotent
  });

  it('finds the chromium binary', () => {
    const path = findChromium();
    expect(existsSync(path)).toBe(true);
  });

  it('names the exact apt-get command for a package that is neither on PATH nor installable', () => {
    expect(whichBinary('bbp-no-such-program')).toBeUndefined();
    let caught: unknown;
    try {
      ensureBinary(['bbp-no-such-program'], 'bbp-no-such-debian-package');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingServiceError);
    expect((caught as MissingServiceError).installCommand).toBe('sudo apt-get update && sudo apt-get install -y bbp-no-such-debian-package');
  }, 120_000);
});
