/**
 * Small problems generated inline for the tests (the shared generators live in @beyond-backprop/datasets).
 */
import { createRng, type Matrix } from '@beyond-backprop/core-linalg';

/**
 * Two spirals (§7.6; the thesis gives no geometry, this one is ours): t = τ·2π·√u, class 1 at (−t·cos t, t·sin t), class 0 the same point negated,
 * scaled by the largest absolute coordinate. Alternating labels 1, 0, 1, 0, ….
 */
export function spirals(m: number, seed: number, turns = 1.5): { x: Matrix; labels: Int32Array } {
  const rng = createRng(seed);
  const x = new Float64Array(m * 2);
  const labels = new Int32Array(m);
  let maxAbs = 0;
  for (let i = 0; i < m / 2; i++) {
    const t = turns * 2 * Math.PI * Math.sqrt(rng.uniform());
    const a = -t * Math.cos(t);
    const b = t * Math.sin(t);
    x.set([a, b, -a, -b], 4 * i);
    labels[2 * i] = 1;
    labels[2 * i + 1] = 0;
    maxAbs = Math.max(maxAbs, Math.abs(a), Math.abs(b));
  }
  for (let i = 0; i < x.length; i++) x[i] = x[i] / maxAbs;
  return { x: { rows: m, cols: 2, data: x }, labels };
}

/** `y = sin(2πx)` on `linspace(−1, 1, m)` (§7.5, Fig. 7.3). */
export function sine(m: number): { x: Matrix; y: Matrix } {
  const x = Float64Array.from({ length: m }, (_, i) => -1 + (2 * i) / (m - 1));
  return { x: { rows: m, cols: 1, data: x }, y: { rows: m, cols: 1, data: Float64Array.from(x, (v) => Math.sin(2 * Math.PI * v)) } };
}

/** `m` points uniform on [−0.5, 0.5]², labelled by the parity of their square on a `board × board` grid (§7.7). */
export function checkerboard(m: number, seed: number, board = 4): { x: Matrix; labels: Int32Array } {
  const rng = createRng(seed);
  const x = new Float64Array(m * 2);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const a = rng.uniform() - 0.5;
    const b = rng.uniform() - 0.5;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    const ia = Math.min(board - 1, Math.floor(board * (a + 0.5)));
    const ib = Math.min(board - 1, Math.floor(board * (b + 0.5)));
    labels[i] = (ia + ib) % 2 === 0 ? 1 : 0;
  }
  return { x: { rows: m, cols: 2, data: x }, labels };
}

/** Gaussian blobs: `perClass` points around each of `k` centres in `n` dimensions. */
export function blobs(perClass: number, k: number, n: number, seed: number, spread = 1): { x: Matrix; labels: Int32Array } {
  const rng = createRng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: n }, () => 3 * rng.normal()));
  const m = perClass * k;
  const x = new Float64Array(m * n);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < n; j++) x[i * n + j] = centres[c][j] + spread * rng.normal();
  }
  return { x: { rows: m, cols: n, data: x }, labels };
}

/** Fraction of equal entries. */
export function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) c++;
  return c / labels.length;
}

/** Median of a list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Mean of a list. */
export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Matrix with a ones column prepended. */
export function withOnes(z: Matrix): Matrix {
  const p = z.cols + 1;
  const out = new Float64Array(z.rows * p);
  for (let i = 0; i < z.rows; i++) {
    out[i * p] = 1;
    for (let j = 0; j < z.cols; j++) out[i * p + 1 + j] = z.data[i * z.cols + j];
  }
  return { rows: z.rows, cols: p, data: out };
}

/** `max |a − b| / max(max |b|, 1e-300)`. */
export function relErr(a: Matrix, b: Matrix): number {
  let num = 0;
  let den = 1e-300;
  for (let i = 0; i < a.data.length; i++) {
    num = Math.max(num, Math.abs(a.data[i] - b.data[i]));
    den = Math.max(den, Math.abs(b.data[i]));
  }
  return num / den;
}
