/**
 * Online data filtering of deep partition-wise learning (Øland, thesis §6.8.2 and §6.8.4): the input stream of a
 * partition is thinned while training runs, dropping the examples the partitions below already handle well.
 *
 * - **k-filter** (§6.8.2, with the redundancy criterion of §5.4, Def. 8): an example whose `k` nearest neighbours in
 *   the representation arriving from below all share its label is redundant and dropped; the thesis paused the filter
 *   for the first 30 epochs, used `k = 10`, large filtering batches (printed as 6148) and capped the filtering at 60 %.
 * - **loss filter** (§6.8.4): the loss of an example at the head of the partition below is a proxy for its
 *   redundancy; the lowest-loss fraction (25 % in the thesis, from epoch 31) is not forwarded.
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import { kFilter } from './probes/k-filter.js';

/** Online k-filtering of a partition's input stream (§6.8.2). */
export interface KnnDataFilter {
  kind: 'knn';
  /** Neighbours that must share the label. Default 10 (§6.8.2). */
  k?: number;
  /** Rows per filtering block (round robin; the pipeline filters each incoming minibatch). Default 6144. */
  batchSize?: number;
  /** First epoch (0-based) of the receiving partition at which filtering runs. Default 30 (§6.8.2). */
  startEpoch?: number;
  /** At most this fraction of each block is removed. Default 0.6 (§6.8.2). */
  maxRemoveFraction?: number;
  /** Partitions whose input is filtered. Default: every partition but the first. */
  partitions?: number[];
}

/** Online loss filtering (§6.8.4): the lowest-loss examples at the head below are not forwarded. */
export interface LossDataFilter {
  kind: 'loss';
  /** Fraction of each minibatch dropped: `⌊fraction·B⌋` lowest-loss rows. Default 0.25 (§6.8.4). */
  fraction?: number;
  /** First epoch (0-based) at which filtering runs. Default 30 (§6.8.4: "starting from epoch 31"). */
  startEpoch?: number;
  /** Partitions whose input is filtered. Default: every partition but the first. */
  partitions?: number[];
}

/** One of the two online filters. */
export type DataFilter = KnnDataFilter | LossDataFilter;

/** A filter with every default filled in. */
export type ResolvedDataFilter =
  | { kind: 'knn'; k: number; batchSize: number; startEpoch: number; maxRemoveFraction: number; partitions: number[] }
  | { kind: 'loss'; fraction: number; startEpoch: number; partitions: number[] };

/**
 * Validates `spec` (the option `option` of `fn`) for `numPartitions` partitions and fills in the defaults; `undefined`
 * stays `undefined` (filtering is off by default).
 */
export function resolveDataFilter(fn: string, option: string, spec: DataFilter | undefined, numPartitions: number): ResolvedDataFilter | undefined {
  if (spec === undefined) return undefined;
  if (spec === null || typeof spec !== 'object' || (spec.kind !== 'knn' && spec.kind !== 'loss'))
    throw new InvalidArgumentError(fn, option, "must be {kind: 'knn', …} or {kind: 'loss', …}", spec);
  const startEpoch = spec.startEpoch ?? 30;
  checkNumber(fn, `${option}.startEpoch`, startEpoch, { min: 0, integer: true });
  const partitions = spec.partitions ?? Array.from({ length: Math.max(0, numPartitions - 1) }, (_, i) => i + 1);
  if (!Array.isArray(partitions)) throw new InvalidArgumentError(fn, `${option}.partitions`, 'must be a list of partition indices', partitions);
  for (const [i, p] of partitions.entries()) {
    if (!Number.isInteger(p) || p < 1 || p >= numPartitions)
      throw new InvalidArgumentError(
        fn,
        `${option}.partitions[${i}]`,
        `must be a partition index in [1, ${numPartitions - 1}] (the first has no input stream to filter)`,
        p,
      );
  }
  if (spec.kind === 'knn') {
    const k = spec.k ?? 10;
    checkNumber(fn, `${option}.k`, k, { min: 1, integer: true });
    const batchSize = spec.batchSize ?? 6144;
    checkNumber(fn, `${option}.batchSize`, batchSize, { min: 1, integer: true });
    const maxRemoveFraction = spec.maxRemoveFraction ?? 0.6;
    checkNumber(fn, `${option}.maxRemoveFraction`, maxRemoveFraction, { min: 0, max: 1 });
    return { kind: 'knn', k, batchSize, startEpoch, maxRemoveFraction, partitions: [...partitions] };
  }
  const fraction = spec.fraction ?? 0.25;
  checkNumber(fn, `${option}.fraction`, fraction, { min: 0, max: 1, exclusiveMax: true });
  return { kind: 'loss', fraction, startEpoch, partitions: [...partitions] };
}

/** Whether `filter` thins the input of `partition` at its epoch `epoch`. */
export function filterActive(filter: ResolvedDataFilter | undefined, partition: number, epoch: number): filter is ResolvedDataFilter {
  return filter !== undefined && epoch >= filter.startEpoch && filter.partitions.includes(partition);
}

/**
 * The loss filter of one minibatch (§6.8.4): keeps every row except the `⌊fraction·B⌋` with the lowest loss (ties: the
 * lower index is dropped first).
 *
 * @example
 * ```ts
 * lossFilterKeep([0.5, 0.1, 0.9, 0.1], 0.5); // [true, false, true, false]
 * ```
 */
export function lossFilterKeep(losses: ArrayLike<number>, fraction: number): boolean[] {
  checkNumber('lossFilterKeep', 'fraction', fraction, { min: 0, max: 1, exclusiveMax: true });
  const m = losses.length;
  const keep = new Array<boolean>(m).fill(true);
  const drop = Math.floor(fraction * m);
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => losses[a] - losses[b] || a - b);
  for (let i = 0; i < drop; i++) keep[order[i]] = false;
  return keep;
}

/**
 * The rows of one block that `filter` keeps: `features` holds `m` rows of `d` values (the representation arriving
 * at the filtered partition), `losses` the per-example loss at the head below (needed by the loss filter only).
 */
export function filterRows(
  filter: ResolvedDataFilter,
  features: ArrayLike<number>,
  d: number,
  labels: ArrayLike<number>,
  losses?: ArrayLike<number>,
): boolean[] {
  if (filter.kind === 'loss') {
    if (!losses) throw new InvalidArgumentError('filterRows', 'losses', 'are required by the loss filter', losses);
    return lossFilterKeep(losses, filter.fraction);
  }
  return kFilter(features, d, labels, filter.k, { batchSize: filter.batchSize, maxRemoveFraction: filter.maxRemoveFraction }).keep;
}
