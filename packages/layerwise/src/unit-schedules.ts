/**
 * Across-unit and within-unit schedules of deep layer-wise learning (Øland, thesis §6.4, §6.7 Table 6.3, §6.7.1
 * Table 6.5, §6.6.3). Units are counted from 0 (`u`), epochs within a unit from 0 (`e`).
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/**
 * Epochs per unit: a constant, or `E_u = max(1, round(E_0·g^u))` (Table 6.5's transfer schedule; `growth` g).
 * An array gives the epochs of each unit explicitly (§6.4: 30, 40, 50, then 60).
 */
export type EpochSchedule = number | { base: number; growth: number } | number[];

/** A rate that decays or grows geometrically with the unit index: `base · unitFactor^u`. */
export interface UnitRate {
  base: number;
  /** Default 1 (constant across units). §6.7: 0.8 for the learning rate, 1.15 for weight decay. */
  unitFactor?: number;
}

/** Learning-rate schedule: across units (`base·unitFactor^u`) and, within a unit, a multistep decay. */
export interface LearningRateSchedule extends UnitRate {
  /** Fractions of the unit's epochs after which the rate is multiplied by `gamma` (e.g. `[0.5, 0.75]`). */
  milestones?: number[];
  /** Default 0.1. */
  gamma?: number;
}

/**
 * Epochs of unit `u`.
 *
 * @example
 * ```ts
 * unitEpochs({ base: 15, growth: 1.2 }, 9); // 77
 * ```
 */
export function unitEpochs(schedule: EpochSchedule, u: number, option = 'epochs'): number {
  if (typeof schedule === 'number') {
    checkNumber('unitEpochs', option, schedule, { min: 1, integer: true });
    return schedule;
  }
  if (Array.isArray(schedule)) {
    if (schedule.length === 0) throw new InvalidArgumentError('unitEpochs', option, 'must list at least one epoch count', schedule);
    const e = schedule[Math.min(u, schedule.length - 1)];
    checkNumber('unitEpochs', `${option}[${Math.min(u, schedule.length - 1)}]`, e, { min: 1, integer: true });
    return e;
  }
  checkNumber('unitEpochs', `${option}.base`, schedule.base, { min: 0, exclusiveMin: true });
  checkNumber('unitEpochs', `${option}.growth`, schedule.growth, { min: 0, exclusiveMin: true });
  return Math.max(1, Math.round(schedule.base * schedule.growth ** u));
}

/**
 * `base · unitFactor^u`.
 *
 * @example
 * ```ts
 * unitRate({ base: 3e-3, unitFactor: 0.8 }, 4);   // 1.2288e-3
 * unitRate({ base: 1e-6, unitFactor: 1.15 }, 4);  // 1.74900625e-6
 * ```
 */
export function unitRate(rate: number | UnitRate, u: number, option = 'rate'): number {
  if (typeof rate === 'number') {
    checkNumber('unitRate', option, rate, { min: 0 });
    return rate;
  }
  checkNumber('unitRate', `${option}.base`, rate.base, { min: 0 });
  checkNumber('unitRate', `${option}.unitFactor`, rate.unitFactor ?? 1, { min: 0, exclusiveMin: true });
  return rate.base * (rate.unitFactor ?? 1) ** u;
}

/**
 * Learning rate at epoch `e` of a unit that trains `epochs` epochs: `unitRate(u) · gamma^(milestones passed)`, where
 * milestone `f` is passed once `e ≥ round(f·epochs)` (with `[0.5, 0.75]` and 300 epochs the rate drops at 150 and 225).
 *
 * @example
 * ```ts
 * learningRateAt({ base: 1e-3, milestones: [0.5, 0.75] }, 0, 150, 300); // 1e-4
 * ```
 */
export function learningRateAt(schedule: number | LearningRateSchedule, u: number, e: number, epochs: number, option = 'learningRate'): number {
  const lr = unitRate(schedule, u, option);
  if (typeof schedule === 'number' || !schedule.milestones) return lr;
  const gamma = schedule.gamma ?? 0.1;
  checkNumber('learningRateAt', `${option}.gamma`, gamma, { min: 0 });
  let factor = 1;
  for (const [i, f] of schedule.milestones.entries()) {
    checkNumber('learningRateAt', `${option}.milestones[${i}]`, f, { min: 0, max: 1 });
    if (e >= Math.round(f * epochs)) factor *= gamma;
  }
  return lr * factor;
}

/** Forward (input) dropout with a decaying rate (§6.6.3): `p(e) = p0 · decay^e`; Table 6.3 uses p0 = 0.8, decay 0.95. */
export interface InputDropoutSchedule {
  p0: number;
  /** Default 0.95. */
  decay?: number;
}

/**
 * Input-dropout rate at the unit's epoch `e` (cumulative under robin schedules).
 *
 * @example
 * ```ts
 * inputDropoutRate({ p0: 0.8 }, 10); // 0.478990…
 * ```
 */
export function inputDropoutRate(schedule: InputDropoutSchedule, e: number): number {
  checkNumber('inputDropoutRate', 'inputDropout.p0', schedule.p0, { min: 0, max: 1, exclusiveMax: true });
  const decay = schedule.decay ?? 0.95;
  checkNumber('inputDropoutRate', 'inputDropout.decay', decay, { min: 0, max: 1 });
  return schedule.p0 * decay ** e;
}
