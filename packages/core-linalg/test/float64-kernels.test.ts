import { describe, expect, it } from 'vitest';
import {
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  InvalidArgumentError,
  cholSolve,
  cholesky,
  fromRows,
  frobeniusNorm,
  gram,
  identity,
  lstsqF64,
  matmulF64,
  matrix,
  maxAbsDiff,
  outerGram,
  pinvF64,
  qr,
  solveTriangular,
  svd,
  symEig,
  toRows,
  transpose,
  type Matrix,
} from '../src/index.js';
import { hilbert, lowRank, randn, randomSpd, relErr } from './helpers.js';

function diagMatrix(values: ArrayLike<number>): Matrix {
  const n = values.length;
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = values[i];
  return m;
}

function orthonormalityError(q: Matrix): number {
  return maxAbsDiff(matmulF64(q, q, { transposeA: true }), identity(q.cols));
}

describe('dense products', () => {
  it('matmulF64 agrees with its transposed variants and gram/outerGram with explicit products', () => {
    const a = randn(7, 5, 1);
    const b = randn(5, 4, 2);
    const ab = matmulF64(a, b);
    expect(maxAbsDiff(matmulF64(transpose(a), b, { transposeA: true }), ab)).toBeLessThan(1e-13);
    expect(maxAbsDiff(matmulF64(a, transpose(b), { transposeB: true }), ab)).toBeLessThan(1e-13);
    expect(maxAbsDiff(matmulF64(transpose(a), transpose(b), { transposeA: true, transposeB: true }), ab)).toBeLessThan(1e-13);
    const g = gram(a, 0.5);
    const explicit = matmulF64(a, a, { transposeA: true });
    for (let i = 0; i < 5; i++) explicit.data[i * 5 + i] += 0.5;
    expect(maxAbsDiff(g, explicit)).toBeLessThan(1e-13);
    const og = outerGram(a, 0.25);
    const explicitOuter = matmulF64(a, a, { transposeB: true });
    for (let i = 0; i < 7; i++) explicitOuter.data[i * 7 + i] += 0.25;
    expect(maxAbsDiff(og, explicitOuter)).toBeLessThan(1e-13);
  });

  it('rejects mismatched inner dimensions with the expected shape in the message', () => {
    expect(() => matmulF64(randn(3, 4, 1), randn(5, 2, 2))).toThrow(ShapeError);
    expect(() => matmulF64(randn(3, 4, 1), randn(5, 2, 2))).toThrow(/argument 'b' must have shape \[4, \?\]/);
  });

  it('matrix() refuses data of the wrong length and fromRows refuses ragged rows', () => {
    expect(() => matrix(2, 3, [1, 2, 3])).toThrow(/needs 6 values/);
    expect(() => fromRows([[1, 2], [3]])).toThrow(ShapeError);
  });

  it('frobeniusNorm neither overflows nor underflows', () => {
    expect(frobeniusNorm(fromRows([[3e200, 4e200]]))).toBeCloseTo(5e200, -190);
    expect(frobeniusNorm(fromRows([[3e-200, 4e-200]])) / 5e-200).toBeCloseTo(1, 12);
  });
});

describe('cholesky', () => {
  it('reproduces K = L·Lᵀ to 1e-12 on random SPD matrices and L is lower triangular', () => {
    for (const n of [1, 2, 5, 17, 40]) {
      const k = randomSpd(n, n);
      const l = cholesky(k);
      expect(relErr(matmulF64(l, l, { transposeB: true }).data, k.data)).toBeLessThan(1e-12);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
    }
  });

  it('cholSolve satisfies K·X = B for many right-hand sides', () => {
    const k = randomSpd(12, 3);
    const b = randn(12, 4, 4);
    const x = cholSolve(cholesky(k), b);
    expect(relErr(matmulF64(k, x).data, b.data)).toBeLessThan(1e-12);
  });

  it('throws NotPositiveDefiniteError naming the pivot for an indefinite matrix', () => {
    const k = fromRows([
      [1, 2],
      [2, 1],
    ]);
    expect(() => cholesky(k)).toThrow(NotPositiveDefiniteError);
    try {
      cholesky(k);
    } catch (e) {
      expect((e as NotPositiveDefiniteError).pivot).toBe(1);
      expect((e as Error).message).toMatch(/raise the ridge constant lambda/);
    }
  });

  it('rejects non-square input and non-finite values with typed errors', () => {
    expect(() => cholesky(randn(3, 2, 1))).toThrow(/argument 'K' must have shape \[n, n\], got \[3, 2\]/);
    const bad = randomSpd(3, 1);
    bad.data[4] = Number.NaN;
    expect(() => cholesky(bad)).toThrow(NonFiniteError);
    expect(() => cholesky(bad)).toThrow(/row 1, column 1/);
  });

  it('factors the Hilbert matrix H_10 (cond ≈ 1.6e13) backward-stably', () => {
    // Cholesky is backward stable: the normwise backward error ‖H·x − b‖ / (‖H‖·‖x‖ + ‖b‖) stays near ε even though
    // the forward error of x can be as large as cond(H)·ε.
    const h = hilbert(10);
    const l = cholesky(h);
    expect(relErr(matmulF64(l, l, { transposeB: true }).data, h.data)).toBeLessThan(1e-15);
    const b = randn(10, 1, 9);
    const x = cholSolve(l, b);
    const r = matmulF64(h, x);
    for (let i = 0; i < r.data.length; i++) r.data[i] -= b.data[i];
    const backwardError = frobeniusNorm(r) / (frobeniusNorm(h) * frobeniusNorm(x) + frobeniusNorm(b));
    expect(backwardError).toBeLessThan(1e-14);
  });
});

describe('solveTriangular', () => {
  it('solves all four combinations of lower/upper and transpose', () => {
    const k = randomSpd(9, 5);
    const l = cholesky(k);
    const u = transpose(l);
    const b = randn(9, 3, 6);
    const cases: Array<[Matrix, boolean, boolean, Matrix]> = [
      [l, true, false, l],
      [l, true, true, u],
      [u, false, false, u],
      [u, false, true, l],
    ];
    for (const [factor, lower, trans, effective] of cases) {
      const x = solveTriangular(factor, b, { lower, transpose: trans });
      expect(relErr(matmulF64(effective, x).data, b.data)).toBeLessThan(1e-12);
    }
  });

  it('honours unitDiagonal and rejects a zero pivot', () => {
    const l = fromRows([
      [5, 0],
      [2, 7],
    ]);
    const x = solveTriangular(l, fromRows([[1], [3]]), { unitDiagonal: true });
    expect(toRows(x)).toEqual([[1], [1]]);
    expect(() =>
      solveTriangular(
        fromRows([
          [0, 0],
          [1, 1],
        ]),
        fromRows([[1], [1]]),
      ),
    ).toThrow(InvalidArgumentError);
    expect(() => solveTriangular(l, randn(3, 1, 1))).toThrow(/argument 'B' must have shape \[2, m\]/);
  });
});

describe('qr', () => {
  it('gives orthonormal Q, upper-triangular R and A = Q·R for tall, wide and square input', () => {
    for (const [m, n] of [
      [8, 5],
      [5, 8],
      [6, 6],
    ] as const) {
      const a = randn(m, n, m * 10 + n);
      const { q, r } = qr(a);
      expect(orthonormalityError(q)).toBeLessThan(1e-13);
      expect(relErr(matmulF64(q, r).data, a.data)).toBeLessThan(1e-13);
      for (let i = 0; i < r.rows; i++) for (let j = 0; j < Math.min(i, n); j++) expect(r.data[i * n + j]).toBe(0);
      const full = qr(a, { mode: 'complete' });
      expect(full.q.cols).toBe(m);
      expect(orthonormalityError(full.q)).toBeLessThan(1e-13);
      expect(relErr(matmulF64(full.q, full.r).data, a.data)).toBeLessThan(1e-13);
    }
  });

  it('stays exact on an exactly rank-deficient matrix', () => {
    const a = lowRank(10, 6, 3, 2);
    const { q, r } = qr(a);
    expect(orthonormalityError(q)).toBeLessThan(1e-13);
    expect(relErr(matmulF64(q, r).data, a.data)).toBeLessThan(1e-13);
    // The last three diagonal entries of R are numerically zero relative to the first.
    const r00 = Math.abs(r.data[0]);
    expect(Math.abs(r.data[5 * 6 + 5])).toBeLessThan(1e-12 * r00);
  });
});

describe('svd', () => {
  it('reconstructs A = U·diag(s)·Vᵀ with orthonormal factors and descending singular values', () => {
    for (const [m, n] of [
      [9, 4],
      [4, 9],
      [7, 7],
      [30, 3],
      [1, 5],
    ] as const) {
      const a = randn(m, n, m + 100 * n);
      const { u, s, v } = svd(a);
      expect(u.rows).toBe(m);
      expect(v.rows).toBe(n);
      expect(orthonormalityError(u)).toBeLessThan(1e-12);
      expect(orthonormalityError(v)).toBeLessThan(1e-12);
      for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
      const usv = matmulF64(matmulF64(u, diagMatrix(s)), v, { transposeB: true });
      expect(relErr(usv.data, a.data)).toBeLessThan(1e-12);
    }
  });

  it('matches known singular values of a 2×2 example', () => {
    const { s } = svd(
      fromRows([
        [3, 0],
        [4, 5],
      ]),
    );
    expect(s[0]).toBeCloseTo(Math.sqrt(45), 12);
    expect(s[1]).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('finds exact rank deficiency and still returns orthonormal U', () => {
    const a = lowRank(8, 6, 2, 11);
    const { u, s, v } = svd(a);
    expect(s[2] / s[0]).toBeLessThan(1e-14);
    expect(orthonormalityError(u)).toBeLessThan(1e-12);
    expect(orthonormalityError(v)).toBeLessThan(1e-12);
    const usv = matmulF64(matmulF64(u, diagMatrix(s)), v, { transposeB: true });
    expect(relErr(usv.data, a.data)).toBeLessThan(1e-12);
  });

  it('computes the tiny singular values of the Hilbert matrix H_8 to high relative accuracy', () => {
    // σ_min(H_8) = 1 / λ_max(H_8⁻¹) ≈ 1.1115e-10; Jacobi SVD keeps relative accuracy where a Gram-based
    // eigensolver would lose all digits.
    const { s } = svd(hilbert(8));
    expect(s[0]).toBeCloseTo(1.6959389969219498, 12);
    expect(Math.abs(s[7] / 1.1115389663e-10 - 1)).toBeLessThan(1e-6);
  });

  it('handles the zero matrix', () => {
    const { u, s } = svd(matrix(4, 3));
    expect(Array.from(s)).toEqual([0, 0, 0]);
    expect(orthonormalityError(u)).toBeLessThan(1e-14);
  });
});

describe('symEig', () => {
  it('diagonalises random symmetric matrices: A·V = V·diag(λ), V orthogonal, λ ascending', () => {
    for (const n of [1, 2, 3, 10, 25]) {
      const b = randn(n, n, n + 7);
      const a = matmulF64(b, b, { transposeB: true });
      for (let i = 0; i < n; i++) a.data[i * n + i] -= n / 2; // indefinite
      const { values, vectors } = symEig(a);
      expect(orthonormalityError(vectors)).toBeLessThan(1e-12);
      for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
      const av = matmulF64(a, vectors);
      const vl = matmulF64(vectors, diagMatrix(values));
      expect(maxAbsDiff(av, vl) / Math.max(1, frobeniusNorm(a))).toBeLessThan(1e-12);
    }
  });

  it('returns the known spectrum of a 2×2 and a repeated eigenvalue', () => {
    const { values } = symEig(
      fromRows([
        [2, 1],
        [1, 2],
      ]),
    );
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    const eye = symEig(identity(4));
    expect(Array.from(eye.values)).toEqual([1, 1, 1, 1]);
  });

  it('keeps the Hilbert matrix H_10 eigenvectors orthogonal despite cond ≈ 1.6e13', () => {
    const { values, vectors } = symEig(hilbert(10));
    expect(orthonormalityError(vectors)).toBeLessThan(1e-12);
    expect(values[9]).toBeCloseTo(1.7519196702651774, 12);
    expect(values[0]).toBeGreaterThan(0);
    expect(values[0]).toBeLessThan(1e-12);
  });
});

describe('pinvF64 and lstsqF64', () => {
  it('satisfies the four Penrose identities on tall, wide and rank-deficient input', () => {
    for (const a of [randn(7, 4, 1), randn(4, 7, 2), lowRank(6, 5, 2, 3)]) {
      const x = pinvF64(a);
      const axa = matmulF64(matmulF64(a, x), a);
      const xax = matmulF64(matmulF64(x, a), x);
      const ax = matmulF64(a, x);
      const xa = matmulF64(x, a);
      expect(relErr(axa.data, a.data)).toBeLessThan(1e-12);
      expect(relErr(xax.data, x.data)).toBeLessThan(1e-12);
      expect(maxAbsDiff(ax, transpose(ax))).toBeLessThan(1e-12);
      expect(maxAbsDiff(xa, transpose(xa))).toBeLessThan(1e-12);
    }
  });

  it('equals the inverse for a well-conditioned square matrix and A/25 for [[1,2],[2,4]]', () => {
    const a = randomSpd(5, 9);
    expect(maxAbsDiff(matmulF64(a, pinvF64(a)), identity(5))).toBeLessThan(1e-12);
    const x = pinvF64(
      fromRows([
        [1, 2],
        [2, 4],
      ]),
    );
    expect(relErr(x.data, [1 / 25, 2 / 25, 2 / 25, 4 / 25])).toBeLessThan(1e-14);
  });

  it('a larger rcond drops small singular directions', () => {
    const a = diagMatrix([1, 1e-3, 1e-9]);
    expect(pinvF64(a).data[8]).toBeCloseTo(1e9, -3);
    expect(pinvF64(a, { rcond: 1e-6 }).data[8]).toBe(0);
    expect(pinvF64(a, { atol: 1e-2 }).data[4]).toBe(0);
    expect(() => pinvF64(a, { rcond: -1 })).toThrow(InvalidArgumentError);
  });

  it('lstsq returns the full-rank solution with residuals, and the minimum-norm one when rank deficient', () => {
    const a = randn(20, 4, 5);
    const xTrue = randn(4, 2, 6);
    const noise = randn(20, 2, 7, 1e-3);
    const b = matmulF64(a, xTrue);
    for (let i = 0; i < b.data.length; i++) b.data[i] += noise.data[i];
    const r = lstsqF64(a, b);
    expect(r.rank).toBe(4);
    expect(maxAbsDiff(r.x, xTrue)).toBeLessThan(1e-2);
    // Normal equations hold at the optimum.
    const grad = matmulF64(a, subtract(matmulF64(a, r.x), b), { transposeA: true });
    expect(frobeniusNorm(grad)).toBeLessThan(1e-10);
    expect(r.residuals.length).toBe(2);
    // Rank-deficient: duplicated column. Minimum norm splits the weight evenly.
    const dup = fromRows([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const d = lstsqF64(dup, fromRows([[2], [4], [6]]));
    expect(d.rank).toBe(1);
    expect(d.x.data[0]).toBeCloseTo(1, 12);
    expect(d.x.data[1]).toBeCloseTo(1, 12);
    expect(d.residuals.length).toBe(0);
  });

  it('solves a Hilbert least-squares problem with a small residual where the normal equations fail', () => {
    const h = hilbert(12, 8); // 12 × 8, cond ≈ 1e10
    const xTrue = randn(8, 1, 3);
    const b = matmulF64(h, xTrue);
    const { x } = lstsqF64(h, b);
    expect(relErr(matmulF64(h, x).data, b.data)).toBeLessThan(1e-10);
  });

  it('rejects mismatched rows', () => {
    expect(() => lstsqF64(randn(5, 2, 1), randn(4, 1, 2))).toThrow(/argument 'B' must have shape \[5, k\], got \[4, 1\]/);
  });
});

function subtract(a: Matrix, b: Matrix): Matrix {
  const out = matrix(a.rows, a.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = a.data[i] - b.data[i];
  return out;
}
