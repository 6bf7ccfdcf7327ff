/**
 * Rendezvous of a run over Redis, like `torchrun`: a coordinator hosts a run of `size` workers under a namespace;
 * worker processes — spawned locally or started by hand on other machines — join it, each claiming the next rank.
 *
 * Keys (namespace `ns`, run id `id`): `ns:current` (the run to join), `ns:id:size`, `ns:id:next-rank`,
 * `ns:id:up:<rank>` / `ns:id:down:<rank>` (the link streams), `ns:id:alive:<rank>` / `ns:id:alive:coordinator`
 * (heartbeats).
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { TransportTimeoutError } from '../errors.js';
import type { Link } from '../link.js';
import { connectRedis, destroyRedis, redactRedisUrl, redisCall, RedisLink, startHeartbeat, type Heartbeat, type RedisClient } from './redis.js';

/** Options shared by {@link hostRedisRun} and {@link joinRedisRun}. */
export interface RedisRunOptions {
  /** `redis://host:port` of the server every participant reaches. */
  url: string;
  /** Key prefix, so that several runs can share a server (default `'bbp'`). */
  namespace?: string;
  /** Link capacity (default 4). */
  capacity?: number;
  /** Heartbeat time-to-live: a participant silent this long counts as dead (default 60 000 ms: a coordinator busy evaluating a model in synchronous tfjs code cannot refresh it). */
  heartbeatMs?: number;
  /** Connect time-out (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** A hosted run: one link per rank (index = rank). */
export interface HostedRedisRun {
  readonly runId: string;
  readonly url: string;
  /** `links[r]` talks to rank `r`; each has already received that rank's `hello`. */
  readonly links: readonly RedisLink[];
  /** Closes every link, stops the heartbeat and deletes the run's keys. Idempotent. */
  close(): Promise<void>;
}

/** A joined run: this process's rank, the run size and its link to the coordinator. */
export interface JoinedRedisRun {
  readonly runId: string;
  readonly rank: number;
  readonly size: number;
  readonly link: Link;
  /** Closes the link and the heartbeat. Idempotent. */
  close(): Promise<void>;
}

function keys(ns: string, runId: string) {
  const base = `${ns}:${runId}`;
  return {
    size: `${base}:size`,
    nextRank: `${base}:next-rank`,
    up: (r: number) => `${base}:up:${r}`,
    down: (r: number) => `${base}:down:${r}`,
    alive: (r: number | 'coordinator') => `${base}:alive:${r}`,
  };
}

/**
 * Hosts a run of `size` workers and waits (up to `joinTimeoutMs`) until all have joined and said hello.
 * `onWaiting` is called once the run is published, e.g. to spawn local worker processes.
 *
 * @throws {@link RedisTransportError} when Redis is unreachable; {@link TransportTimeoutError} when too few join.
 * @example
 * ```ts
 * const run = await hostRedisRun({ url: 'redis://127.0.0.1:6379' }, 2, { joinTimeoutMs: 60_000 });
 * await run.links[0].send({ kind: 'start' });
 * ```
 */
export async function hostRedisRun(
  options: RedisRunOptions,
  size: number,
  hostOptions: { joinTimeoutMs?: number; onWaiting?: (runId: string) => void; signal?: AbortSignal } = {},
): Promise<HostedRedisRun> {
  if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError('hostRedisRun', 'size', 'must be a positive integer', size);
  const ns = options.namespace ?? 'bbp';
  const runId = randomUUID().slice(0, 8);
  const k = keys(ns, runId);
  const client = await connectRedis(options.url, { connectTimeoutMs: options.connectTimeoutMs });
  const links: RedisLink[] = [];
  let heartbeat: Heartbeat | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.all(links.map((l) => l.close()));
    await heartbeat?.stop();
    const all = [k.size, k.nextRank, ...Array.from({ length: size }, (_, r) => [k.up(r), k.down(r), k.alive(r)]).flat()];
    await client.sendCommand(['DEL', ...all]).catch(() => {});
    // Only clear the pointer if it still points at this run.
    await client
      .sendCommand(['EVAL', "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", '1', `${ns}:current`, runId])
      .catch(() => {});
    destroyRedis(client);
  };
  try {
    heartbeat = await startHeartbeat(client, options.url, k.alive('coordinator'), options.heartbeatMs ?? 60_000);
    await redisCall(client, options.url, 'host', ['SET', k.size, String(size)]);
    await redisCall(client, options.url, 'host', ['SET', `${ns}:current`, runId]);
    for (let r = 0; r < size; r++) {
      links.push(
        await RedisLink.open(client, {
          url: options.url,
          peer: `worker-${r}`,
          sendKey: k.down(r),
          receiveKey: k.up(r),
          capacity: options.capacity,
          peerAliveKey: k.alive(r),
        }),
      );
    }
    hostOptions.onWaiting?.(runId);
    const joinTimeoutMs = hostOptions.joinTimeoutMs ?? 120_000;
    await Promise.all(
      links.map(async (link) => {
        const hello = await link.receive({ timeoutMs: joinTimeoutMs, signal: hostOptions.signal }).catch((e: unknown) => {
          throw e instanceof TransportTimeoutError ? new TransportTimeoutError(link.peer, 'join', joinTimeoutMs) : e;
        });
        if (hello.kind !== 'hello') throw new InvalidArgumentError('hostRedisRun', 'hello', 'must be the first message of a worker', hello.kind);
        link.requirePeerAlive();
      }),
    );
  } catch (e) {
    await close();
    throw e;
  }
  return { runId, url: redactRedisUrl(options.url), links, close };
}

/**
 * Joins the run currently hosted under the namespace (waiting up to `timeoutMs` for one to appear), claims the next
 * rank and says hello.
 *
 * @throws {@link RedisTransportError} when Redis is unreachable; {@link TransportTimeoutError} when no run appears;
 *   `InvalidArgumentError` when the run already has all its workers.
 */
export async function joinRedisRun(options: RedisRunOptions, joinOptions: { timeoutMs?: number } = {}): Promise<JoinedRedisRun> {
  const ns = options.namespace ?? 'bbp';
  const client: RedisClient = await connectRedis(options.url, { connectTimeoutMs: options.connectTimeoutMs });
  let link: RedisLink | undefined;
  let heartbeat: Heartbeat | undefined;
  const close = async (): Promise<void> => {
    await link?.close();
    await heartbeat?.stop();
    destroyRedis(client);
  };
  try {
    const timeoutMs = joinOptions.timeoutMs ?? 120_000;
    const start = Date.now();
    let runId: string | null = null;
    for (;;) {
      runId = await redisCall<string | null>(client, options.url, 'join', ['GET', `${ns}:current`]);
      if (runId !== null) {
        const alive = await redisCall<number>(client, options.url, 'join', ['EXISTS', keys(ns, runId).alive('coordinator')]);
        if (alive === 1) break;
      }
      if (Date.now() - start >= timeoutMs) throw new TransportTimeoutError(`${redactRedisUrl(options.url)} (namespace '${ns}')`, 'join', timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const k = keys(ns, runId);
    const size = Number(await redisCall<string | null>(client, options.url, 'join', ['GET', k.size]));
    const rank = Number(await redisCall<number>(client, options.url, 'join', ['INCR', k.nextRank])) - 1;
    if (!(rank < size)) throw new InvalidArgumentError('joinRedisRun', 'run', `already has its ${size} workers`, `run ${runId}`);
    heartbeat = await startHeartbeat(client, options.url, k.alive(rank), options.heartbeatMs ?? 60_000);
    link = await RedisLink.open(client, {
      url: options.url,
      peer: 'coordinator',
      sendKey: k.up(rank),
      receiveKey: k.down(rank),
      capacity: options.capacity,
      peerAliveKey: k.alive('coordinator'),
    });
    link.requirePeerAlive();
    await link.send({ kind: 'hello', meta: { rank } });
    return { runId, rank, size, link, close };
  } catch (e) {
    await close();
    throw e;
  }
}
