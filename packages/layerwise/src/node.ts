/**
 * Node-only entry of `@beyond-backprop/layerwise`: pipelined DPL (thesis §6.8.3–6.8.4) with every partition in its
 * own worker thread or its own process joined through Redis, and serving a partition from another machine.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, initBackend } from '@beyond-backprop/core-linalg';
import { joinRedisRun } from '@beyond-backprop/cluster/node';
import { redisPartitions, threadPartitions, type RedisPartitionsOptions } from './node-launchers.js';
import { runPartition, trainPipelined as trainPipelinedWith, type PipelinedOptions, type PipelinedResult, type PipelineLauncher } from './pipelined-dpl.js';

export { redisPartitions, threadPartitions, type RedisPartitionsOptions } from './node-launchers.js';

/** Transports on Node: in this thread, one worker thread per partition, one process per partition over Redis, or any launcher. */
export type NodePipelineTransport = 'in-process' | 'threads' | ({ redis: string } & Omit<RedisPartitionsOptions, 'url'>) | PipelineLauncher;

/** {@link PipelinedOptions} with the Node transports and the backend of the workers. */
export interface NodePipelinedOptions extends Omit<PipelinedOptions, 'transport'> {
  /** Default `'in-process'`. */
  transport?: NodePipelineTransport;
  /** tfjs backend of the worker threads (`'threads'`). Default `'wasm'`. */
  backend?: 'wasm' | 'cpu';
}

/**
 * {@link trainPipelined} of the main entry, also taking `transport: 'threads'` ({@link threadPartitions}) and
 * `{redis: url, namespace?, localProcesses?}` ({@link redisPartitions}).
 *
 * @example
 * ```ts
 * const { model } = await trainPipelined(net, x, y, { partitions: 2, epochs: 10, batchSize: 64, transport: 'threads' });
 * ```
 */
export function trainPipelined(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: NodePipelinedOptions): Promise<PipelinedResult> {
  const { backend, transport, ...rest } = options ?? ({} as NodePipelinedOptions);
  let launcher: PipelineLauncher | 'in-process' | undefined;
  if (transport === 'threads') launcher = threadPartitions({ backend });
  else if (transport !== null && typeof transport === 'object' && 'redis' in transport) {
    if (typeof transport.redis !== 'string' || !/^rediss?:\/\//.test(transport.redis))
      throw new InvalidArgumentError('trainPipelined', 'options.transport.redis', 'must be a redis://host:port URL', transport.redis);
    const { redis, ...redisOptions } = transport;
    launcher = redisPartitions({ url: redis, ...redisOptions });
  } else launcher = transport as PipelineLauncher | 'in-process' | undefined;
  return trainPipelinedWith(model, x, y, { ...rest, transport: launcher });
}

/**
 * Joins the pipelined run hosted under `namespace` on `url` (by {@link trainPipelined} with `transport: {redis}`) and
 * serves the partition whose rank it claims until the run ends. Returns that rank.
 *
 * @example
 * ```ts
 * await servePipelinedPartition({ url: 'redis://10.0.0.5:6379', namespace: 'bbp-pipeline' });
 * ```
 */
export async function servePipelinedPartition(options: { url: string; namespace?: string; joinTimeoutMs?: number; backend?: 'wasm' | 'cpu' }): Promise<number> {
  await initBackend({ preference: options.backend ?? 'wasm', log: false });
  const joined = await joinRedisRun({ url: options.url, namespace: options.namespace ?? 'bbp-pipeline' }, { timeoutMs: options.joinTimeoutMs });
  try {
    await runPartition(joined.link);
  } finally {
    await joined.close();
  }
  return joined.rank;
}
