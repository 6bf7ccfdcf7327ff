/**
 * The error graph of rec-LRA: which error node sends each hidden layer the message that forms its target
 * (P2 Sec. 3.2, footnote 2; Alg. 2 for the skip-error "highways" of residual networks).
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/**
 * How error nodes are wired. Layers are numbered `1 … L` (L = output); `parent(i)` is the error node that sends layer
 * `i` its displacement through `E_i` (P2 Eq. 3, Sec. 3.3):
 * - `chain`: `parent(i) = i + 1` (LRA-E style; default).
 * - `direct`: `parent(i) = L` for every hidden layer (DFA-like, fully parallel).
 * - `skip`: `parent(i) = L` when `i mod g = 0`, else `i + 1` (P2 Alg. 2's error wiring without forward skips).
 * - `residual`: as `skip`, plus forward residual connections every `g` layers (P2 Sec. 3.3, Alg. 2).
 * - `custom`: a user map from hidden layer to parent (an object, or `[child, parent]` edges); it must form a tree
 *   rooted at the output with `parent(i) > i`.
 */
export type ErrorWiring =
  | { kind: 'chain' }
  | { kind: 'direct' }
  | { kind: 'skip'; g: number }
  | { kind: 'residual'; g: number }
  | { kind: 'custom'; parent: Record<number, number> | ReadonlyArray<readonly [child: number, parent: number]> };

/**
 * `parent[i]` for hidden layers `i = 1 … L−1` (index 0 and L unused, −1) of a validated wiring.
 *
 * Multiple parents, upward edges and cycles are undefined in P2 (footnote 2 only forbids cycles); requiring
 * `parent(i) > i` rules out all three, and makes "process layers from L down to 1" a valid schedule (P2's footnote 2 only forbids cycles).
 *
 * @example
 * ```ts
 * errorParents({ kind: 'skip', g: 2 }, 5);   // [-1, 2, 5, 4, 5, -1]
 * ```
 */
export function errorParents(wiring: ErrorWiring, layers: number): number[] {
  const fn = 'errorParents';
  checkNumber(fn, 'layers', layers, { min: 1, integer: true });
  if (wiring === null || typeof wiring !== 'object') throw new InvalidArgumentError(fn, 'wiring', "must be an object such as { kind: 'chain' }", wiring);
  const L = layers;
  const parent = Array.from({ length: L + 1 }, () => -1);
  switch (wiring.kind) {
    case 'chain':
      for (let i = 1; i < L; i++) parent[i] = i + 1;
      break;
    case 'direct':
      for (let i = 1; i < L; i++) parent[i] = L;
      break;
    case 'skip':
    case 'residual':
      checkNumber(fn, 'wiring.g', wiring.g, { min: 1, integer: true });
      for (let i = 1; i < L; i++) parent[i] = i % wiring.g === 0 ? L : i + 1;
      break;
    case 'custom': {
      if (wiring.parent === null || typeof wiring.parent !== 'object')
        throw new InvalidArgumentError(fn, 'wiring.parent', 'must map every hidden layer 1 … L−1 to its parent', wiring.parent);
      const edges: Array<readonly [number, number]> = Array.isArray(wiring.parent)
        ? wiring.parent
        : Object.entries(wiring.parent).map(([child, p]) => [Number(child), p] as const);
      const given = new Map<number, number>();
      for (const edge of edges) {
        const [i, p] = Array.isArray(edge) ? edge : [Number.NaN, Number.NaN];
        if (!Number.isInteger(i) || i < 1 || i >= L)
          throw new InvalidArgumentError(fn, 'wiring.parent', `may only name the hidden layers 1 … ${L - 1} as children`, edge);
        if (given.has(i))
          throw new InvalidArgumentError(fn, `wiring.parent[${i}]`, 'is given twice: a layer may have only one parent (multiple parents are undefined in P2)', [
            given.get(i),
            p,
          ]);
        given.set(i, p);
      }
      for (let i = 1; i < L; i++) {
        const p = given.get(i);
        if (p === undefined) throw new InvalidArgumentError(fn, `wiring.parent[${i}]`, 'is missing: every hidden layer needs exactly one parent', p);
        if (!Number.isInteger(p) || p <= i || p > L) {
          throw new InvalidArgumentError(
            fn,
            `wiring.parent[${i}]`,
            `must be an integer layer above ${i} (${i + 1} … ${L}); the error graph must be a tree rooted at the output`,
            p,
          );
        }
        parent[i] = p;
      }
      break;
    }
    default:
      throw new InvalidArgumentError(fn, 'wiring.kind', "must be 'chain', 'direct', 'skip', 'residual' or 'custom'", (wiring as { kind: unknown }).kind);
  }
  return parent;
}
