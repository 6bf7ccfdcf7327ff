/**
 * core-linalg benchmarks. Prints one JSON object per line:
 *
 * - `gram`: GFLOP/s of the Gram matrix AᵀA, on the active tfjs backend (float32) and in float64 JavaScript.
 * - `ridgeSolve`: milliseconds for one forward + backward pass of `ridgeSolve` (gradients wrt A and T) at the
 *   issue's shapes, for each precision.
 * - `ridgeSolve-accuracy`: relative error of W and of ∂L/∂A, ∂L/∂T against a float64 reference, per precision, on an
 *   ill-conditioned (shortcut-network-like) system and on a Gaussian one — the measurement behind `precision: 'auto'`.
 * - `svd`: milliseconds for `svd` and `pinvF64` of the tall layer matrices of a closed-form (Platonic) fit — 5000 × 257
 *   and 2000 × 785 — as a ReLU layer `[1 | ReLU(X·W + b)]` (graded and nearly rank-deficient, the realistic case) and
 *   as a Gaussian matrix (no structure: the most Jacobi sweeps), with the reconstruction error ‖A − UΣVᵀ‖/‖A‖ and the
 *   Penrose residual ‖A·A⁺·A − A‖/‖A‖. `--svd` runs only this section.
 * - `leakyRelu`: CPU ms of the leaky-ReLU forward pass and gradient at the first layer of `bbp run mnist-cnn`
 *   (100 × 28 × 28 × 16), as `initBackend()` installs them (one loop each) and as TensorFlow.js's gradient formula
 *   (`where(greater(x, 0), dy, mul(dy, α))`), with a plain `mul` of the same size for scale. `--leaky` runs only this.
 *
 * Run: `pnpm --filter @beyond-backprop/core-linalg bench` (BBP_BACKEND=cpu|wasm to pick a backend).
 */
import * as tf from '@tensorflow/tfjs';
import {
  createRng,
  fromMatrix,
  gram,
  frobeniusNorm,
  initBackend,
  matMul,
  matmulF64,
  pinvF64,
  ridgeSolve,
  ridgeSolveF64,
  ridgeSolvePlan,
  svd,
  symEig,
  toMatrix,
  type Matrix,
} from '../src/index.js';

const quick = process.argv.includes('--quick');
const svdOnly = process.argv.includes('--svd');
const leakyOnly = process.argv.includes('--leaky');

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

function randn(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

/**
 * Median wall time: warm up for at least `warmupMs` (so the JIT has compiled the hot paths) and 2 runs, then time
 * `reps` runs.
 */
function time(fn: () => void, reps: number, warmupMs = 300): number {
  const start = performance.now();
  for (let i = 0; i < 2 || performance.now() - start < warmupMs; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Median of `reps` timed calls, without further warm-up (for calls that take seconds). */
function timeAfterWarmup(fn: () => void, reps: number): number {
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)];
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

/** `[1 | ReLU(X·W + b)]` for `rows` two-dimensional inputs and `cols − 1` random units: a Platonic layer matrix. */
function reluLayer(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  const units = cols - 1;
  const w = Array.from({ length: 3 * units }, () => rng.normal());
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const x0 = rng.normal();
    const x1 = rng.normal();
    data[i * cols] = 1;
    for (let j = 0; j < units; j++) data[i * cols + 1 + j] = Math.max(0, w[j] * x0 + w[units + j] * x1 + w[2 * units + j]);
  }
  return { rows, cols, data };
}

function svdBench(): void {
  for (const [m, n] of quick
    ? [[5000, 257]]
    : [
        [5000, 257],
        [2000, 785],
      ]) {
    for (const kind of ['relu-layer', 'gaussian'] as const) {
      const a = kind === 'gaussian' ? randn(m!, n!, 21) : reluLayer(m!, n!, 21);
      // One untimed call warms the JIT (and gives the factors checked below), then the median of `reps` timed calls.
      const reps = quick || n! > 300 ? 1 : 3;
      const f = svd(a);
      const svdMs = timeAfterWarmup(() => svd(a), reps);
      const p = pinvF64(a);
      const pinvMs = timeAfterWarmup(() => pinvF64(a), reps);
      const us = f.u.data.slice();
      const k = f.s.length;
      for (let i = 0; i < us.length; i++) us[i] = us[i] * f.s[i % k];
      const usv = matmulF64({ rows: m!, cols: k, data: us }, f.v, { transposeB: true });
      const apa = matmulF64(matmulF64(a, p), a);
      for (let i = 0; i < a.data.length; i++) {
        usv.data[i] = usv.data[i] - a.data[i];
        apa.data[i] = apa.data[i] - a.data[i];
      }
      const norm = frobeniusNorm(a);
      emit({
        bench: 'svd',
        matrix: kind,
        m,
        n,
        svdMs: round(svdMs),
        pinvMs: round(pinvMs),
        reconstruction: sci(frobeniusNorm(usv) / norm),
        penrose: sci(frobeniusNorm(apa) / norm),
        sigmaRatio: sci(f.s[k - 1] / f.s[0]),
      });
    }
  }
}

async function main(): Promise<void> {
  if (svdOnly) {
    svdBench();
    return;
  }
  const info = await initBackend({ log: false });
  const backend = info.choice;
  leakyReluBench(backend);
  if (leakyOnly) return;

  for (const [n, f] of quick
    ? [[1000, 257]]
    : [
        [1000, 257],
        [6400, 577],
        [1024, 1024],
      ]) {
    const a = tf.tensor2d(Float32Array.from(randn(n!, f!, 1).data), [n!, f!]);
    const flops = 2 * n! * f! * f!;
    const ms = time(
      () =>
        tf.tidy(() => {
          matMul(a, a, true, false).dataSync();
        }),
      quick ? 3 : 7,
    );
    emit({ bench: 'gram', backend, dtype: 'float32', n, f, ms: round(ms), gflops: round(flops / ms / 1e6) });
    const a64 = toMatrix(a);
    // The float64 kernel computes one triangle: n·f·(f+1) flops; report the same 2nf² convention for comparability.
    const ms64 = time(() => gram(a64), quick || n! * f! * f! > 1e9 ? 1 : 3, 0);
    emit({ bench: 'gram', backend: 'float64-js', dtype: 'float64', n, f, ms: round(ms64), gflops: round(flops / ms64 / 1e6) });
    a.dispose();
  }

  const shapes: Array<[number, number, number]> = quick
    ? [
        [194, 16, 5],
        [100, 3137, 10],
      ]
    : [
        [194, 16, 5],
        [1000, 257, 64],
        [6400, 577, 64],
        [100, 3137, 10],
      ];
  for (const [n, f, m] of shapes) {
    const a = tf.tensor2d(Float32Array.from(randn(n, f, 2).data), [n, f]);
    const t = tf.tensor2d(Float32Array.from(randn(n, m, 3).data), [n, m]);
    for (const precision of ['float64', 'mixed', 'auto'] as const) {
      const plan = ridgeSolvePlan(n, f, m, { precision });
      const work = n * f * f;
      const slow = plan.precision === 'float64' && work > 1e8;
      const reps = quick || slow ? 2 : 15;
      const step = () =>
        tf.tidy(() => {
          const [da, dt] = tf.grads((x, y) => tf.sum(tf.square(ridgeSolve(x as tf.Tensor2D, y as tf.Tensor2D, 1e-3, { precision }))))([a, t]);
          da!.dataSync();
          dt!.dataSync();
        });
      const ms = time(step, reps, slow ? 0 : 300);
      emit({ bench: 'ridgeSolve', backend, n, f, m, form: plan.form, precision, resolved: plan.precision, msForwardBackward: round(ms) });
    }
    tf.dispose([a, t]);
  }

  for (const accuracyCase of ['shortcut-net', 'gaussian'] as const) {
    for (const lambda of [1e-3, 0.1]) {
      const { a, t } = accuracyCase === 'gaussian' ? { a: randn(400, 40, 7), t: randn(400, 5, 8) } : shortcutSystem();
      // Round inputs to float32 first, so only the arithmetic differs between the paths.
      const a32 = toMatrix(fromMatrix(a));
      const t32 = toMatrix(fromMatrix(t));
      const ref = ridgeSolveF64(a32, t32, lambda);
      const g = randn(ref.w.rows, ref.w.cols, 9);
      const refGrad = ref.vjp(g);
      const k = gram(a32, lambda);
      const ev = symEig(k).values;
      const cond = ev[ev.length - 1] / ev[0];
      const errors: Record<string, unknown> = {};
      for (const precision of ['float64', 'mixed'] as const) {
        tf.tidy(() => {
          const at = fromMatrix(a32);
          const tt = fromMatrix(t32);
          const gt = fromMatrix(g);
          const w = ridgeSolve(at, tt, lambda, { precision });
          const [da, dt] = tf.grads((x, y) => tf.sum(tf.mul(gt, ridgeSolve(x as tf.Tensor2D, y as tf.Tensor2D, lambda, { precision }))))([at, tt]);
          errors[precision] = {
            w: sci(relErr(w.dataSync(), ref.w.data)),
            dA: sci(relErr(da!.dataSync(), refGrad.dA.data)),
            dT: sci(relErr(dt!.dataSync(), refGrad.dT.data)),
          };
        });
      }
      emit({ bench: 'ridgeSolve-accuracy', backend, case: accuracyCase, n: a.rows, f: a.cols, lambda, condK: sci(cond), relativeError: errors });
    }
  }
  svdBench();
}

/**
 * The realisation system of the last layer of a 2-5-5-5-2 all-shortcut tanh net on two-spirals-sized data:
 * A = [1 | X | tanh(S2) | tanh(S3) | tanh(S4)], n = 194, f = 18, with random-teacher hidden sums — the badly
 * conditioned kind of Gram matrix target space solves every step (cond ≈ 1e6 at λ = 1e-3 on the two-spirals layers of Fairbank & Samothrakis §5.1).
 */
function shortcutSystem(): { a: Matrix; t: Matrix } {
  const n = 194;
  const rng = createRng(11);
  const cols: number[][] = [];
  const x: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / 2);
    const r = 0.65 + (5.85 * k) / 96;
    const th = (k * Math.PI) / 16;
    const s = i % 2 === 0 ? 1 : -1;
    x.push([s * r * Math.cos(th), s * r * Math.sin(th)]);
  }
  for (let i = 0; i < n; i++) cols.push([1, ...x[i]]);
  for (let layer = 0; layer < 3; layer++) {
    const fanIn = cols[0].length;
    const w = Array.from({ length: fanIn * 5 }, () => rng.normal(0, 1 / Math.sqrt(fanIn)));
    for (let i = 0; i < n; i++) {
      const row = cols[i];
      const added: number[] = [];
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let p = 0; p < fanIn; p++) s += row[p] * w[p * 5 + j];
        added.push(Math.tanh(s));
      }
      row.push(...added);
    }
  }
  const f = cols[0].length;
  const a: Matrix = { rows: n, cols: f, data: Float64Array.from(cols.flat()) };
  const t = randn(n, 2, 12);
  return { a, t };
}

/** CPU milliseconds per call of `f` (its output read back and disposed), median of 5 rounds of 10 calls. */
function cpuMs(f: () => tf.Tensor): number {
  for (let i = 0; i < 3; i++) tf.dispose(f());
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < 10; i++) {
      const out = f();
      out.dataSync();
      out.dispose();
    }
    const used = process.cpuUsage(t0);
    rounds.push((used.user + used.system) / 1000 / 10);
  }
  return rounds.sort((p, q) => p - q)[2]!;
}

function leakyReluBench(backend: string): void {
  const shape = [100, 28, 28, 16];
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
  const gradient = tf.grad((a) => tf.leakyRelu(a, 0.2));
  emit({
    bench: 'leakyRelu',
    backend,
    shape,
    cpuMs: {
      mul: round(cpuMs(() => tf.mul(x, dy))),
      forward: round(cpuMs(() => tf.leakyRelu(x, 0.2))),
      forwardAndGradient: round(cpuMs(() => gradient(x, dy))),
      tfjsGradientFormula: round(cpuMs(() => tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2))))),
    },
  });
  tf.dispose([x, dy]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function sci(x: number): number {
  return Number(x.toPrecision(3));
}

await main();
