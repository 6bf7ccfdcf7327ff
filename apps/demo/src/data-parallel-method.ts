/**
 * The demo's `data-parallel` method: the browser-safe core of `@beyond-backprop/experiments` with its K replicas in
 * K dedicated Web Workers started by the training worker (nested workers; Vite bundles `replica-worker.ts`). The
 * `workers` and `codec` link settings and the panel's resolved backend (`replicaBackend`) reach it as method options.
 */
import { webWorkerReplicas, type ReplicaLauncher } from '@beyond-backprop/cluster';
import {
  builtinMethods,
  createDataParallelMethod,
  dataParallelOptions,
  listMethods,
  registerBuiltins,
  registerMethod,
  type Method,
  type MethodOption,
  type OptionValues,
} from '@beyond-backprop/experiments';
import { isReplicaBackendMessage, replicaBackendOrder, replicaWorkerName, summariseReplicaBackends } from './replica-backend.js';

/** The backend each replica of the current run reported, by rank (a training worker runs one run at a time). */
let replicaBackends: Array<string | undefined> = [];

/** The demo's own option: the backend the panel's training worker resolved, which its replicas load first. */
const replicaBackendOption: MethodOption = {
  flag: '--replica-backend <name>',
  description: "data-parallel (playground): the replicas' first backend, falling back along webgpu, webgl, wasm, cpu (default wasm)",
};

/** Replicas in Web Workers named `replica-<rank> [<backends>]`, each reporting the backend it loaded. */
function webReplicaLauncher(options: OptionValues): ReplicaLauncher {
  const order = replicaBackendOrder(String(options.replicaBackend ?? 'wasm'));
  const used: Array<string | undefined> = [];
  replicaBackends = used;
  return webWorkerReplicas((rank) => {
    const worker = new Worker(new URL('./replica-worker.ts', import.meta.url), { type: 'module', name: replicaWorkerName(rank, order) });
    worker.addEventListener('message', (event) => {
      if (isReplicaBackendMessage(event.data)) used[rank] = event.data.backend;
    });
    return worker;
  });
}

/** The backends the current run's replicas loaded so far (`cpu`; `webgl,wasm` when some fell back; `''` before any). */
export function replicaBackendsInUse(): string {
  return summariseReplicaBackends(replicaBackends);
}

/** Replicas in Web Workers (their names, shown in the browser's developer tools, carry their backend order). */
export const webDataParallelMethod: Method = createDataParallelMethod({
  description: 'K replicas on K data shards, each in its own Web Worker, periodic averaging of codec-encoded weights (bytes on the wire metered)',
  launcher: webReplicaLauncher,
  options: [dataParallelOptions.workers, dataParallelOptions.codec, dataParallelOptions.syncEvery, dataParallelOptions.lrScaling, replicaBackendOption],
});

/** Every method the demo offers: the browser-safe built-ins plus data-parallel over Web Workers. */
export const demoMethods: readonly Method[] = [...builtinMethods, webDataParallelMethod];

/** Registers the built-ins and the demo's own methods (idempotent). */
export function registerDemoMethods(): void {
  registerBuiltins();
  if (!listMethods().some((m) => m.name === webDataParallelMethod.name)) registerMethod(webDataParallelMethod);
}

/**
 * The method options of the demo's link settings for `method` (`workers`, `codec` for data-parallel), plus the
 * backend the training worker resolved (`replicaBackend`), which the replicas load first.
 */
export function dataParallelMethodOptions(
  method: string,
  config: { workers?: number; codec?: string },
  resolvedBackend?: string,
): Record<string, number | string> {
  if (method !== webDataParallelMethod.name) return {};
  return { workers: config.workers ?? 2, codec: config.codec ?? 'huffman', ...(resolvedBackend === undefined ? {} : { replicaBackend: resolvedBackend }) };
}
