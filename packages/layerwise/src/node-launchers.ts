/**
 * Where the partitions of pipelined DPL (thesis §6.8.3–6.8.4) run on Node: worker threads of this process (one tfjs
 * instance each, feature buffers transferred, not copied) or processes that join through Redis streams. Node-only:
 * exported from `@beyond-backprop/layerwise/node`, so the package's main entry stays browser-safe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  hostRedisRun,
  localProcesses,
  redactRedisUrl,
  spawnWorker,
  type HostedRedisRun,
  type LocalProcesses,
  type SpawnedWorker,
} from '@beyond-backprop/cluster/node';
import type { PipelineLauncher } from './pipelined-dpl.js';

/** A script next to this module (`.ts` when running from source, `.js` when built). */
function sibling(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, import.meta.url);
}

/** Node arguments that run `script`: TypeScript sources through tsx with the workspace's source condition. */
function nodeArgs(script: URL): string[] {
  if (!script.pathname.endsWith('.ts')) return [fileURLToPath(script)];
  const loader = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href;
  return ['--conditions=@beyond-backprop/source', '--import', loader, fileURLToPath(script)];
}

/**
 * Every partition in its own worker thread of this process, each with its own tfjs instance; feature buffers are
 * transferred, not copied.
 *
 * @example
 * ```ts
 * await trainPipelined(net, x, y, { partitions: 2, epochs: 10, transport: threadPartitions() });
 * ```
 */
export function threadPartitions(options: { backend?: 'wasm' | 'cpu' } = {}): PipelineLauncher {
  let workers: SpawnedWorker[] = [];
  return {
    transport: 'threads',
    async start(count, capacity) {
      workers = Array.from({ length: count }, (_, p) =>
        spawnWorker(sibling('partition-worker'), { name: `partition-${p}`, data: { backend: options.backend ?? 'wasm' }, capacity }),
      );
      return workers.map((w) => ({ name: w.name, link: w.link, worker: w.worker }));
    },
    async stop() {
      await Promise.all(workers.map((w) => w.terminate()));
      workers = [];
    },
  };
}

/** Options of {@link redisPartitions}. */
export interface RedisPartitionsOptions {
  /** `redis://host:port` reached by the coordinator and every partition process. */
  url: string;
  /** Key prefix of the run (default `'bbp-pipeline'`); one per concurrent run on a server. */
  namespace?: string;
  /** Partition processes started on this machine (default: all of them); the others join with `servePipelinedPartition`. */
  localProcesses?: number;
  /** How long to wait for every partition to join (default 120 s). */
  joinTimeoutMs?: number;
}

/**
 * Every partition in its own process, joined through Redis streams: `localProcesses` are started here, the others on
 * other machines with `servePipelinedPartition` (each claims the next partition). A local process that exits early
 * ends the run with a `WorkerFailedError` naming it.
 */
export function redisPartitions(options: RedisPartitionsOptions): PipelineLauncher & { readonly processes: readonly ChildProcess[] } {
  const namespace = options.namespace ?? 'bbp-pipeline';
  let procs: LocalProcesses | undefined;
  let run: HostedRedisRun | undefined;
  return {
    transport: redactRedisUrl(options.url),
    /** The partition processes started on this machine (in start order, not partition order). */
    get processes() {
      return procs?.children ?? [];
    },
    async start(count, capacity) {
      const abort = new AbortController();
      const local = localProcesses();
      procs = local;
      let early: Error | undefined;
      const onWaiting = (): void => {
        for (let i = 0; i < (options.localProcesses ?? count); i++) {
          const child = spawn(process.execPath, [...nodeArgs(sibling('partition-process')), options.url, namespace], {
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          local.watch(child, `partition process ${i} (pid ${child.pid ?? '?'})`, (error) => {
            early ??= error;
            for (const link of run?.links ?? []) link.fail(error);
            abort.abort(error);
          });
        }
      };
      try {
        run = await hostRedisRun({ url: options.url, namespace, capacity }, count, { joinTimeoutMs: options.joinTimeoutMs, onWaiting, signal: abort.signal });
      } catch (e) {
        await this.stop();
        throw early ?? e;
      }
      return run.links.map((link, p) => ({ name: `partition-${p}`, link }));
    },
    async stop() {
      const closeRun = async () => {
        await run?.close();
        run = undefined;
      };
      // The partitions end on their own once the run closes (SIGKILL only for one still running after 5 s).
      if (procs) await procs.stop({ terminate: false, whileStopping: closeRun });
      else await closeRun();
    },
  };
}
