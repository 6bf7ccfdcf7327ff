/**
 * The correlation-filter view (Øland, thesis §5.5, Fig. 5.21): a feature selects the examples whose pre-activation
 * lies outside the activation's flat region; the class entropy of that selection, averaged over a layer's features,
 * is the layer's feature-selection conditional entropy `H(Y|Z_i)`.
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/** What {@link selectionEntropy} returns. */
export interface SelectionEntropy {
  /** `H(Y | S₊(z_j))` in bits per feature; `NaN` for dead features (empty selection). */
  perFeature: number[];
  /** Mean over live features. */
  mean: number;
  /** Indices of features that select no example. */
  dead: number[];
}

/**
 * Feature-selection conditional entropy of pre-activations `a` (`m` rows of `d` features, row-major) with labels `y`.
 * `isSelected` defaults to the ReLU rule `a > 0`.
 *
 * @example
 * ```ts
 * selectionEntropy([1, -1, 2, 3, -1, 4, 0.5, 0], 2, [0, 0, 1, 1]).perFeature; // [0.918296, 1]
 * ```
 */
export function selectionEntropy(
  a: ArrayLike<number>,
  d: number,
  y: ArrayLike<number>,
  isSelected: (value: number) => boolean = (v) => v > 0,
): SelectionEntropy {
  const fn = 'selectionEntropy';
  checkNumber(fn, 'd', d, { min: 1, integer: true });
  const m = y.length;
  if (a.length !== m * d) throw new InvalidArgumentError(fn, 'a', `must hold m·d = ${m}·${d} values (one row per label)`, a.length);
  const perFeature: number[] = [];
  const dead: number[] = [];
  for (let j = 0; j < d; j++) {
    const counts = new Map<number, number>();
    let total = 0;
    for (let i = 0; i < m; i++) {
      if (isSelected(a[i * d + j])) {
        counts.set(y[i], (counts.get(y[i]) ?? 0) + 1);
        total++;
      }
    }
    if (total === 0) {
      dead.push(j);
      perFeature.push(NaN);
      continue;
    }
    let h = 0;
    for (const c of counts.values()) h -= (c / total) * Math.log2(c / total);
    perFeature.push(h);
  }
  const live = perFeature.filter((h) => !Number.isNaN(h));
  return { perFeature, mean: live.length ? live.reduce((s, h) => s + h, 0) / live.length : NaN, dead };
}
