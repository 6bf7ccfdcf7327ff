/**
 * Where data-parallel replicas run on Node: worker threads of this process, or processes anywhere that join through
 * Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '@beyond-backprop/core-linalg';
import { runReplica } from '../data-parallel/replica.js';
import type { ReplicaLauncher } from '../data-parallel/trainer.js';
import type { Link } from '../link.js';
import { localProcesses, type LocalProcesses } from './local-processes.js';
import { hostRedisRun, joinRedisRun, type HostedRedisRun, type RedisRunOptions } from './redis-run.js';
import { redactRedisUrl } from './redis.js';
import { spawnWorker, type SpawnedWorker } from './spawn.js';

/** A script next to this module (`.ts` when running from source, `.js` when built). */
function sibling(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, import.meta.url);
}

function replicaEntry(): URL {
  return sibling('replica-worker');
}

/** Node arguments that run `script`: TypeScript sources through tsx with the workspace's source condition. */
function nodeArgs(script: URL): string[] {
  if (!script.pathname.endsWith('.ts')) return [fileURLToPath(script)];
  const loader = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href;
  return ['--conditions=@beyond-backprop/source', '--import', loader, fileURLToPath(script)];
}

/**
 * Starts one replica process on this machine that joins the run hosted on `url` under `namespace`. Its output is
 * inherited; its exit code is 0 after a completed run.
 */
export function spawnReplicaProcess(url: string, namespace = 'bbp'): ChildProcess {
  return spawn(process.execPath, [...nodeArgs(sibling('replica-process')), url, namespace], { stdio: ['ignore', 'inherit', 'inherit'] });
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
export function threadReplicas(
  options: { backend?: 'wasm' | 'cpu'; capacity?: number } = {},
): ReplicaLauncher & { readonly threads: readonly SpawnedWorker[] } {
  let workers: SpawnedWorker[] = [];
  return {
    transport: 'threads',
    get threads() {
      return workers;
    },
    async start(count) {
      workers = Array.from({ length: count }, (_, r) =>
        spawnWorker(replicaEntry(), { name: `replica-${r}`, data: { backend: options.backend }, capacity: options.capacity ?? 2 }),
      );
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
  /**
   * Replica processes to start on this machine ({@link spawnReplicaProcess}); the others join from elsewhere. A local
   * process that exits early ends the run with a `WorkerFailedError` naming it. Default 0.
   */
  localProcesses?: number;
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
  let procs: LocalProcesses | undefined;
  let abort = new AbortController();
  return {
    transport: redactRedisUrl(options.url),
    async start(count): Promise<Link[]> {
      abort = new AbortController();
      const local = localProcesses();
      procs = local;
      let early: Error | undefined;
      const onWaiting = (runId: string): void => {
        for (let i = 0; i < (options.localProcesses ?? 0); i++) {
          const child = spawnReplicaProcess(options.url, options.namespace ?? 'bbp');
          local.watch(child, `replica process ${i} (pid ${child.pid ?? '?'})`, (error) => {
            early ??= error;
            for (const link of run?.links ?? []) link.fail(error);
            abort.abort(error);
          });
        }
        options.onWaiting?.(runId);
      };
      try {
        run = await hostRedisRun(options, count, { joinTimeoutMs: options.joinTimeoutMs, onWaiting, signal: abort.signal });
      } catch (e) {
        throw early ?? e;
      }
      return [...run.links];
    },
    async stop() {
      const closeRun = async () => {
        await run?.close();
        run = undefined;
      };
      if (procs) await procs.stop({ whileStopping: closeRun });
      else await closeRun();
      procs = undefined;
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
