/**
 * `bbp sweep`: one experiment option over a list of values, a few seeds each, stopping every run at the target
 * accuracy — how the target-space paper's Figs. 6–7 measure "longest delay solved" and "iterations to solve".
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import { getExperiment, getMethod, optionKey, type RunOptions, type RunResult } from '@beyond-backprop/experiments';
import { registerBuiltins, runExperiment } from './builtins.js';

/** What to sweep. The run options apply to every run; `param` is set to each value in turn. */
export interface SweepOptions extends Omit<RunOptions, 'experiment' | 'seed' | 'targetAccuracy'> {
  /** A registered experiment's name. */
  experiment: string;
  /** Camel-cased option key, e.g. `delay`. */
  param: string;
  values: Array<string | number>;
  seeds: number[];
  /** Success threshold on test accuracy. Default: the experiment's target (required if it has none). */
  targetAccuracy?: number;
  /** Keep sweeping after a value no seed solves. Default `false`: harder values (longer delays) are skipped. */
  keepGoing?: boolean;
  /** Called after every run. */
  onRun?: (value: string | number, seed: number, result: RunResult) => void;
}

/** Training options that can be swept besides the experiment's and method's own: `--param lr` etc. */
const TRAINING_PARAMS: Readonly<Record<string, 'learningRate' | 'epochs' | 'batchSize' | 'optimizer' | 'evalEvery'>> = {
  lr: 'learningRate',
  learningRate: 'learningRate',
  epochs: 'epochs',
  batchSize: 'batchSize',
  optimizer: 'optimizer',
  evalEvery: 'evalEvery',
};

/** One value of the swept option. */
export interface SweepPoint {
  value: string | number;
  trials: number;
  successes: number;
  /** Mean updates to the target over the successful trials (`null` if none): the paper's y-axis. */
  meanIterationsToTarget: number | null;
  /** Mean wall time of one update over the trials, in milliseconds. */
  msPerIteration: number;
  results: RunResult[];
}

/** The measured outcome of a sweep: what `bbp sweep --json` writes. */
export interface SweepResult {
  experiment: string;
  method: string;
  param: string;
  targetAccuracy: number;
  seeds: number[];
  points: SweepPoint[];
  /** The last value (in sweep order) at which every trial reached the target; `null` if none did. */
  largestAllSolved: string | number | null;
  /** The last value at which at least one trial reached the target. */
  largestAnySolved: string | number | null;
  /** Whether the sweep was interrupted (Ctrl-C / the signal): the values after the last point were not tried. */
  aborted: boolean;
}

/**
 * Runs `experiment` with `method` for each value of `param` and each seed, every run stopping at the target accuracy.
 *
 * @example
 * ```ts
 * const sweep = await runSweep({ experiment: 'bit-memory', method: 'target-space', param: 'delay', values: [2, 4, 8], seeds: [0, 1] });
 * sweep.largestAllSolved;   // e.g. 8
 * ```
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const fn = 'bbp sweep';
  if (options.values.length === 0) throw new InvalidArgumentError(fn, '--values', 'must list at least one value', options.values);
  if (options.seeds.length === 0) throw new InvalidArgumentError(fn, '--seeds', 'must list at least one seed', options.seeds);
  options.seeds.forEach((s) => checkNumber(fn, '--seeds', s, { integer: true }));
  registerBuiltins();
  const spec = getExperiment(options.experiment);
  const target = options.targetAccuracy ?? spec.defaults.targetAccuracy;
  if (target === undefined) throw new InvalidArgumentError(fn, '--target-accuracy', `is needed: '${spec.name}' has no default target`, undefined);
  const methodSpec = getMethod(options.method ?? spec.defaults.method, spec);
  const declared = [...(spec.options ?? []), ...(methodSpec.options ?? [])].map((o) => optionKey(o.flag));
  const training = TRAINING_PARAMS[options.param];
  if (!declared.includes(options.param) && !training) {
    throw new InvalidArgumentError(
      fn,
      '--param',
      `must be an option of '${spec.name}' or '${methodSpec.name}' (${declared.join(', ')}) or a training option (lr, epochs, batch-size, optimizer, eval-every)`,
      options.param,
    );
  }
  const points: SweepPoint[] = [];
  let method = methodSpec.name;
  for (const value of options.values) {
    const results: RunResult[] = [];
    for (const seed of options.seeds) {
      if (options.signal?.aborted) break;
      const { result, run } = await runExperiment({
        ...options,
        seed,
        ...(training ? { [training]: value } : {}),
        methodOptions: training ? options.methodOptions : { ...options.methodOptions, [options.param]: value },
        targetAccuracy: target,
      });
      run.dispose();
      method = result.method;
      results.push(result);
      options.onRun?.(value, seed, result);
    }
    if (results.length === 0) break;
    const solved = results.filter((r) => r.firstIterationAtTarget !== null);
    points.push({
      value,
      trials: results.length,
      successes: solved.length,
      meanIterationsToTarget: solved.length === 0 ? null : solved.reduce((s, r) => s + r.firstIterationAtTarget!, 0) / solved.length,
      msPerIteration: results.reduce((s, r) => s + r.msPerIteration, 0) / results.length,
      results,
    });
    if (solved.length === 0 && !options.keepGoing) break;
  }
  const all = points.filter((p) => p.successes === p.trials);
  const any = points.filter((p) => p.successes > 0);
  return {
    experiment: spec.name,
    method,
    param: options.param,
    targetAccuracy: target,
    seeds: options.seeds,
    points,
    largestAllSolved: all.at(-1)?.value ?? null,
    largestAnySolved: any.at(-1)?.value ?? null,
    aborted: options.signal?.aborted === true || points.some((p) => p.results.some((r) => r.stopReason === 'aborted')),
  };
}

/** The sweep as a text table: value, successes, mean iterations to target, ms per iteration. */
export function sweepTable(sweep: SweepResult): string {
  const header = [sweep.param, 'solved', 'iterations to target', 'ms / iteration'];
  const rows = sweep.points.map((p) => [
    String(p.value),
    `${p.successes}/${p.trials}`,
    p.meanIterationsToTarget === null ? '–' : p.meanIterationsToTarget.toFixed(0),
    p.msPerIteration.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [
    `${sweep.experiment} · ${sweep.method} · target accuracy ${sweep.targetAccuracy}`,
    line(header),
    ...rows.map(line),
    `largest ${sweep.param} solved by every seed: ${sweep.largestAllSolved ?? 'none'}; by at least one: ${sweep.largestAnySolved ?? 'none'}`,
    ...(sweep.aborted ? ['aborted: interrupted before every value and seed was run'] : []),
  ].join('\n');
}
