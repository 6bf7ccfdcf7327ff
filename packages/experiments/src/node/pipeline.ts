/**
 * The Node transports of `dpl --schedule pipeline` (thesis §6.8.3): a worker thread per partition, or a process per
 * partition joined through Redis.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import type { PipelineLauncher } from '@beyond-backprop/layerwise';
import { redisPartitions, threadPartitions } from '@beyond-backprop/layerwise/node';

/** The launcher a `--transport` value names: `threads` or `redis://host:port` (all partitions as local processes). */
export function pipelineLauncherFor(transport: string, namespace: string): PipelineLauncher {
  if (transport === 'threads') return threadPartitions();
  if (/^rediss?:\/\//.test(transport)) return redisPartitions({ url: transport, namespace });
  throw new InvalidArgumentError('bbp run', '--transport', "must be 'threads', 'in-process' or a redis://host:port URL", transport);
}
