/**
 * Node-only entry of `@beyond-backprop/layerwise`: serving a partition of pipelined DPL (thesis §6.8.3–6.8.4) from a
 * process on another machine, joined through Redis.
 *
 * @packageDocumentation
 */
import { initBackend } from '@beyond-backprop/core-linalg';
import { joinRedisRun } from '@beyond-backprop/cluster/node';
import { runPartition } from './pipelined-dpl.js';

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
