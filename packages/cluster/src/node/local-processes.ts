/**
 * Supervision of the local worker processes a launcher starts (data-parallel replicas, layer-wise pipeline
 * partitions over Redis): an unexpected exit becomes a {@link WorkerFailedError} naming the process, and stopping
 * ends them all, with SIGKILL for any that outlive a grace period.
 */
import type { ChildProcess } from 'node:child_process';
import { WorkerFailedError } from '../errors.js';

/** Options of {@link LocalProcesses.stop}. */
export interface StopLocalProcessesOptions {
  /** Send SIGTERM at once (default `true`); `false` waits for the processes to end on their own. */
  terminate?: boolean;
  /** Milliseconds before a process still running gets SIGKILL (default 5000). */
  graceMs?: number;
  /** Runs after the processes are marked as stopping (their exits no longer count as failures), before the wait. */
  whileStopping?: () => Promise<void>;
}

/** The local processes of one run; see {@link localProcesses}. */
export interface LocalProcesses {
  /** The processes watched so far, in the order they were started. */
  readonly children: readonly ChildProcess[];
  /** Watches `child`: an exit with a non-zero code or a signal, before {@link stop}, calls `onFailure` with a `WorkerFailedError` naming it. */
  watch(child: ChildProcess, name: string, onFailure: (error: WorkerFailedError) => void): void;
  /** Marks the processes as stopping, runs `whileStopping`, then ends them; resolves once every one has exited. */
  stop(options?: StopLocalProcessesOptions): Promise<void>;
}

/**
 * A fresh supervisor for the local processes of one run.
 *
 * @example
 * ```ts
 * const procs = localProcesses();
 * procs.watch(spawnReplicaProcess(url), 'replica process 0', (error) => link.fail(error));
 * await procs.stop({ whileStopping: () => run.close() });
 * ```
 */
export function localProcesses(): LocalProcesses {
  const children: ChildProcess[] = [];
  let stopping = false;
  return {
    children,
    watch(child, name, onFailure) {
      child.once('exit', (code, signal) => {
        if (stopping || code === 0) return;
        onFailure(new WorkerFailedError(name, `exited with ${signal ? `signal ${signal}` : `code ${code}`}`, code));
      });
      children.push(child);
    },
    async stop(options = {}) {
      stopping = true;
      await options.whileStopping?.();
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 5000);
              child.once('exit', () => (clearTimeout(timer), resolve()));
              if (options.terminate ?? true) child.kill('SIGTERM');
            }),
        ),
      );
      children.length = 0;
    },
  };
}
