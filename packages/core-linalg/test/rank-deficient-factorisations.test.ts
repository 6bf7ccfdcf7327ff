import { describe, expect, it } from 'vitest';
import {
  createRng,
  frobeniusNorm,
  gram,
  identity,
  lstsqF64,
  matmulF64,
  matrix,
  maxAbsDiff,
  pinvF64,
  svd,
  symEig,
  transpose,
  type Matrix,
  type SvdResult,
} from '../src/index.js';
import { hilbert, lowRank, randn } from './helpers.js';

/**
 * `[1 | ReLU(X·W + b)]` for `rows` two-dimensional inputs and `units` random ReLU units: the layer matrix of a
 * closed-form (Platonic) fit. With about as many units as examples it is almost square and nearly rank-deficient —
 * the kind of input on which the Jacobi SVD's `ε`-only stopping rule never converged.
 */
function reluLayer(rows: number, units: number, seed: number): Matrix {
  const rng = createRng(seed);
  const x = Array.from({ length: rows * 2 }, () => rng.normal());
  const w = Array.from({ length: 3 * units }, () => rng.normal());
  const cols = units + 1;
  const out = matrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    out.data[i * cols] = 1;
    for (let j = 0; j < units; j++) {
      const z = x[2 * i] * w[j] + x[2 * i + 1] * w[units + j] + w[2 * units + j];
      out.data[i * cols + 1 + j] = Math.max(0, z);
    }
  }
  return out;
}

/**
 * `FᵀF` for a feature matrix F of `rows` examples × `features` columns spanning only `rank` directions, with column
 * scales graded over four decades and `dead` all-zero columns (dead units): a PSD matrix whose spectrum is a few
 * large eigenvalues and a large cluster of zeros — where the QL iteration's relative deflation test stalled.
 */
function deadUnitGram(rows: number, features: number, rank: number, dead: number, seed: number): Matrix {
  const rng = createRng(seed);
  const cols = features + dead;
  const f = matrix(rows, cols);
  const basis = Array.from({ length: rank * features }, (_, i) => rng.normal() * 1e4 ** ((i % features) / features));
  for (let i = 0; i < rows; i++) {
    const coef = Array.from({ length: rank }, () => rng.normal());
    for (let j = 0; j < features; j++) {
      let s = 0;
      for (let r = 0; r < rank; r++) s += coef[r] * basis[r * features + j];
      // Dead units sit between live ones, as they do in a real layer.
      f.data[i * cols + j + Math.floor((j * dead) / features)] = s;
    }
  }
  return gram(f);
}

function reconstructionError(a: Matrix, { u, s, v }: SvdResult): number {
  const us = u.data.slice();
  for (let i = 0; i < us.length; i++) us[i] = us[i] * s[i % s.length];
  const usv = matmulF64({ rows: u.rows, cols: u.cols, data: us }, v, { transposeB: true });
  for (let i = 0; i < usv.data.length; i++) usv.data[i] = usv.data[i] - a.data[i];
  return frobeniusNorm(usv) / frobeniusNorm(a);
}

function orthonormalityError(q: Matrix): number {
  return maxAbsDiff(matmulF64(q, q, { transposeA: true }), identity(q.cols));
}

function relFro(a: Matrix, b: Matrix): number {
  const d = a.data.map((x, i) => x - b.data[i]);
  return frobeniusNorm({ rows: a.rows, cols: a.cols, data: d }) / Math.max(frobeniusNorm(b), 1e-300);
}

function expectValidSvd(a: Matrix, f: SvdResult): void {
  const k = Math.min(a.rows, a.cols);
  expect(f.u.rows).toBe(a.rows);
  expect(f.u.cols).toBe(k);
  expect(f.v.rows).toBe(a.cols);
  expect(f.v.cols).toBe(k);
  expect(f.s.length).toBe(k);
  for (let i = 1; i < k; i++) expect(f.s[i]).toBeLessThanOrEqual(f.s[i - 1]);
  expect(f.s[k - 1]).toBeGreaterThanOrEqual(0);
  expect(reconstructionError(a, f)).toBeLessThan(1e-12);
  expect(orthonormalityError(f.u)).toBeLessThan(1e-12);
  expect(orthonormalityError(f.v)).toBeLessThan(1e-12);
}

/**
 * The four Penrose identities, with residuals relative to the problem's conditioning: `κ = ‖A‖_F·‖A⁺‖_F` bounds how
 * much rounding any pseudo-inverse amplifies, so the default tolerance is `1e-14·max(100, κ)` (looser only for the
 * deliberately graded and nearly rank-deficient cases).
 */
function expectPenrose(a: Matrix, x: Matrix, tol = 1e-14 * Math.max(100, frobeniusNorm(a) * frobeniusNorm(x))): void {
  expect(x.rows).toBe(a.cols);
  expect(x.cols).toBe(a.rows);
  const ax = matmulF64(a, x);
  const xa = matmulF64(x, a);
  expect(relFro(matmulF64(ax, a), a)).toBeLessThan(tol);
  expect(relFro(matmulF64(xa, x), x)).toBeLessThan(tol);
  expect(maxAbsDiff(ax, transpose(ax))).toBeLessThan(tol);
  expect(maxAbsDiff(xa, transpose(xa))).toBeLessThan(tol);
}

/** A matrix with exactly zero columns (dead units) and columns graded from 1 down to 1e-9. */
function deadAndGraded(rows: number, cols: number, seed: number): Matrix {
  const a = randn(rows, cols, seed);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) a.data[i * cols + j] = j % 5 === 3 ? 0 : a.data[i * cols + j] * 10 ** (-9 * (j / cols));
  }
  return a;
}

const shapes: Array<[string, Matrix]> = [
  ['tall 120 × 17', randn(120, 17, 1)],
  ['wide 17 × 120', randn(17, 120, 2)],
  ['square 40 × 40', randn(40, 40, 3)],
  ['almost square 41 × 40', randn(41, 40, 4)],
  ['rank-deficient 60 × 30 of rank 7', lowRank(60, 30, 7, 5)],
  ['rank-deficient wide 12 × 50 of rank 4', lowRank(12, 50, 4, 7)],
  ['dead and graded columns 80 × 25', deadAndGraded(80, 25, 9)],
  ['ReLU layer 30 × 31', reluLayer(30, 30, 0)],
  ['ReLU layer 300 × 65', reluLayer(300, 64, 1)],
];

describe('svd converges on nearly rank-deficient input', () => {
  it('factors the almost-square ReLU layer [1 | ReLU(X·W + b)] of 30 × 31 and its 31 × 30 transpose', () => {
    for (let seed = 0; seed < 4; seed++) {
      const a = reluLayer(30, 30, seed);
      for (const m of [a, transpose(a)]) {
        const f = svd(m);
        expectValidSvd(m, f);
        // Nearly rank-deficient: the smallest singular value is tiny next to the largest.
        expect(f.s[f.s.length - 1] / f.s[0]).toBeLessThan(1e-6);
      }
    }
  });

  it('factors the 194 × 195 ReLU layer of a two-spirals-sized fit', () => {
    const a = reluLayer(194, 194, 0);
    expectValidSvd(a, svd(a));
  });

  it('reconstructs A = U·diag(s)·Vᵀ to 1e-12 with orthonormal U and V on tall, wide, square and rank-deficient input', () => {
    for (const [, a] of shapes) expectValidSvd(a, svd(a));
  });

  it('returns exact zeros for dead (all-zero) columns and still completes V to an orthonormal set', () => {
    const a = deadAndGraded(80, 25, 9);
    const { s, v } = svd(a);
    const zeroCols = Array.from({ length: 25 }, (_, j) => j).filter((j) => j % 5 === 3).length;
    for (let i = 25 - zeroCols; i < 25; i++) expect(s[i]).toBe(0);
    expect(s[25 - zeroCols - 1]).toBeGreaterThan(0);
    expect(orthonormalityError(v)).toBeLessThan(1e-12);
  });

  it('keeps singular values of a column-graded matrix to high relative accuracy', () => {
    // A = B·D with B well conditioned and D spanning 1e-12 … 1: cond(A) ≈ 1e12, but σ(A) are determined to about
    // cond(B)·ε relative accuracy, which the preconditioned Jacobi SVD preserves. Reference: the SVD of the
    // same matrix with its columns permuted, which must give the same values.
    const b = randn(50, 8, 21);
    const a = matrix(50, 8);
    for (let i = 0; i < 50; i++) for (let j = 0; j < 8; j++) a.data[i * 8 + j] = b.data[i * 8 + j] * 10 ** (-12 * (j / 7));
    const perm = [5, 2, 7, 0, 3, 6, 1, 4];
    const ap = matrix(50, 8);
    for (let i = 0; i < 50; i++) for (let j = 0; j < 8; j++) ap.data[i * 8 + j] = a.data[i * 8 + perm[j]];
    const s1 = svd(a).s;
    const s2 = svd(ap).s;
    for (let i = 0; i < 8; i++) expect(Math.abs(s1[i] / s2[i] - 1)).toBeLessThan(1e-12);
    expect(s1[7] / s1[0]).toBeLessThan(1e-11);
  });

  it('handles empty and single-row/column matrices', () => {
    for (const a of [matrix(0, 3), matrix(3, 0), randn(1, 6, 1), randn(6, 1, 2)]) {
      const { u, s, v } = svd(a);
      expect(s.length).toBe(Math.min(a.rows, a.cols));
      expect(u.rows).toBe(a.rows);
      expect(v.rows).toBe(a.cols);
      if (s.length > 0) expectValidSvd(a, { u, s, v });
    }
  });

  it('is unaffected by scaling the input to the edges of the float64 range', () => {
    const a = reluLayer(30, 30, 2);
    const ref = svd(a).s;
    for (const c of [1e-150, 1e150]) {
      const f = svd({ rows: a.rows, cols: a.cols, data: a.data.map((x) => x * c) });
      expect(Math.abs(f.s[0] / (c * ref[0]) - 1)).toBeLessThan(1e-13);
      expect(orthonormalityError(f.u)).toBeLessThan(1e-12);
    }
  });
});

describe('pinvF64 and lstsqF64 on the QR-preconditioned SVD', () => {
  it('satisfy the four Penrose identities on tall, wide, square and rank-deficient input', () => {
    // Well-conditioned and exactly rank-deficient: to 1e-12 outright.
    for (const [, a] of shapes.slice(0, 6)) expectPenrose(a, pinvF64(a), 1e-12);
    // Graded, dead-unit and nearly rank-deficient ReLU layers: relative to their conditioning.
    for (const [, a] of shapes.slice(6)) expectPenrose(a, pinvF64(a));
  });

  it('fit targets through cancelling weights of size 1e10 on a nearly collinear tall matrix, backward stably', () => {
    // Columns x and x + 1e-10·y: the target y needs weights ±1e10 that cancel. A backward-stable pseudo-inverse
    // reproduces y with a residual of order ε·‖A‖·‖w‖ and the weights to about ε·cond(A) relative accuracy.
    const rng = createRng(31);
    const m = 200;
    const a = matrix(m, 3);
    const y = matrix(m, 1);
    for (let i = 0; i < m; i++) {
      const x = rng.normal();
      const yi = rng.normal();
      a.data[i * 3] = x;
      a.data[i * 3 + 1] = x + 1e-10 * yi;
      a.data[i * 3 + 2] = rng.normal();
      y.data[i] = yi;
    }
    const w = matmulF64(pinvF64(a), y);
    expect(Math.abs(w.data[1] * 1e-10 - 1)).toBeLessThan(1e-5);
    expect(Math.abs(w.data[0] + w.data[1])).toBeLessThan(1e-5 * Math.abs(w.data[1]));
    const r = matmulF64(a, w);
    for (let i = 0; i < m; i++) r.data[i] = r.data[i] - y.data[i];
    expect(frobeniusNorm(r)).toBeLessThan(10 * 2.220446049250313e-16 * frobeniusNorm(a) * frobeniusNorm(w));
  });

  it('lstsqF64 equals pinvF64(A)·B on tall, wide and rank-deficient input, without forming A⁺', () => {
    for (const [name, a] of shapes) {
      const b = randn(a.rows, 3, 77);
      const r = lstsqF64(a, b);
      const ref = matmulF64(pinvF64(a), b);
      expect(relFro(r.x, ref), name).toBeLessThan(1e-10);
      expect(r.singularValues.length).toBe(Math.min(a.rows, a.cols));
    }
    // Minimum norm on a wide system: X lies in the row space, so A⁺·A·X = X.
    const wide = lowRank(12, 50, 4, 7);
    const x = lstsqF64(wide, randn(12, 2, 8)).x;
    expect(relFro(matmulF64(matmulF64(pinvF64(wide), wide), x), x)).toBeLessThan(1e-12);
  });

  it('still resolves the Hilbert matrix H_12 (cond ≈ 1.7e16) rank the same way numpy does', () => {
    // numpy.linalg.matrix_rank(hilbert(12)) == 11 with the default max(m, n)·ε·σ_max cutoff.
    const { rank } = lstsqF64(hilbert(12), randn(12, 1, 3));
    expect(rank).toBe(11);
  });
});

describe('symEig converges on clusters of zero eigenvalues', () => {
  it('diagonalises the Gram matrix of dead-unit features (64 live features spanning 3 directions, 8 dead)', () => {
    for (let seed = 0; seed < 4; seed++) {
      const a = deadUnitGram(256, 64, 3, 8, seed);
      const n = a.rows;
      const { values, vectors } = symEig(a);
      expect(orthonormalityError(vectors)).toBeLessThan(1e-12);
      for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
      const av = matmulF64(a, vectors);
      const vl = matmulF64(vectors, {
        rows: n,
        cols: n,
        data: (() => {
          const d = new Float64Array(n * n);
          for (let i = 0; i < n; i++) d[i * n + i] = values[i];
          return d;
        })(),
      });
      expect((relFro(av, vl) * frobeniusNorm(vl)) / frobeniusNorm(a)).toBeLessThan(1e-12);
      const top = values[n - 1];
      // Three positive eigenvalues; the other 69 are zeros up to rounding (|λ| ≤ 1e-12·λ_max).
      expect(values[n - 3] / top).toBeGreaterThan(1e-10);
      for (let i = 0; i < n - 3; i++) expect(Math.abs(values[i])).toBeLessThan(1e-12 * top);
    }
  });

  it('diagonalises matrices made of exact zero blocks, repeated eigenvalues and a rank-one term', () => {
    const n = 50;
    const cases: Matrix[] = [matrix(n, n), identity(n)];
    // Rank one: u·uᵀ, 49 exact zeros.
    const u = randn(n, 1, 4);
    cases.push(matmulF64(u, u, { transposeB: true }));
    // blockdiag(0₂₀, B·Bᵀ) with B of rank 2.
    const b = randn(30, 2, 5);
    const bb = matmulF64(b, b, { transposeB: true });
    const block = matrix(n, n);
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) block.data[(i + 20) * n + j + 20] = bb.data[i * 30 + j];
    cases.push(block);
    for (const a of cases) {
      const { values, vectors } = symEig(a);
      expect(orthonormalityError(vectors)).toBeLessThan(1e-12);
      const av = matmulF64(a, vectors);
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) av.data[i * n + j] = av.data[i * n + j] - vectors.data[i * n + j] * values[j];
      expect(frobeniusNorm(av)).toBeLessThan(1e-12 * Math.max(1, frobeniusNorm(a)));
    }
  });
});
