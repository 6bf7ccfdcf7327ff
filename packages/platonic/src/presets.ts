/**
 * Ready-made configurations for the variants the thesis compares, so a caller only chooses widths and scales.
 */
import type { PlatonicActivation } from './activation.js';
import type { PlatonicConfig } from './fit-platonic.js';
import type { SolverSpec } from './least-squares-solver.js';

/** Options of {@link fullyDeterministicConfig}. */
export interface FullyDeterministicOptions {
  /** Hidden activation. Default `'relu'` (§7.9.3). */
  activation?: PlatonicActivation;
  /**
   * Ridge λ of every solve (absolute, so its strength depends on the data scale). Default 0.5 (Table 7.3's
   * smallest nets; 0.01–0.5 across the table); small problems need far less (two spirals: 1e-8).
   */
  lambda?: number;
  /** Solver instead of ridge (e.g. `{ kind: 'pinv' }` for small problems); overrides `lambda`. */
  solver?: SolverSpec;
  /** β of Platonic PCA. Default 1e6 (the low end of §7.9.3's 1e6 … 8e7). */
  beta?: number;
  /** λ_EMA of the per-example re-weighting, or `null` for none. Default 0.2 (the text; the caption says 0.02). */
  lambdaEma?: number | null;
  /** Sorted-PCA source. Default `'X'` (the listing). */
  sortedSource?: 'X' | 'XY';
  /** Input standardisation folded into `W₁` (Sorted PCA needs centred inputs). Default `'per-feature'`. */
  standardize?: 'none' | 'per-feature' | 'global';
}

/**
 * The fully deterministic pipeline of §7.8.3 / §7.9.3: Sorted PCA for layer 1, re-weighted Platonic PCA for the
 * later hidden layers, ridge everywhere. The same data always gives bit-identical weights, whatever the seed.
 *
 * @example
 * ```ts
 * const model = await fitPlatonic(x, labels, fullyDeterministicConfig([392, 50], { lambda: 0.5, beta: 1e6 }));
 * ```
 */
export function fullyDeterministicConfig(hiddenWidths: number[], options: FullyDeterministicOptions = {}): PlatonicConfig {
  const lambda = options.lambda ?? 0.5;
  const lambdaEma = options.lambdaEma === undefined ? 0.2 : options.lambdaEma;
  return {
    hiddenWidths,
    activation: options.activation ?? 'relu',
    alpha: 1,
    beta: options.beta ?? 1e6,
    firstLayer: { kind: 'sortedPCA', source: options.sortedSource ?? 'X' },
    projection: lambdaEma === null ? { kind: 'platonicPCA' } : { kind: 'platonicPCA', reweight: { lambdaEma } },
    solver: options.solver ?? { kind: 'ridge', lambda },
    standardize: options.standardize ?? 'per-feature',
  };
}
