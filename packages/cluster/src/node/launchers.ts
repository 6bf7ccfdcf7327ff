/**
 * Where data-parallel replicas run on Node: worker threads of this process, or processes anywhere that join through
 * Redis.
 */
import { initBackend } from '@beyond-backprop/core-linalg';
import { runReplica } from '../data-parallel/replica.js';
import type { ReplicaLauncher } from '../data-parallel/trainer.js';
import type { Link } from '../link.js';
import { hostRedisRun, joinRedisRun, type HostedRedisRun, type RedisRunOptions } from './redis-run.js';
import { redactRedisUrl } from './redis.js';
import { spawnWorker, type SpawnedWorker } from './spawn.js';

/** The replica entry next to this module (`.ts` when running from source, `.js` when built). */
function replicaEntry(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./replica-worker${ext}`, import.meta.url);
}

/**
 * K replicas in K worker threads of this process, each with its own tfjs instance; weights and data move as
 * transferred buffers.
 *
 * @example
 * ```ts
 * const trainer = new DataParallelTrainer(model, { workers: 2, launcher: threadReplicas() });
 * ```
 */
export function threadReplicas(options: { backend?: 'wasm' | 'cpu'; capacity?: number } = {}): ReplicaLauncher & { readonly threads: readonly SpawnedWorker[] } {
  let workers: SpawnedWorker[] = [];
  return {
    transport: 'threads',
    get threads() {
      return workers;
    },
    async start(count) {
      workers = Array.from({ length: count }, (_, r) => spawnWorker(replicaEntry(), { name: `replica-${r}`, data: { backend: options.backend }, capacity: options.capacity ?? 2 }));
      return workers.map((w) => w.link);
    },
    async stop() {
      await Promise.all(workers.map((w) => w.terminate()));
      workers = [];
    },
  };
}

/** Options of {@link redisReplicas}. */
export interface RedisReplicasOptions extends RedisRunOptions {
  /** Called once the run is published, e.g. to spawn local worker processes that call {@link serveRedisReplica}. */
  onWaiting?: (runId: string) => void;
  /** How long to wait for all workers to join (default 120 s). */
  joinTimeoutMs?: number;
}

/**
 * K replicas in processes that join through Redis — local ones spawned in `onWaiting`, or `bbp worker` processes
 * started on other machines.
 */
export function redisReplicas(options: RedisReplicasOptions): ReplicaLauncher {
  let run: HostedRedisRun | undefined;
  return {
    transport: redactRedisUrl(options.url),
    async start(count): Promise<Link[]> {
      run = await hostRedisRun(options, count, { joinTimeoutMs: options.joinTimeoutMs, onWaiting: options.onWaiting });
      return [...run.links];
    },
    async stop() {
      await run?.close();
      run = undefined;
    },
  };
}

/**
 * Joins the run hosted under the namespace on `url` and serves one replica until it ends (what `bbp worker` does).
 * Returns the rank it served.
 */
export async function serveRedisReplica(options: RedisRunOptions & { joinTimeoutMs?: number; backend?: 'wasm' | 'cpu' }): Promise<number> {
  await initBackend({ preference: options.backend ?? 'wasm', log: false });
  const joined = await joinRedisRun(options, { timeoutMs: options.joinTimeoutMs });
  try {
    await runReplica(joined.link);
  } finally {
    await joined.close();
  }
  return joined.rank;
}
