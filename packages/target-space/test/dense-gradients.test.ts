import { describe, expect, it } from 'vitest';
import { Tape, createRng, gradCheck, matmulF64, type Matrix } from '@beyond-backprop/core-linalg';
import {
  Float64Ops,
  fanIns,
  feedForward,
  realise,
  resolveDenseArchitecture,
  targetGradients,
  type CascadeUntangling,
  type ResolvedDenseArchitecture,
} from '../src/index.js';

function randn(rows: number, cols: number, seed: number, std = 1): Matrix {
  const rng = createRng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal(0, std)) };
}

const labels7 = Int32Array.from([0, 1, 1, 0, 1, 0, 0]);

/** Loss of Alg. 1 on minibatch X under the weights realised (Alg. 3) from the targets on X̄: L(T). */
function lossOfTargets(arch: ResolvedDenseArchitecture, xBar: Matrix, x: Matrix, targets: Matrix[], lambda: number, cascade: CascadeUntangling) {
  const ops = new Float64Ops(new Tape());
  const t = targets.map((m) => ops.variable(m));
  const real = realise(ops, arch, ops.constant(xBar.data, xBar.rows, xBar.cols), t, lambda, cascade);
  const logits = feedForward(ops, arch, ops.constant(x.data, x.rows, x.cols), real.weights);
  const loss = ops.softmaxCrossEntropy(logits, labels7);
  return { ops, t, loss, real };
}

/** ∂L/∂W of the minibatch loss at given weights (Alg. 2, by the tape). */
function weightGradients(arch: ResolvedDenseArchitecture, x: Matrix, weights: Matrix[]): Matrix[] {
  const ops = new Float64Ops(new Tape());
  const w = weights.map((m) => ops.variable(m));
  const loss = ops.softmaxCrossEntropy(feedForward(ops, arch, ops.constant(x.data, x.rows, x.cols), w), labels7);
  return ops.tape.gradients(loss, w);
}

describe('target-space gradient (Alg. 4, Appendix A eqs. 27–31)', () => {
  const cases: Array<{ shortcuts: boolean; cascade: CascadeUntangling; nBar: number; lambda: number }> = [];
  for (const shortcuts of [false, true]) {
    for (const cascade of ['scu', 'ocu'] as const) {
      cases.push({ shortcuts, cascade, nBar: 20, lambda: 1e-3 });
      cases.push({ shortcuts, cascade, nBar: 8, lambda: 0.1 }); // fan-ins 13, 18 > 8 rows: the dual branch
    }
  }
  it.each(cases)(
    'explicit Alg. 4 = one-tape autodiff = finite differences ($cascade, shortcuts=$shortcuts, n̄_b=$nBar)',
    ({ shortcuts, cascade, nBar, lambda }) => {
      const arch = resolveDenseArchitecture('test', { layers: [2, 5, 5, 5, 2], shortcuts, activation: 'tanh' });
      const xBar = randn(nBar, 2, 1);
      const x = randn(7, 2, 2);
      const targets = arch.layers.slice(1).map((d, i) => randn(nBar, d, 10 + i));
      // One tape through Alg. 3 + Alg. 1 + loss.
      const { ops, t, loss, real } = lossOfTargets(arch, xBar, x, targets, lambda, cascade);
      const tape = ops.tape.gradients(loss, t);
      // Two stages: ∂L/∂W on the minibatch, then Alg. 4 on X̄.
      const g = weightGradients(
        arch,
        x,
        real.weights.map((w) => w.value),
      );
      const alg4 = targetGradients(arch, xBar, targets, g, { lambda, cascade });
      for (let j = 0; j < tape.length; j++) {
        const scale = Math.max(...tape[j].data.map(Math.abs));
        const diff = Math.max(...tape[j].data.map((v, i) => Math.abs(v - alg4[j].data[i])));
        expect(diff / scale, `layer ${j}`).toBeLessThan(1e-9);
      }
      // Finite differences of the whole pipeline (4th-order stencil).
      const fd = gradCheck((...ts) => lossOfTargets(arch, xBar, x, ts, lambda, cascade).loss.scalar(), targets, {
        gradient: () => tape,
        order: 4,
        h: 1e-4,
        tolerance: 1e-6,
      });
      expect(fd.passed, String(fd.maxRelativeError)).toBe(true);
    },
  );

  it('the wide layers of the n̄_b = 8 shortcut net really use the dual branch', () => {
    const arch = resolveDenseArchitecture('test', { layers: [2, 5, 5, 5, 2], shortcuts: true });
    expect(fanIns(arch)).toEqual([3, 8, 13, 18]);
    expect(fanIns(arch).filter((f) => f > 8)).toEqual([13, 18]);
  });
});

describe('realisation (Alg. 3, eqs. 5–8, 10–13)', () => {
  const arch = resolveDenseArchitecture('test', { layers: [2, 5, 5, 5, 2], shortcuts: true });

  it('with X = X̄ the realised sums equal Alg. 1’s sums exactly (SCU), and the two loss forms give the same gradient', () => {
    const xBar = randn(20, 2, 3);
    const targets = arch.layers.slice(1).map((d, i) => randn(20, d, 30 + i));
    const ops = new Float64Ops();
    const real = realise(
      ops,
      arch,
      ops.constant(xBar.data, 20, 2),
      targets.map((t) => ops.constant(t.data, t.rows, t.cols)),
      1e-3,
      'scu',
    );
    const out = feedForward(ops, arch, ops.constant(xBar.data, 20, 2), real.weights);
    expect(Array.from(out.value.data)).toEqual(Array.from(real.sums[3].value.data));
    const labels = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const grad = (fused: boolean) => {
      const o = new Float64Ops(new Tape());
      const t = targets.map((m) => o.variable(m));
      const r = realise(o, arch, o.constant(xBar.data, 20, 2), t, 1e-3, 'scu');
      const logits = fused ? r.sums[3] : feedForward(o, arch, o.constant(xBar.data, 20, 2), r.weights);
      return o.tape.gradients(o.softmaxCrossEntropy(logits, labels), t);
    };
    const [a, b] = [grad(true), grad(false)];
    a.forEach((g, j) => g.data.forEach((v, i) => expect(Math.abs(v - b[j].data[i])).toBeLessThan(1e-12)));
  });

  it.each(['scu', 'ocu'] as const)('recovers a teacher’s weights from its own sums (λ → 0, %s)', (cascade) => {
    const xBar = randn(200, 2, 4);
    const f = fanIns(arch);
    const teacher = arch.layers.slice(1).map((d, i) => randn(f[i], d, 40 + i, 0.5));
    const ops = new Float64Ops();
    // The teacher's true sums on X̄ are exactly achievable targets.
    const sums: Matrix[] = [];
    const acts: Matrix[] = [xBar];
    for (let l = 1; l < arch.layers.length; l++) {
      const cols = [{ rows: 200, cols: 1, data: new Float64Array(200).fill(1) }, ...acts];
      const a = ops.concatCols(cols.map((c) => ops.constant(c.data, c.rows, c.cols)));
      const s = matmulF64(a.value, teacher[l - 1]);
      sums.push(s);
      acts.push({ rows: 200, cols: s.cols, data: s.data.map((v) => (l < arch.layers.length - 1 ? Math.tanh(v) : v)) });
    }
    const real = realise(
      ops,
      arch,
      ops.constant(xBar.data, 200, 2),
      sums.map((s) => ops.constant(s.data, s.rows, s.cols)),
      1e-10,
      cascade,
    );
    real.weights.forEach((w, j) => {
      const err = Math.max(...w.value.data.map((v, i) => Math.abs(v - teacher[j].data[i])));
      expect(err, `layer ${j}`).toBeLessThan(1e-6);
    });
  });

  it('SCU and OCU differ outside exactly achievable targets', () => {
    const xBar = randn(20, 2, 5);
    const targets = arch.layers.slice(1).map((d, i) => randn(20, d, 50 + i));
    const ops = new Float64Ops();
    const t = targets.map((m) => ops.constant(m.data, m.rows, m.cols));
    const x = ops.constant(xBar.data, 20, 2);
    const scu = realise(ops, arch, x, t, 1e-3, 'scu');
    const ocu = realise(ops, arch, x, t, 1e-3, 'ocu');
    // The first layer sees only X̄, so it agrees; later layers see different inputs.
    expect(Array.from(scu.weights[0].value.data)).toEqual(Array.from(ocu.weights[0].value.data));
    expect(Math.max(...scu.weights[2].value.data.map((v, i) => Math.abs(v - ocu.weights[2].value.data[i])))).toBeGreaterThan(1e-3);
  });

  it('puts the bias in row 0 and shortcut blocks in ascending layer order', () => {
    // A layer whose target is exactly 3 + 2·x₁ − x₂ on the inputs: W = [3; 2; −1].
    const lin = resolveDenseArchitecture('test', { layers: [2, 1], activation: 'linear' });
    const xBar = randn(30, 2, 6);
    const t = { rows: 30, cols: 1, data: Float64Array.from({ length: 30 }, (_, i) => 3 + 2 * xBar.data[2 * i] - xBar.data[2 * i + 1]) };
    const ops = new Float64Ops();
    const w = realise(ops, lin, ops.constant(xBar.data, 30, 2), [ops.constant(t.data, 30, 1)], 1e-12, 'scu').weights[0].value;
    expect(w.rows).toBe(3);
    expect(w.data[0]).toBeCloseTo(3, 8);
    expect(w.data[1]).toBeCloseTo(2, 8);
    expect(w.data[2]).toBeCloseTo(-1, 8);
  });

  it('realised weights meet achievable targets exactly: the targets a teacher network achieves give back its weights (SCU, λ → 0)', () => {
    // A deep shortcut teacher: its sums on X̄ are achievable by construction, so SCU must recover every weight.
    const teacherArch = resolveDenseArchitecture('test', { layers: [3, 6, 5, 2], activation: 'tanh', shortcuts: true });
    const xBar = randn(40, 3, 71);
    const teacher = fanIns(teacherArch).map((f, i) => randn(f, teacherArch.layers[i + 1], 80 + i, 0.7));
    const ops = new Float64Ops();
    const x = ops.constant(xBar.data, 40, 3);
    // The teacher's pre-activation sums on X̄, layer by layer (the realisation pass with the teacher's weights).
    const sums: Matrix[] = [];
    const acts: Matrix[] = [xBar];
    teacher.forEach((w, i) => {
      const blocks = [{ rows: 40, cols: 1, data: new Float64Array(40).fill(1) }, ...acts];
      const cols = blocks.reduce((c, b) => c + b.cols, 0);
      const input = new Float64Array(40 * cols);
      for (let r = 0; r < 40; r++) {
        let o = 0;
        for (const b of blocks) {
          input.set(b.data.subarray(r * b.cols, (r + 1) * b.cols), r * cols + o);
          o += b.cols;
        }
      }
      const s = matmulF64({ rows: 40, cols, data: input }, w);
      sums.push(s);
      if (i < teacher.length - 1) acts.push({ rows: 40, cols: s.cols, data: s.data.map(Math.tanh) });
    });
    const realised = realise(
      ops,
      teacherArch,
      x,
      sums.map((s) => ops.constant(s.data, s.rows, s.cols)),
      1e-12,
      'scu',
    );
    realised.weights.forEach((w, j) => {
      const err = Math.max(...w.value.data.map((v, i) => Math.abs(v - teacher[j].data[i])));
      expect(err, `layer ${j + 2}`).toBeLessThan(1e-6);
    });
  });
});

describe('Alg. 4 for every hidden activation, and dropout masks in both passes', () => {
  it.each(['sigmoid', 'relu', 'leakyRelu', 'linear'] as const)('explicit Alg. 4 = one-tape autodiff with %s hidden units (SCU and OCU)', (activation) => {
    for (const cascade of ['scu', 'ocu'] as const) {
      const arch = resolveDenseArchitecture('test', { layers: [2, 5, 5, 2], shortcuts: true, activation });
      const xBar = randn(20, 2, 1);
      const x = randn(7, 2, 2);
      const targets = arch.layers.slice(1).map((d, i) => randn(20, d, 10 + i));
      const { ops, t, loss, real } = lossOfTargets(arch, xBar, x, targets, 1e-3, cascade);
      const tape = ops.tape.gradients(loss, t);
      const g = weightGradients(
        arch,
        x,
        real.weights.map((w) => w.value),
      );
      const alg4 = targetGradients(arch, xBar, targets, g, { lambda: 1e-3, cascade });
      for (let j = 0; j < tape.length; j++) {
        const scale = Math.max(...tape[j].data.map(Math.abs));
        expect(scale, `${cascade} layer ${j}`).toBeGreaterThan(0);
        const diff = Math.max(...tape[j].data.map((v, i) => Math.abs(v - alg4[j].data[i])));
        expect(diff / scale, `${cascade} layer ${j}`).toBeLessThan(1e-9);
      }
    }
  });

  it('rejects targets and weight gradients of the wrong count or shape by name', () => {
    const arch = resolveDenseArchitecture('test', { layers: [2, 3, 2] });
    const xBar = randn(6, 2, 1);
    const targets = [randn(6, 3, 2), randn(6, 2, 3)];
    const grads = [randn(3, 3, 4), randn(4, 2, 5)];
    const opts = { lambda: 0.1, cascade: 'scu' as const };
    expect(targetGradients(arch, xBar, targets, grads, opts).map((m) => [m.rows, m.cols])).toEqual([
      [6, 3],
      [6, 2],
    ]);
    expect(() => targetGradients(arch, randn(6, 3, 1), targets, grads, opts)).toThrow(/argument 'xBar'/);
    expect(() => targetGradients(arch, xBar, targets.slice(1), grads, opts)).toThrow(/argument 'targets' must hold 2 matrices/);
    expect(() => targetGradients(arch, xBar, targets, grads.slice(1), opts)).toThrow(/argument 'weightGradients' must hold 2 matrices/);
    expect(() => targetGradients(arch, xBar, [randn(5, 3, 2), targets[1]], grads, opts)).toThrow(/argument 'targets\[0\]'/);
    expect(() => targetGradients(arch, xBar, [randn(6, 4, 2), targets[1]], grads, opts)).toThrow(/argument 'targets\[0\]'/);
    expect(() => targetGradients(arch, xBar, targets, [grads[0], randn(4, 3, 5)], opts)).toThrow(/argument 'weightGradients\[1\]'/);
    expect(() => targetGradients(arch, xBar, targets, [randn(2, 3, 4), grads[1]], opts)).toThrow(/argument 'weightGradients\[0\]'/);
  });

  /** A row-constant dropout mask for a hidden layer of width `d` on `n` rows: unit j is scaled by `scale[j]`. */
  const columnMask = (ops: Float64Ops, n: number, scale: number[]) =>
    ops.constant(
      Float64Array.from({ length: n * scale.length }, (_, i) => scale[i % scale.length]),
      n,
      scale.length,
    );

  it('realise multiplies each masked hidden layer’s activations by its mask before the next layer sees them', () => {
    const arch = resolveDenseArchitecture('test', { layers: [2, 4, 3, 2], activation: 'tanh' });
    const xBar = randn(12, 2, 6);
    const ops = new Float64Ops();
    const targets = arch.layers.slice(1).map((d, i) => ops.constant(randn(12, d, 60 + i).data, 12, d));
    const masks = [null, columnMask(ops, 12, [0, 2, 2, 0]), columnMask(ops, 12, [2, 0, 2])];
    const x = ops.constant(xBar.data, 12, 2);
    const masked = realise(ops, arch, x, targets, 1e-3, 'scu', masks);
    const plain = realise(ops, arch, x, targets, 1e-3, 'scu');
    for (const l of [1, 2]) {
      const s = masked.sums[l - 1].value.data;
      const scale = l === 1 ? [0, 2, 2, 0] : [2, 0, 2];
      const expected = Array.from(s, (v, i) => Math.tanh(v) * scale[i % scale.length]);
      expect(Array.from(masked.activations[l].value.data), `layer ${l}`).toEqual(expected);
    }
    // The output layer is linear and unmasked: its activations are its sums (logits).
    expect(masked.activations).toHaveLength(4);
    expect(Array.from(masked.activations[3].value.data)).toEqual(Array.from(masked.sums[2].value.data));
    // The first layer sees only X̄; the masks change what every later layer is solved from.
    expect(Array.from(masked.weights[0].value.data)).toEqual(Array.from(plain.weights[0].value.data));
    for (const j of [1, 2]) expect(maxDiff(masked.weights[j].value, plain.weights[j].value), `W${j}`).toBeGreaterThan(1e-3);
  });

  it('feedForward applies hidden-layer masks: a column mask equals scaling the next weight rows', () => {
    const arch = resolveDenseArchitecture('test', { layers: [2, 4, 3, 2], activation: 'tanh' });
    const fans = fanIns(arch);
    const weights = arch.layers.slice(1).map((d, i) => randn(fans[i], d, 70 + i));
    const x = randn(9, 2, 8);
    const ops = new Float64Ops();
    const run = (w: Matrix[], masks?: Array<ReturnType<Float64Ops['constant']> | null>) =>
      feedForward(
        ops,
        arch,
        ops.constant(x.data, 9, 2),
        w.map((m) => ops.constant(m.data, m.rows, m.cols)),
        masks,
      ).value;
    const scales = [
      [0, 2, 2, 0],
      [2, 0, 2],
    ];
    // Unit j of hidden layer l feeds row 1 + j of W_{l+1} (row 0 is the bias).
    const scaled = weights.map((w, i) => {
      if (i === 0) return w;
      const s = scales[i - 1];
      return { ...w, data: w.data.map((v, k) => (Math.floor(k / w.cols) === 0 ? v : v * s[Math.floor(k / w.cols) - 1])) };
    });
    const masked = run(weights, [null, columnMask(ops, 9, scales[0]), columnMask(ops, 9, scales[1])]);
    expect(maxDiff(masked, run(scaled))).toBeLessThan(1e-12);
    expect(maxDiff(masked, run(weights))).toBeGreaterThan(1e-3);
    // A mask on one layer only, the other left null.
    const oneMask = run(weights, [null, null, columnMask(ops, 9, scales[1])]);
    expect(maxDiff(oneMask, run([weights[0], weights[1], scaled[2]]))).toBeLessThan(1e-12);
  });
});

function maxDiff(a: Matrix, b: Matrix): number {
  return Math.max(...a.data.map((v, i) => Math.abs(v - b.data[i])));
}
