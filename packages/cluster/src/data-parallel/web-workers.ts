/**
 * Data-parallel replicas in browser Web Workers: {@link webWorkerReplicas} on the coordinator's side (a page or a
 * worker that starts dedicated workers), {@link serveReplica} inside each worker. Links are {@link PortLink}s over the
 * workers' ports (transferred buffers, credit-based back-pressure), exactly as `threadReplicas` in Node.
 */
import { WorkerFailedError } from '../errors.js';
import type { Link } from '../link.js';
import { PortLink, type DomStylePort } from '../port-link.js';
import { reportFailure } from '../remote-failure.js';
import { runReplica, type RunReplicaOptions } from './replica.js';
import type { ReplicaLauncher } from './trainer.js';

/** The part of a Web `Worker` {@link webWorkerReplicas} uses (typed structurally: no DOM library needed). */
export interface WebWorkerLike extends DomStylePort {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message: string; preventDefault(): void }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  terminate(): void;
}

/** Options of {@link webWorkerReplicas}. */
export interface WebWorkerReplicasOptions {
  /** Unacknowledged messages in flight per direction before a send waits (default 2, as `threadReplicas`). */
  capacity?: number;
}

/**
 * K replicas in K dedicated Web Workers, each with its own tfjs instance; `createWorker(rank)` starts the worker
 * script, which calls {@link serveReplica}. A worker whose script throws or fails to load ends the run with a
 * {@link WorkerFailedError} naming it (`replica-<rank>`). The transport is reported as `'web-workers'`.
 *
 * @example
 * ```ts
 * // coordinator (a page or a worker: Vite bundles the replica script from the URL)
 * const launcher = webWorkerReplicas(
 *   (rank) => new Worker(new URL('./replica-worker.ts', import.meta.url), { type: 'module', name: `replica-${rank}` }),
 * );
 * const trainer = new DataParallelTrainer(model, { workers: 2, launcher });
 * ```
 */
export function webWorkerReplicas(
  createWorker: (rank: number) => WebWorkerLike,
  options: WebWorkerReplicasOptions = {},
): ReplicaLauncher & { readonly workers: readonly WebWorkerLike[] } {
  let started: Array<{ worker: WebWorkerLike; link: PortLink }> = [];
  return {
    transport: 'web-workers',
    get workers() {
      return started.map((s) => s.worker);
    },
    async start(count): Promise<Link[]> {
      started = Array.from({ length: count }, (_, rank) => {
        const name = `replica-${rank}`;
        const worker = createWorker(rank);
        const link = new PortLink(worker, { peer: name, capacity: options.capacity ?? 2 });
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          link.fail(new WorkerFailedError(name, `threw: ${event.message || 'an error (or its script did not load)'}`));
        });
        return { worker, link };
      });
      return started.map((s) => s.link);
    },
    async stop() {
      const stopping = started;
      started = [];
      for (const { worker, link } of stopping) {
        await link.close();
        worker.terminate();
      }
    },
  };
}

/** Options of {@link serveReplica}. */
export interface ServeReplicaOptions extends RunReplicaOptions {
  /** Unacknowledged messages in flight before a send waits (default 2). */
  capacity?: number;
  /**
   * Runs once the link listens and before the replica starts, e.g. loading a tfjs backend. (Messages a worker's scope
   * gets while nothing listens are lost, so a script must not await before calling `serveReplica`.)
   */
  prepare?: () => Promise<unknown>;
}

/**
 * The worker side of {@link webWorkerReplicas}: serves one replica over the worker's own scope (`self`) until the
 * coordinator ends the run. Load a tfjs backend first; pass the codec module (a bundle cannot import the run's
 * `codec.module` specifier at run time). Errors are reported to the coordinator and rethrown.
 *
 * @example
 * ```ts
 * // replica-worker.ts
 * import * as compression from '@beyond-backprop/compression';
 * import { serveReplica } from '@beyond-backprop/cluster';
 * import { initBackend } from '@beyond-backprop/core-linalg';
 * await serveReplica(self, { codecModule: compression, prepare: () => initBackend({ preference: ['wasm', 'cpu'], log: false }) });
 * ```
 */
export async function serveReplica(scope: DomStylePort, options: ServeReplicaOptions = {}): Promise<void> {
  const link = new PortLink(scope, { peer: 'coordinator', capacity: options.capacity ?? 2 });
  try {
    await options.prepare?.();
  } catch (error) {
    await reportFailure(link, error);
    throw error;
  }
  await runReplica(link, options);
}
