/**
 * Spawning `worker_threads` workers, each with its own tfjs instance, connected to the parent by a {@link PortLink}.
 * A worker that throws, exits or is terminated without closing its link fails that link with a
 * {@link WorkerFailedError} naming it, so a run waiting on it ends instead of hanging.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData, type ResourceLimits } from 'node:worker_threads';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { TransportClosedError, WorkerFailedError } from '../errors.js';
import { PortLink } from './port-link.js';

/** Options of {@link spawnWorker}. */
export interface SpawnWorkerOptions {
  /** The worker's name, used in every error about it (default `'worker'`). */
  name?: string;
  /** Structured-cloneable data the worker reads with {@link connectToParent}. */
  data?: unknown;
  /** Link capacity in both directions (default 4). */
  capacity?: number;
  resourceLimits?: ResourceLimits;
}

/** A running worker thread and the parent's end of its link. */
export interface SpawnedWorker {
  readonly name: string;
  readonly link: PortLink;
  readonly worker: Worker;
  /** Resolves with the exit code once the thread has exited. */
  readonly exited: Promise<number>;
  /** Closes the link and stops the thread (waits for its exit). Idempotent. */
  terminate(): Promise<void>;
}

interface ParentData {
  __bbpCluster: true;
  name: string;
  capacity: number;
  data: unknown;
}

/**
 * How a worker thread starts `entry`: built `.js` entries run as they are; TypeScript sources (`.ts`, as in tests and
 * `pnpm bbp`) start from a small bootstrap that registers tsx in the thread (Node 20 does not apply an `--import`
 * loader to a worker's own entry) and resolve workspace siblings from source.
 */
export function workerBootstrap(entry: URL): { code: string | URL; eval: boolean; execArgv: string[] } {
  if (!/\.[cm]?ts$/.test(entry.pathname)) return { code: entry, eval: false, execArgv: [] };
  let api: string;
  try {
    api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  } catch {
    throw new InvalidArgumentError(
      'spawnWorker',
      'entry',
      'is a TypeScript file, which needs the tsx package installed (or pass a built .js entry)',
      entry.href,
    );
  }
  // Errors are rethrown outside the promise so that they reach the Worker's 'error' event.
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); }).catch((e) => { setTimeout(() => { throw e; }); });`;
  return { code, eval: true, execArgv: ['--conditions=@beyond-backprop/source'] };
}

/**
 * Starts `entry` in a new thread and returns the parent's end of its link. The worker calls
 * {@link connectToParent} to get its end.
 *
 * @example
 * ```ts
 * const w = spawnWorker(new URL('./replica.js', import.meta.url), { name: 'replica-0', data: { rank: 0 } });
 * await w.link.send({ kind: 'start' });
 * const reply = await w.link.receive({ timeoutMs: 30_000 });
 * await w.terminate();
 * ```
 */
export function spawnWorker(entry: string | URL, options: SpawnWorkerOptions = {}): SpawnedWorker {
  const name = options.name ?? 'worker';
  const capacity = options.capacity ?? 4;
  const url = entry instanceof URL ? entry : entry.startsWith('file:') ? new URL(entry) : pathToFileURL(entry);
  const boot = workerBootstrap(url);
  const worker = new Worker(boot.eval ? boot.code : fileURLToPath(boot.code), {
    eval: boot.eval,
    workerData: { __bbpCluster: true, name, capacity, data: options.data } satisfies ParentData,
    execArgv: boot.execArgv,
    resourceLimits: options.resourceLimits,
    stdout: false,
    stderr: false,
  });
  const link = new PortLink(worker, { peer: name, capacity });
  let terminating = false;
  worker.on('error', (error: Error) => {
    link.fail(new WorkerFailedError(name, `threw ${error.name}: ${error.message}`, null, { cause: error }));
  });
  const exited = new Promise<number>((resolve) => {
    worker.once('exit', (code: number) => {
      if (terminating) link.fail(new TransportClosedError(name, 'worker terminated'));
      else if (!link.closedByPeer) link.fail(new WorkerFailedError(name, `exited with code ${code} while its link was open`, code));
      resolve(code);
    });
  });
  return {
    name,
    link,
    worker,
    exited,
    async terminate() {
      if (!terminating) {
        terminating = true;
        await link.close();
        await worker.terminate();
      }
      await exited;
    },
  };
}

/** The worker's side: its name, the data the parent passed, and its end of the link. */
export interface ParentConnection<T = unknown> {
  readonly name: string;
  readonly data: T;
  readonly link: PortLink;
}

/**
 * Connects a thread started by {@link spawnWorker} to its parent.
 *
 * @throws InvalidArgumentError when called on the main thread or in a thread not started by `spawnWorker`.
 */
export function connectToParent<T = unknown>(): ParentConnection<T> {
  const d = workerData as ParentData | undefined;
  if (isMainThread || !parentPort || !d || d.__bbpCluster !== true) {
    throw new InvalidArgumentError('connectToParent', 'thread', 'must be a worker started by spawnWorker', isMainThread ? 'the main thread' : 'another worker');
  }
  return { name: d.name, data: d.data as T, link: new PortLink(parentPort, { peer: 'parent', capacity: d.capacity }) };
}
