import { createRng, matrix, type Matrix } from '../src/index.js';

/** Gaussian matrix from a seed. */
export function randn(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const rng = createRng(seed);
  const m = matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = scale * rng.normal();
  return m;
}

/** The n × n Hilbert matrix, H_ij = 1 / (i + j + 1): cond(H_8) ≈ 1.5e10, cond(H_12) ≈ 1.7e16. */
export function hilbert(n: number, cols = n): Matrix {
  const m = matrix(n, cols);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) m.data[i * cols + j] = 1 / (i + j + 1);
  return m;
}

/** Random symmetric positive definite matrix B·Bᵀ + n·I. */
export function randomSpd(n: number, seed: number): Matrix {
  const b = randn(n, n, seed);
  const k = matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += b.data[i * n + p] * b.data[j * n + p];
      k.data[i * n + j] = s + (i === j ? n : 0);
    }
  }
  return k;
}

/** ⟨A, B⟩ = Σ A_ij B_ij. */
export function dot(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

/** max|A − B| / max(max|B|, tiny). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / Math.max(s, 1e-300);
}

/** Builds a matrix of exact rank r as (m×r)·(r×n). */
export function lowRank(m: number, n: number, r: number, seed: number): Matrix {
  const a = randn(m, r, seed);
  const b = randn(r, n, seed + 1);
  const out = matrix(m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < r; p++) s += a.data[i * r + p] * b.data[p * n + j];
      out.data[i * n + j] = s;
    }
  }
  return out;
}
