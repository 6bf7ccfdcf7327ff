/**
 * `data-parallel`, browser-safe core: the experiment's dense or conv network trained by K replicas on K shards of the
 * training set, synchronised by periodic model averaging of codec-encoded weights (Øland's thesis §3.1: workers
 * exchange their parameters as compressed packages; `--codec huffman` is Alg. 1/2). Where the replicas run is the
 * caller's launcher: worker threads or Redis in Node (`@beyond-backprop/experiments/node`), Web Workers in browsers.
 * The trainer itself (`data-parallel-run.ts`: the cluster coordinator, the codec) loads when a run starts, so a bundle
 * that only lists the method does not carry it.
 */
import type { ReplicaLauncher } from '@beyond-backprop/cluster';
import type { Method, MethodOption, OptionValues } from '../registry.js';

/** The weight codecs of `--codec` (from `@beyond-backprop/compression`). */
export const DATA_PARALLEL_CODECS = ['none', 'fixed8', 'huffman'] as const;

/** Where a data-parallel run's replicas run, and how they get the codec. */
export interface DataParallelSettings {
  /**
   * The launcher of a run with these method options and `workers` replicas (it validates its own options, e.g.
   * `--transport`, and throws `InvalidArgumentError` for bad ones).
   */
  launcher: (options: OptionValues, workers: number) => ReplicaLauncher;
  /**
   * The URL every replica imports the codec module from (Node: `import.meta.resolve('@beyond-backprop/compression')`).
   * Without it the codec travels by name only and every participant links `@beyond-backprop/compression` statically:
   * the coordinator here, browser replicas through `serveReplica(self, { codecModule })`.
   */
  codecModuleUrl?: () => string;
}

/** The options every data-parallel variant takes, in `bbp run --help` order (launchers add their own). */
export const dataParallelOptions: Readonly<Record<'workers' | 'lrScaling' | 'codec' | 'syncEvery' | 'syncMode', MethodOption>> = {
  workers: { flag: '--workers <k>', description: 'data-parallel: number of replicas K (default 2); each trains on batch-size examples per step (as DDP)' },
  lrScaling: {
    flag: '--lr-scaling <rule>',
    description: "data-parallel: 'linear' (default: the learning rate times K, for the K-fold global batch) or 'none'",
  },
  codec: { flag: '--codec <name>', description: 'data-parallel: weight codec none | fixed8 | huffman (default none)' },
  syncEvery: { flag: '--sync-every <n>', description: 'data-parallel: minibatches between synchronisations (default 10; every epoch also ends with one)' },
  syncMode: { flag: '--sync-mode <mode>', description: "data-parallel: 'weights' (the thesis) or 'delta' (change since the last sync, error feedback)" },
};

/** What a data-parallel method variant shows and where its replicas run. */
export interface DataParallelMethodSpec extends DataParallelSettings {
  description: string;
  /** Its options (default: {@link dataParallelOptions}). */
  options?: MethodOption[];
}

/**
 * A `data-parallel` method whose replicas run where `spec.launcher` puts them — how `@beyond-backprop/experiments/node`
 * builds its threads/Redis method and the browser demo its Web Worker one.
 *
 * @example
 * ```ts
 * const method = createDataParallelMethod({
 *   description: 'data-parallel over Web Workers',
 *   launcher: () => webWorkerReplicas((rank) => new Worker(new URL('./replica-worker.ts', import.meta.url), { type: 'module' })),
 * });
 * registerMethod(method);
 * ```
 */
export function createDataParallelMethod(spec: DataParallelMethodSpec): Method {
  return {
    name: 'data-parallel',
    description: spec.description,
    source: 'Øland, Efficient Deep Learning (2024), §3.1 and §3.6 (weights exchanged as compressed packages); model averaging',
    options: spec.options ?? Object.values(dataParallelOptions),
    supports: (experiment) => experiment.architecture.kind === 'dense' || experiment.architecture.kind === 'conv',
    create: async (ctx) => (await import('./data-parallel-run.js')).createDataParallelRun(ctx, spec),
  };
}
