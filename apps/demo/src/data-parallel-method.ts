/**
 * The demo's `data-parallel` method: the browser-safe core of `@beyond-backprop/experiments` with its K replicas in
 * K dedicated Web Workers started by the training worker (nested workers; Vite bundles `replica-worker.ts`). The
 * `workers` and `codec` link settings reach it as method options.
 */
import { webWorkerReplicas } from '@beyond-backprop/cluster';
import {
  builtinMethods,
  createDataParallelMethod,
  dataParallelOptions,
  listMethods,
  registerBuiltins,
  registerMethod,
  type Method,
} from '@beyond-backprop/experiments';

/** Replicas in Web Workers named `replica-<rank>` (the name shows in the browser's developer tools). */
export const webDataParallelMethod: Method = createDataParallelMethod({
  description: 'K replicas on K data shards, each in its own Web Worker, periodic averaging of codec-encoded weights (bytes on the wire metered)',
  launcher: () => webWorkerReplicas((rank) => new Worker(new URL('./replica-worker.ts', import.meta.url), { type: 'module', name: `replica-${rank}` })),
  options: [dataParallelOptions.workers, dataParallelOptions.codec, dataParallelOptions.syncEvery, dataParallelOptions.lrScaling],
});

/** Every method the demo offers: the browser-safe built-ins plus data-parallel over Web Workers. */
export const demoMethods: readonly Method[] = [...builtinMethods, webDataParallelMethod];

/** Registers the built-ins and the demo's own methods (idempotent). */
export function registerDemoMethods(): void {
  registerBuiltins();
  if (!listMethods().some((m) => m.name === webDataParallelMethod.name)) registerMethod(webDataParallelMethod);
}

/** The method options of the demo's link settings for `method` (`workers`, `codec` for data-parallel). */
export function dataParallelMethodOptions(method: string, config: { workers?: number; codec?: string }): Record<string, number | string> {
  if (method !== webDataParallelMethod.name) return {};
  return { workers: config.workers ?? 2, codec: config.codec ?? 'huffman' };
}
