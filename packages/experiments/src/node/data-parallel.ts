/**
 * `data-parallel` on Node: the browser-safe method core (`../methods/data-parallel.ts`) with replicas in worker
 * threads of this process or in processes that join through Redis (`--transport redis://host:port`; `bbp worker`
 * joins from another machine).
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import type { ReplicaLauncher } from '@beyond-backprop/cluster';
import { redisReplicas, threadReplicas } from '@beyond-backprop/cluster/node';
import { createDataParallelMethod, dataParallelOptions } from '../methods/data-parallel.js';
import type { Method, OptionValues } from '../registry.js';

/** The launcher a `--transport` value names: `threads` (default) or `redis://host:port`. */
export function launcherFor(transport: string, _workers: number, localWorkers: number, namespace: string): ReplicaLauncher {
  if (transport === 'threads') return threadReplicas();
  if (/^rediss?:\/\//.test(transport)) return redisReplicas({ url: transport, namespace, localProcesses: localWorkers });
  throw new InvalidArgumentError('bbp run', '--transport', "must be 'threads' or a redis://host:port URL", transport);
}

/** The launcher of `--transport`, `--local-workers` and `--namespace`. */
function nodeLauncher(options: OptionValues, workers: number): ReplicaLauncher {
  const transport = String(options.transport ?? 'threads');
  const localWorkers = Number(options.localWorkers ?? workers);
  checkNumber('bbp run', '--local-workers', localWorkers, { min: 0, max: workers, integer: true });
  return launcherFor(transport, workers, localWorkers, String(options.namespace ?? 'bbp'));
}

/** Data-parallel training by periodic averaging of (compressed) weights over worker threads or Redis. */
export const dataParallelMethod: Method = createDataParallelMethod({
  description: 'K replicas on K data shards, periodic averaging of codec-encoded weights over worker threads or Redis (bbp worker joins remote machines)',
  launcher: nodeLauncher,
  // Every participant loads the same codec from the compression package (absolute URL: workers resolve it too).
  codecModuleUrl: () => import.meta.resolve('@beyond-backprop/compression'),
  options: [
    dataParallelOptions.workers,
    dataParallelOptions.lrScaling,
    { flag: '--transport <t>', description: "data-parallel: 'threads' (default) or redis://host:port (K local worker processes join; see --local-workers)" },
    dataParallelOptions.codec,
    dataParallelOptions.syncEvery,
    dataParallelOptions.syncMode,
    { flag: '--local-workers <n>', description: 'data-parallel over Redis: worker processes to start here (default K; the rest join with bbp worker)' },
    { flag: '--namespace <ns>', description: "data-parallel over Redis: key prefix shared with bbp worker (default 'bbp')" },
  ],
});
