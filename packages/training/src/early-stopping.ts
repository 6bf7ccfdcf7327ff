/**
 * Early stopping as tfjs/Keras users know it: stop when a monitored metric has not improved for `patience` epochs,
 * optionally putting back the weights of the best epoch.
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import type { EpochLogs, FitCallbacks, FitControl } from './fit-loop.js';

/** Options of {@link earlyStopping} (tfjs `EarlyStoppingCallbackArgs` plus Keras's `restoreBestWeights`). */
export interface EarlyStoppingOptions {
  /** Metric to watch: `'valLoss'` (default), `'loss'`, `'accuracy'`, `'valAccuracy'`; tfjs spellings `'val_loss'`, `'val_acc'`, `'acc'` work too. */
  monitor?: string;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0 (stop at the first epoch that does not improve). */
  patience?: number;
  /** `'min'` for losses, `'max'` for accuracies; `'auto'` (default) picks `'max'` when the name contains `acc`. */
  mode?: 'auto' | 'min' | 'max';
  /** Stop unless the metric beats this value (first epoch included). */
  baseline?: number;
  /** At the end of training, put back the weights of the best epoch (needs a trainer that can snapshot). Default false. */
  restoreBestWeights?: boolean;
}

const ALIASES: Record<string, string> = { val_loss: 'valLoss', val_acc: 'valAccuracy', val_accuracy: 'valAccuracy', acc: 'accuracy' };

/**
 * A callback that stops `fit` when `monitor` stops improving (the fit loop then reports `stopReason: 'stopped'`).
 * A monitored metric missing from the epoch logs is an error (for `valLoss`: pass `validationData`), never ignored.
 *
 * @example
 * ```ts
 * await net.fit(x, y, { epochs: 200, validationData: [xv, yv], callbacks: earlyStopping({ monitor: 'valLoss', patience: 5, restoreBestWeights: true }) });
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): FitCallbacks {
  const fn = 'earlyStopping';
  const monitor = ALIASES[options.monitor ?? 'valLoss'] ?? options.monitor ?? 'valLoss';
  if (typeof monitor !== 'string' || monitor === '') throw new InvalidArgumentError(fn, 'options.monitor', 'must be a metric name', options.monitor);
  const minDelta = Math.abs(options.minDelta ?? 0);
  checkNumber(fn, 'options.minDelta', minDelta, { min: 0 });
  const patience = options.patience ?? 0;
  checkNumber(fn, 'options.patience', patience, { min: 0, integer: true });
  const mode = options.mode ?? 'auto';
  if (!['auto', 'min', 'max'].includes(mode)) throw new InvalidArgumentError(fn, 'options.mode', "must be 'auto', 'min' or 'max'", mode);
  if (options.baseline !== undefined) checkNumber(fn, 'options.baseline', options.baseline);
  const sign = (mode === 'auto' ? (monitor.toLowerCase().includes('acc') ? 'max' : 'min') : mode) === 'max' ? 1 : -1;
  let control: FitControl | null = null;
  let best = -Infinity;
  let wait = 0;
  let bestWeights: unknown = null;
  let lastWasBest = true;
  return {
    setControl(c) {
      control = c;
      if (options.restoreBestWeights && !c.canSnapshot)
        throw new InvalidArgumentError(fn, 'options.restoreBestWeights', 'needs a trainer that can snapshot its weights', true);
    },
    onTrainBegin() {
      best = options.baseline === undefined ? -Infinity : sign * options.baseline;
      wait = 0;
      if (bestWeights !== null) control?.releaseWeights(bestWeights);
      bestWeights = null;
      lastWasBest = true;
    },
    onEpochEnd(_epoch: number, logs: EpochLogs) {
      const value = logs[monitor];
      if (typeof value !== 'number') {
        throw new InvalidArgumentError(fn, 'options.monitor', `must name a metric in the epoch logs (${Object.keys(logs).join(', ')})`, monitor);
      }
      // Improvement means beating the best by more than minDelta in the monitored direction.
      if (sign * value - minDelta > best) {
        best = sign * value;
        wait = 0;
        lastWasBest = true;
        if (options.restoreBestWeights) {
          if (bestWeights !== null) control!.releaseWeights(bestWeights);
          bestWeights = control!.snapshotWeights();
        }
        return;
      }
      lastWasBest = false;
      wait++;
      if (wait >= patience) control!.stopTraining();
    },
    onTrainEnd() {
      if (options.restoreBestWeights && bestWeights !== null && !lastWasBest) control!.restoreWeights(bestWeights);
      if (bestWeights !== null) control!.releaseWeights(bestWeights);
      bestWeights = null;
    },
  };
}
