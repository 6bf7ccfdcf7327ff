/**
 * Float64 plain-JS reference of every head: loss, closed-form gradient, reductions and row
 * weights, written independently of the tfjs implementation.
 */
import type { HeadName, Reduction } from '../src/index.js';

export interface RefParams {
  alpha: number;
  beta: number;
  maxLogit: number;
  dropConstant: boolean;
}

export const REF_DEFAULTS: RefParams = { alpha: 1, beta: 0, maxLogit: Infinity, dropConstant: false };

const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const logCosh = (z: number) => Math.abs(z) + Math.log1p(Math.exp(-2 * Math.abs(z))) - Math.LN2;
const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Loss of one row `z, t` (length k). */
export function refRowLoss(head: HeadName, z: ArrayLike<number>, t: ArrayLike<number>, p: RefParams): number {
  const k = z.length;
  let sum = 0;
  if (head === 'softmax-ce') {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[j]);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(z[j] - m);
    const lse = m + Math.log(s);
    let tsum = 0;
    for (let j = 0; j < k; j++) {
      tsum += t[j];
      sum -= t[j] * z[j];
    }
    return sum + tsum * lse;
  }
  for (let j = 0; j < k; j++) {
    const x = z[j];
    const tt = t[j];
    switch (head) {
      case 'linear-mse':
        sum += 0.5 * (x - tt) ** 2;
        break;
      case 'sigmoid':
        sum += softplus(x) - tt * x;
        break;
      case 'tanh':
        sum += logCosh(x) - tt * x;
        break;
      case 'exp-ga': {
        const c = p.maxLogit;
        const ey = x <= c ? p.alpha * Math.exp(x) : p.alpha * Math.exp(c) * (1 + (x - c));
        sum += ey - tt * (p.dropConstant ? x : Math.log(p.alpha) + x);
        break;
      }
      case 'pow3-ga':
        sum += 0.25 * p.alpha * x ** 4 + p.beta * x - tt * x;
        break;
    }
  }
  return sum;
}

/** Closed-form `∂(row loss)/∂z` of one row: `Y − T` (`rowSum(T)·softmax − T` for softmax). */
export function refRowDelta(head: HeadName, z: ArrayLike<number>, t: ArrayLike<number>, p: RefParams): number[] {
  const k = z.length;
  if (head === 'softmax-ce') {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[j]);
    const e = Array.from({ length: k }, (_, j) => Math.exp(z[j] - m));
    const s = e.reduce((a, b) => a + b, 0);
    const tsum = Array.from(t).reduce((a, b) => a + b, 0);
    return e.map((v, j) => (tsum * v) / s - t[j]);
  }
  return Array.from({ length: k }, (_, j) => refOutput(head, z[j], p) - t[j]);
}

/** Element output `f(z)` of the element-wise heads. */
export function refOutput(head: HeadName, z: number, p: RefParams): number {
  switch (head) {
    case 'linear-mse':
      return z;
    case 'sigmoid':
      return sigmoid(z);
    case 'tanh':
      return Math.tanh(z);
    case 'exp-ga':
      return p.alpha * Math.exp(Math.min(z, p.maxLogit));
    case 'pow3-ga':
      return p.alpha * z ** 3 + p.beta;
    default:
      throw new Error(`no element output for ${head}`);
  }
}

function divisor(n: number, k: number, w: ArrayLike<number> | undefined, reduction: Reduction): number {
  if (reduction === 'sum') return 1;
  let total = n;
  if (w) {
    total = 0;
    for (let i = 0; i < n; i++) total += w[i];
  }
  total = Math.max(total, 1e-30);
  return reduction === 'mean' ? total : total * k;
}

/** Reduced loss of row-major `Z, T` (`n × k`). */
export function refLoss(
  head: HeadName,
  z: Float64Array,
  t: ArrayLike<number>,
  n: number,
  k: number,
  p: RefParams,
  reduction: Reduction,
  w?: ArrayLike<number>,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = refRowLoss(
      head,
      z.subarray(i * k, (i + 1) * k),
      Array.from({ length: k }, (_, j) => t[i * k + j]),
      p,
    );
    sum += (w ? w[i] : 1) * row;
  }
  return sum / divisor(n, k, w, reduction);
}

/** Closed-form gradient of {@link refLoss}. */
export function refGrad(
  head: HeadName,
  z: Float64Array,
  t: ArrayLike<number>,
  n: number,
  k: number,
  p: RefParams,
  reduction: Reduction,
  w?: ArrayLike<number>,
): Float64Array {
  const g = new Float64Array(n * k);
  const d = divisor(n, k, w, reduction);
  for (let i = 0; i < n; i++) {
    const delta = refRowDelta(
      head,
      z.subarray(i * k, (i + 1) * k),
      Array.from({ length: k }, (_, j) => t[i * k + j]),
      p,
    );
    for (let j = 0; j < k; j++) g[i * k + j] = ((w ? w[i] : 1) * delta[j]) / d;
  }
  return g;
}

/** Row-major targets from labels (`-1`: a row of `neg`). */
export function refTargets(labels: ArrayLike<number>, k: number, neg: number, pos: number): Float64Array {
  const t = new Float64Array(labels.length * k).fill(neg);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) t[i * k + labels[i]] = pos;
  return t;
}
