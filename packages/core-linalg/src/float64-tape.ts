/**
 * A small reverse-mode automatic differentiation engine over float64 matrices.
 *
 * TensorFlow.js has no float64 tensors and pays 5–20 µs of dispatch per op, which dominates the cost of training
 * small networks (two-spirals, bit-stream RNNs) and makes exact gradient references impossible. This tape records
 * matrix operations in plain JavaScript on `Float64Array`s (about 1 µs of overhead per op) and differentiates them,
 * including through {@link ridgeSolveF64}'s custom VJP. Algorithm packages use it as their exact, fast CPU engine
 * and as the float64 reference their tfjs implementations are checked against.
 */
import { LEAKY_RELU_ALPHA, activation, type ActivationName } from './activations.js';
import { InvalidArgumentError, ShapeError } from './errors.js';
import { checkMatrix, matmulF64, type Matrix } from './matrix.js';
import { chooseRidgeForm, ridgeProjectVjp, ridgeSolveUnchecked, type RidgeForm } from './ridge-solve.js';

/** A value recorded on a {@link Tape}: a matrix plus what is needed to differentiate through it. */
export class TapeNode {
  /** @internal */ adjoint: Float64Array | null = null;
  /** @internal */ backward: ((g: Float64Array) => void) | null = null;
  constructor(
    readonly value: Matrix,
    /** Whether gradients flow into this node (it is a variable or depends on one). */
    readonly requiresGrad: boolean,
  ) {}
  get rows(): number {
    return this.value.rows;
  }
  get cols(): number {
    return this.value.cols;
  }
  /** The single entry of a 1 × 1 node, e.g. a loss. */
  scalar(): number {
    if (this.value.data.length !== 1) throw new ShapeError('TapeNode.scalar', 'node', [1, 1], [this.rows, this.cols]);
    return this.value.data[0];
  }
}

/** Activations the tape differentiates. `leakyRelu` uses the slope given to {@link Tape.activation}. */
export type TapeActivation = Extract<ActivationName, 'tanh' | 'sigmoid' | 'relu' | 'leakyRelu' | 'linear'>;

const TAPE_ACTIVATIONS: readonly TapeActivation[] = ['tanh', 'sigmoid', 'relu', 'leakyRelu', 'linear'];

function zeros(n: number): Float64Array {
  return new Float64Array(n);
}

/**
 * Records float64 matrix operations and computes gradients of a scalar with respect to chosen nodes.
 *
 * Every op checks shapes and returns a {@link TapeNode}; `gradients(loss, nodes)` runs the reverse sweep. A tape is
 * meant for one evaluation (one training step): create a new one per step.
 *
 * @example
 * ```ts
 * const tape = new Tape();
 * const a = tape.constant(fromRows([[1, 2], [3, 4], [5, 7]]));
 * const t = tape.variable(fromRows([[1], [0], [1]]));
 * const w = tape.ridgeSolve(a, t, 1e-3);                   // W(A, T)
 * const loss = tape.sum(tape.mul(w, w));
 * const [dT] = tape.gradients(loss, [t]);                  // ∂loss/∂T through the solve, in float64
 * ```
 */
export class Tape {
  private readonly nodes: TapeNode[] = [];

  /** A node gradients do not flow into. */
  constant(m: Matrix): TapeNode {
    checkMatrix('Tape.constant', 'm', m, { finite: false });
    return this.record(m, false, null);
  }

  /** A node to differentiate with respect to. */
  variable(m: Matrix): TapeNode {
    checkMatrix('Tape.variable', 'm', m, { finite: false });
    return this.record(m, true, null);
  }

  /** `op(A)·op(B)`. */
  matmul(a: TapeNode, b: TapeNode, transposeA = false, transposeB = false): TapeNode {
    const out = matmulF64(a.value, b.value, { transposeA, transposeB });
    return this.record(out, a.requiresGrad || b.requiresGrad, (g) => {
      const G: Matrix = { rows: out.rows, cols: out.cols, data: g };
      if (a.requiresGrad) {
        // d op(A) = G·op(B)ᵀ; for A itself transpose back when transposeA.
        const dA = transposeA ? matmulF64(b.value, G, { transposeA: transposeB, transposeB: true }) : matmulF64(G, b.value, { transposeB: !transposeB });
        this.accumulate(a, dA.data);
      }
      if (b.requiresGrad) {
        const dB = transposeB ? matmulF64(G, a.value, { transposeA: true, transposeB: transposeA }) : matmulF64(a.value, G, { transposeA: !transposeA });
        this.accumulate(b, dB.data);
      }
    });
  }

  /** Elementwise `A + B` (same shape). */
  add(a: TapeNode, b: TapeNode): TapeNode {
    this.sameShape('Tape.add', a, b);
    const d = new Float64Array(a.value.data.length);
    for (let i = 0; i < d.length; i++) d[i] = a.value.data[i] + b.value.data[i];
    return this.record({ rows: a.rows, cols: a.cols, data: d }, a.requiresGrad || b.requiresGrad, (g) => {
      if (a.requiresGrad) this.accumulate(a, g, false);
      if (b.requiresGrad) this.accumulate(b, g, false);
    });
  }

  /** Elementwise `A − B` (same shape). */
  sub(a: TapeNode, b: TapeNode): TapeNode {
    this.sameShape('Tape.sub', a, b);
    const d = new Float64Array(a.value.data.length);
    for (let i = 0; i < d.length; i++) d[i] = a.value.data[i] - b.value.data[i];
    return this.record({ rows: a.rows, cols: a.cols, data: d }, a.requiresGrad || b.requiresGrad, (g) => {
      if (a.requiresGrad) this.accumulate(a, g, false);
      if (b.requiresGrad)
        this.accumulate(
          b,
          g.map((v) => -v),
        );
    });
  }

  /** Elementwise `A ⊙ B` (same shape) — dropout masks are applied this way. */
  mul(a: TapeNode, b: TapeNode): TapeNode {
    this.sameShape('Tape.mul', a, b);
    const A = a.value.data;
    const B = b.value.data;
    const d = new Float64Array(A.length);
    for (let i = 0; i < d.length; i++) d[i] = A[i] * B[i];
    return this.record({ rows: a.rows, cols: a.cols, data: d }, a.requiresGrad || b.requiresGrad, (g) => {
      if (a.requiresGrad) {
        const da = zeros(g.length);
        for (let i = 0; i < g.length; i++) da[i] = g[i] * B[i];
        this.accumulate(a, da);
      }
      if (b.requiresGrad) {
        const db = zeros(g.length);
        for (let i = 0; i < g.length; i++) db[i] = g[i] * A[i];
        this.accumulate(b, db);
      }
    });
  }

  /** `s·A`. */
  scale(a: TapeNode, s: number): TapeNode {
    const d = a.value.data.map((v) => s * v);
    return this.record({ rows: a.rows, cols: a.cols, data: d }, a.requiresGrad, (g) =>
      this.accumulate(
        a,
        g.map((v) => s * v),
      ),
    );
  }

  /** Columns side by side: `[A₁ | A₂ | …]` (same row count). */
  concatCols(parts: TapeNode[]): TapeNode {
    if (parts.length === 0) throw new InvalidArgumentError('Tape.concatCols', 'parts', 'must not be empty', parts);
    const rows = parts[0].rows;
    parts.forEach((p, i) => {
      if (p.rows !== rows) throw new ShapeError('Tape.concatCols', `parts[${i}]`, [rows, null], [p.rows, p.cols], 'all parts need the same rows');
    });
    if (parts.length === 1) return parts[0];
    const cols = parts.reduce((s, p) => s + p.cols, 0);
    const d = new Float64Array(rows * cols);
    let offset = 0;
    for (const p of parts) {
      const pc = p.cols;
      const src = p.value.data;
      for (let r = 0; r < rows; r++) {
        const o = r * cols + offset;
        const so = r * pc;
        for (let c = 0; c < pc; c++) d[o + c] = src[so + c];
      }
      offset += pc;
    }
    return this.record(
      { rows, cols, data: d },
      parts.some((p) => p.requiresGrad),
      (g) => {
        let off = 0;
        for (const p of parts) {
          const pc = p.cols;
          if (p.requiresGrad) {
            const dp = zeros(rows * pc);
            for (let r = 0; r < rows; r++) for (let c = 0; c < pc; c++) dp[r * pc + c] = g[r * cols + off + c];
            this.accumulate(p, dp);
          }
          off += pc;
        }
      },
    );
  }

  /** Rows stacked: `[A₁; A₂; …]` (same column count) — e.g. time steps of an RNN stacked for one solve. */
  concatRows(parts: TapeNode[]): TapeNode {
    if (parts.length === 0) throw new InvalidArgumentError('Tape.concatRows', 'parts', 'must not be empty', parts);
    const cols = parts[0].cols;
    parts.forEach((p, i) => {
      if (p.cols !== cols) throw new ShapeError('Tape.concatRows', `parts[${i}]`, [null, cols], [p.rows, p.cols], 'all parts need the same columns');
    });
    if (parts.length === 1) return parts[0];
    const rows = parts.reduce((s, p) => s + p.rows, 0);
    const d = new Float64Array(rows * cols);
    let offset = 0;
    for (const p of parts) {
      d.set(p.value.data, offset);
      offset += p.value.data.length;
    }
    return this.record(
      { rows, cols, data: d },
      parts.some((p) => p.requiresGrad),
      (g) => {
        let off = 0;
        for (const p of parts) {
          const len = p.value.data.length;
          if (p.requiresGrad) this.accumulate(p, g.slice(off, off + len));
          off += len;
        }
      },
    );
  }

  /** Rows `start … start+count−1`. */
  sliceRows(a: TapeNode, start: number, count: number): TapeNode {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > a.rows) {
      throw new InvalidArgumentError('Tape.sliceRows', 'start/count', `must select rows inside [0, ${a.rows})`, `${start}+${count}`);
    }
    const cols = a.cols;
    const d = a.value.data.slice(start * cols, (start + count) * cols);
    // Accumulate in place at the slice's offset: a sequence of slices (one per RNN step) then costs O(total size),
    // not O(steps × size).
    return this.record({ rows: count, cols, data: d }, a.requiresGrad, (g) => {
      const da = this.adjointOf(a);
      const offset = start * cols;
      for (let i = 0; i < g.length; i++) da[offset + i] += g[i];
    });
  }

  /** Columns `start … start+count−1`. */
  sliceCols(a: TapeNode, start: number, count: number): TapeNode {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > a.cols) {
      throw new InvalidArgumentError('Tape.sliceCols', 'start/count', `must select columns inside [0, ${a.cols})`, `${start}+${count}`);
    }
    const { rows, cols } = a;
    const d = new Float64Array(rows * count);
    for (let r = 0; r < rows; r++) for (let c = 0; c < count; c++) d[r * count + c] = a.value.data[r * cols + start + c];
    return this.record({ rows, cols: count, data: d }, a.requiresGrad, (g) => {
      const da = this.adjointOf(a);
      for (let r = 0; r < rows; r++) for (let c = 0; c < count; c++) da[r * cols + start + c] += g[r * count + c];
    });
  }

  /**
   * Rows of `table` picked by `indices` (an embedding lookup); the backward pass adds each row's gradient back into
   * the table row it came from.
   */
  gatherRows(table: TapeNode, indices: Int32Array): TapeNode {
    const { rows, cols } = table;
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!Number.isInteger(r) || r < 0 || r >= rows)
        throw new InvalidArgumentError('Tape.gatherRows', `indices[${i}]`, `must be a row index in [0, ${rows})`, r);
    }
    const d = new Float64Array(indices.length * cols);
    for (let i = 0; i < indices.length; i++) d.set(table.value.data.subarray(indices[i] * cols, (indices[i] + 1) * cols), i * cols);
    return this.record({ rows: indices.length, cols, data: d }, table.requiresGrad, (g) => {
      // Scatter-add straight into the table's adjoint: no table-sized temporary per lookup.
      const dt = this.adjointOf(table);
      for (let i = 0; i < indices.length; i++) {
        const o = indices[i] * cols;
        for (let c = 0; c < cols; c++) dt[o + c] += g[i * cols + c];
      }
    });
  }

  /** Elementwise activation. Derivatives are taken from the output where that is exact (tanh, sigmoid). */
  activation(a: TapeNode, kind: TapeActivation, leakyAlpha = LEAKY_RELU_ALPHA): TapeNode {
    const spec = activation('Tape.activation', 'kind', kind, TAPE_ACTIVATIONS);
    if (kind === 'linear') return a;
    const x = a.value.data;
    const n = x.length;
    const y = new Float64Array(n);
    const f = spec.f64;
    for (let i = 0; i < n; i++) y[i] = f(x[i], leakyAlpha);
    return this.record({ rows: a.rows, cols: a.cols, data: y }, a.requiresGrad, (g) => {
      const da = zeros(n);
      const df = spec.f64Derivative;
      // Sigmoid keeps its historical association (g·y)·(1 − y), so results stay bit-identical.
      if (kind === 'sigmoid') for (let i = 0; i < n; i++) da[i] = g[i] * y[i] * (1 - y[i]);
      else for (let i = 0; i < n; i++) da[i] = g[i] * df(x[i], y[i], leakyAlpha);
      this.accumulate(a, da);
    });
  }

  /**
   * Ridge least squares `W = argmin ‖A·W − T‖² + λ‖W‖²` (see {@link ridgeSolveF64}), differentiable in both A and T
   * through the solve's VJP, with the factorisation shared between the forward and backward sweeps.
   */
  ridgeSolve(a: TapeNode, t: TapeNode, lambda: number, form?: RidgeForm | 'auto'): TapeNode {
    if (t.rows !== a.rows) throw new ShapeError('Tape.ridgeSolve', 'T', [a.rows, 'm'], [t.rows, t.cols], "rows must match 'A'");
    if (!(lambda > 0) || !Number.isFinite(lambda)) throw new InvalidArgumentError('Tape.ridgeSolve', 'lambda', 'must be a finite number > 0', lambda);
    const sol = ridgeSolveUnchecked(a.value, t.value, lambda, chooseRidgeForm(a.rows, a.cols, form));
    return this.record(sol.w, a.requiresGrad || t.requiresGrad, (g) => {
      const { dA, dT } = sol.vjp({ rows: sol.w.rows, cols: sol.w.cols, data: g });
      if (a.requiresGrad) this.accumulate(a, dA.data);
      if (t.requiresGrad) this.accumulate(t, dT.data);
    });
  }

  /**
   * One layer's realisation (target-space Alg. 3 lines 4–5): `W = ridgeSolve(A, T, λ)` and the sums it achieves,
   * `S = A·W`, as two nodes with a joint backward pass that reuses `S` for the residual and merges the products of
   * both VJPs (Alg. 4 lines 4–5). Equal to `ridgeSolve` followed by `matmul`, cheaper.
   */
  ridgeProject(a: TapeNode, t: TapeNode, lambda: number, form?: RidgeForm | 'auto'): { w: TapeNode; s: TapeNode } {
    if (t.rows !== a.rows) throw new ShapeError('Tape.ridgeProject', 'T', [a.rows, 'm'], [t.rows, t.cols], "rows must match 'A'");
    if (!(lambda > 0) || !Number.isFinite(lambda)) throw new InvalidArgumentError('Tape.ridgeProject', 'lambda', 'must be a finite number > 0', lambda);
    const sol = ridgeSolveUnchecked(a.value, t.value, lambda, chooseRidgeForm(a.rows, a.cols, form));
    const sValue = matmulF64(a.value, sol.w);
    const needsGrad = a.requiresGrad || t.requiresGrad;
    let gS: Float64Array | null = null;
    // W is recorded first, so the reverse sweep reaches S's backward (which only stashes ∂L/∂S) before W's.
    const w = this.record(sol.w, needsGrad, (gW) => {
      const { dA, dT } = ridgeProjectVjp(
        sol,
        a.value,
        t.value,
        sValue,
        { rows: sol.w.rows, cols: sol.w.cols, data: gW },
        gS ? { rows: sValue.rows, cols: sValue.cols, data: gS } : null,
      );
      gS = null;
      if (a.requiresGrad) this.accumulate(a, dA.data);
      if (t.requiresGrad) this.accumulate(t, dT.data);
    });
    const s = this.record(sValue, needsGrad, (g) => {
      gS = g;
      // Make sure W's backward runs even when W itself has no other consumer.
      if (w.adjoint === null) w.adjoint = new Float64Array(sol.w.data.length);
    });
    return { w, s };
  }

  /**
   * A fully recurrent layer unrolled over time, as one node (target-space Alg. 5, lines 1–9): for each step t,
   * `S^(t) = [1 | X^(t) | H^(t−1)]·W`, `H^(t) = g(S^(t))`, `H^(0) = 0`. `x` stacks the steps time-major
   * (`[steps·n, d]`, row `t·n + b`), `w` is `[1 + d + h, h]` (bias row, input rows, recurrent rows). Returns the states
   * `H` and the sums `S`, both stacked `[steps·n, h]`; gradients flow from the states into `x` and `w` by
   * backpropagation through time in plain loops — far cheaper than recording every step's ops. The sums are outputs
   * only (not differentiated).
   */
  recurrence(x: TapeNode, w: TapeNode, steps: number, kind: TapeActivation, leakyAlpha = LEAKY_RELU_ALPHA): { states: TapeNode; sums: TapeNode } {
    if (!Number.isInteger(steps) || steps < 1 || x.rows % steps !== 0) {
      throw new InvalidArgumentError('Tape.recurrence', 'steps', `must be a positive integer dividing the ${x.rows} rows of x`, steps);
    }
    const n = x.rows / steps;
    const d = x.cols;
    const h = w.cols;
    if (w.rows !== 1 + d + h) throw new ShapeError('Tape.recurrence', 'w', [1 + d + h, h], [w.rows, w.cols], 'bias row, input rows, recurrent rows');
    const X = x.value.data;
    const W = w.value.data;
    const S = new Float64Array(steps * n * h);
    const H = new Float64Array(steps * n * h);
    const spec = activation('Tape.recurrence', 'kind', kind, TAPE_ACTIVATIONS);
    const act = (v: number) => spec.f64(v, leakyAlpha);
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < n; b++) {
        const row = t * n + b;
        const prev = t === 0 ? -1 : (t - 1) * n + b;
        for (let j = 0; j < h; j++) {
          let acc = W[j];
          for (let c = 0; c < d; c++) acc += X[row * d + c] * W[(1 + c) * h + j];
          if (prev >= 0) for (let c = 0; c < h; c++) acc += H[prev * h + c] * W[(1 + d + c) * h + j];
          S[row * h + j] = acc;
          H[row * h + j] = act(acc);
        }
      }
    }
    const sums = this.record({ rows: steps * n, cols: h, data: S }, false, null);
    const states = this.record({ rows: steps * n, cols: h, data: H }, x.requiresGrad || w.requiresGrad, (g) => {
      const dW = zeros(W.length);
      const dX = x.requiresGrad ? zeros(X.length) : null;
      let carry = zeros(n * h); // ∂L/∂H^(t) arriving through the recurrence from step t+1
      for (let t = steps - 1; t >= 0; t--) {
        const next = zeros(n * h);
        for (let b = 0; b < n; b++) {
          const row = t * n + b;
          const prev = t === 0 ? -1 : (t - 1) * n + b;
          for (let j = 0; j < h; j++) {
            const k = row * h + j;
            const ds = (g[k] + carry[b * h + j]) * spec.f64Derivative(S[k], H[k], leakyAlpha);
            if (ds === 0) continue;
            dW[j] += ds;
            for (let c = 0; c < d; c++) {
              dW[(1 + c) * h + j] += X[row * d + c] * ds;
              if (dX) dX[row * d + c] += ds * W[(1 + c) * h + j];
            }
            if (prev >= 0) {
              for (let c = 0; c < h; c++) {
                dW[(1 + d + c) * h + j] += H[prev * h + c] * ds;
                next[b * h + c] += ds * W[(1 + d + c) * h + j];
              }
            }
          }
        }
        carry = next;
      }
      if (w.requiresGrad) this.accumulate(w, dW);
      if (dX) this.accumulate(x, dX);
    });
    return { states, sums };
  }

  /** Sum of all entries, as a 1 × 1 node. */
  sum(a: TapeNode): TapeNode {
    let s = 0;
    for (const v of a.value.data) s += v;
    return this.record({ rows: 1, cols: 1, data: Float64Array.of(s) }, a.requiresGrad, (g) =>
      this.accumulate(a, new Float64Array(a.value.data.length).fill(g[0])),
    );
  }

  /** Mean of all entries, as a 1 × 1 node. */
  mean(a: TapeNode): TapeNode {
    const n = a.value.data.length;
    return this.scale(this.sum(a), 1 / Math.max(1, n));
  }

  /**
   * Mean softmax cross-entropy of `logits: [n, k]` against integer `labels` (length n); rows whose label is negative
   * are not scored (and get zero gradient). Returns a 1 × 1 node. Stable for large logits (log-sum-exp).
   */
  softmaxCrossEntropy(logits: TapeNode, labels: Int32Array): TapeNode {
    const { rows: n, cols: k } = logits;
    if (labels.length !== n) throw new ShapeError('Tape.softmaxCrossEntropy', 'labels', [n], [labels.length], 'one label per row of logits');
    const z = logits.value.data;
    const p = new Float64Array(n * k);
    let loss = 0;
    let scored = 0;
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      if (label >= k) throw new InvalidArgumentError('Tape.softmaxCrossEntropy', `labels[${i}]`, `must be < ${k} (or negative to skip)`, label);
      let m = -Infinity;
      for (let j = 0; j < k; j++) m = Math.max(m, z[i * k + j]);
      let s = 0;
      for (let j = 0; j < k; j++) {
        const e = Math.exp(z[i * k + j] - m);
        p[i * k + j] = e;
        s += e;
      }
      for (let j = 0; j < k; j++) p[i * k + j] = p[i * k + j] / s;
      if (label < 0) continue;
      scored++;
      loss += m + Math.log(s) - z[i * k + label];
    }
    const denom = Math.max(1, scored);
    return this.record({ rows: 1, cols: 1, data: Float64Array.of(loss / denom) }, logits.requiresGrad, (g) => {
      const scale = g[0] / denom;
      const dz = zeros(n * k);
      for (let i = 0; i < n; i++) {
        const label = labels[i];
        if (label < 0) continue;
        for (let j = 0; j < k; j++) dz[i * k + j] = scale * (p[i * k + j] - (j === label ? 1 : 0));
      }
      this.accumulate(logits, dz);
    });
  }

  /** Mean of `(prediction − target)²` over all entries, as a 1 × 1 node (`target` is a constant of the same shape). */
  meanSquaredError(prediction: TapeNode, target: Matrix): TapeNode {
    if (prediction.rows !== target.rows || prediction.cols !== target.cols) {
      throw new ShapeError('Tape.meanSquaredError', 'target', [prediction.rows, prediction.cols], [target.rows, target.cols]);
    }
    const n = target.data.length;
    const diff = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      diff[i] = prediction.value.data[i] - target.data[i];
      s += diff[i] * diff[i];
    }
    return this.record({ rows: 1, cols: 1, data: Float64Array.of(s / Math.max(1, n)) }, prediction.requiresGrad, (g) => {
      const c = (2 * g[0]) / Math.max(1, n);
      this.accumulate(
        prediction,
        diff.map((v) => c * v),
      );
    });
  }

  /**
   * Gradients of the 1 × 1 node `output` with respect to each of `wrt` (zeros where `output` does not depend on a
   * node). Runs the reverse sweep once; call it once per tape.
   */
  gradients(output: TapeNode, wrt: TapeNode[]): Matrix[] {
    if (output.value.data.length !== 1) throw new ShapeError('Tape.gradients', 'output', [1, 1], [output.rows, output.cols], 'a scalar is required');
    for (const node of this.nodes) node.adjoint = null;
    output.adjoint = Float64Array.of(1);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (node.adjoint !== null && node.backward !== null && node.requiresGrad) node.backward(node.adjoint);
    }
    return wrt.map((w) => ({ rows: w.rows, cols: w.cols, data: w.adjoint ?? zeros(w.value.data.length) }));
  }

  private record(value: Matrix, requiresGrad: boolean, backward: ((g: Float64Array) => void) | null): TapeNode {
    const node = new TapeNode(value, requiresGrad);
    node.backward = requiresGrad ? backward : null;
    this.nodes.push(node);
    return node;
  }

  /** `node`'s adjoint, created as zeros on first use, for ops that add into part of it in place. */
  private adjointOf(node: TapeNode): Float64Array {
    if (node.adjoint === null) node.adjoint = zeros(node.value.data.length);
    return node.adjoint;
  }

  /** Adds `g` into `node`'s adjoint. `owned`: `g` is a fresh array nobody else holds, so it can be adopted. */
  private accumulate(node: TapeNode, g: Float64Array, owned = true): void {
    if (node.adjoint === null) {
      node.adjoint = owned ? g : g.slice();
      return;
    }
    const acc = node.adjoint;
    for (let i = 0; i < acc.length; i++) acc[i] += g[i];
  }

  private sameShape(fn: string, a: TapeNode, b: TapeNode): void {
    if (a.rows !== b.rows || a.cols !== b.cols) throw new ShapeError(fn, 'b', [a.rows, a.cols], [b.rows, b.cols]);
  }
}
