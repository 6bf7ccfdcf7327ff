import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, createRng, gradCheck, initBackend, type Matrix } from '@beyond-backprop/core-linalg';
import {
  PseudoConvolution,
  RecLraNetwork,
  disposeUpdates,
  errorParents,
  layerSignal,
  layerUpdate,
  projectToBall,
  resolveActivation,
  synapseUpdate,
  type Activation,
  type ErrorWiring,
  type RecLraConfig,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const relErr = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / Math.max(tf.norm(b).dataSync()[0], 1e-30));
const cosine = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0] / (tf.norm(a).dataSync()[0] * tf.norm(b).dataSync()[0]));
const closeTo = (actual: tf.Tensor, expected: number[][] | number[], tol = 1e-5) => {
  const flat = (expected as number[]).flat();
  values(actual).forEach((v, i) => expect(Math.abs(v - flat[i])).toBeLessThan(tol));
};

function batch(seed: number, n: number, d: number, k: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  return {
    x: rng.normalTensor([n, d]) as tf.Tensor2D,
    y: tf.tensor1d(
      Array.from({ length: n }, () => rng.int(k)),
      'int32',
    ),
  };
}

function net(config: Partial<RecLraConfig> & { layerSizes: number[] }): RecLraNetwork {
  return new RecLraNetwork({ clip: 0, init: { sigmaW: 0.5 }, learningRate: 0.01, seed: 3, ...config });
}

/** BP gradients of mean-CE w.r.t. every W of a plain MLP with the network's weights. */
function bpGradients(n: RecLraNetwork, x: tf.Tensor2D, y: tf.Tensor1D, phi: (h: tf.Tensor) => tf.Tensor): tf.Tensor[] {
  const ws = n.weights.map((w) => w.clone());
  const grads = tf.grads((...p: tf.Tensor[]) => {
    let a: tf.Tensor = x;
    p.forEach((w, l) => {
      const h = tf.add(tf.matMul(a, w), n.biases[l]);
      a = l === p.length - 1 ? h : phi(h);
    });
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y, a.shape[1]!), a) as tf.Scalar;
  })(ws);
  tf.dispose(ws);
  return grads;
}

describe('update re-projection (P2 "Update Re-Projection", P3 Normalize)', () => {
  it('‖Nm(Δ, c)‖ = min(‖Δ‖, c), direction kept, c = 0 is the identity, forced mode gives exactly c, zero stays zero', () => {
    tf.tidy(() => {
      const d = tf.tensor2d([
        [3, 0],
        [0, 4],
      ]);
      const big = projectToBall(d, 1);
      expect(tf.norm(big).dataSync()[0]).toBeCloseTo(1, 6);
      expect(cosine(big, d)).toBeCloseTo(1, 6);
      closeTo(projectToBall(d, 10), [
        [3, 0],
        [0, 4],
      ]);
      closeTo(projectToBall(d, 0), [
        [3, 0],
        [0, 4],
      ]);
      expect(tf.norm(projectToBall(tf.tensor1d([0.03, 0.04]), 2, { force: true })).dataSync()[0]).toBeCloseTo(2, 5);
      const zero = projectToBall(tf.zeros([3]), 1, { force: true });
      expect(values(zero)).toEqual([0, 0, 0]);
      expect(() => projectToBall(d, -1)).toThrow(/argument 'c' must be a finite number ≥ 0/);
    });
  });
});

describe('error wiring (P2 Sec. 3.2, footnote 2)', () => {
  it('builds chain, direct, skip and residual parents and rejects multiple parents, upward edges and missing layers', () => {
    expect(errorParents({ kind: 'chain' }, 4)).toEqual([-1, 2, 3, 4, -1]);
    expect(errorParents({ kind: 'direct' }, 4)).toEqual([-1, 4, 4, 4, -1]);
    expect(errorParents({ kind: 'skip', g: 2 }, 5)).toEqual([-1, 2, 5, 4, 5, -1]);
    expect(errorParents({ kind: 'residual', g: 3 }, 7)).toEqual([-1, 2, 3, 7, 5, 6, 7, -1]);
    expect(errorParents({ kind: 'custom', parent: { 1: 3, 2: 3 } }, 3)).toEqual([-1, 3, 3, -1]);
    expect(() => errorParents({ kind: 'custom', parent: { 1: 1, 2: 3 } }, 3)).toThrow(/wiring.parent\[1\]' must be an integer layer above 1/);
    expect(() => errorParents({ kind: 'custom', parent: { 1: 2, 2: 1 } }, 3)).toThrow(InvalidArgumentError); // a cycle needs an upward edge
    expect(() =>
      errorParents(
        {
          kind: 'custom',
          parent: [
            [1, 2],
            [1, 3],
            [2, 3],
          ],
        },
        3,
      ),
    ).toThrow(/only one parent/);
    expect(() => errorParents({ kind: 'custom', parent: { 2: 3 } }, 3)).toThrow(/wiring.parent\[1\]' is missing/);
    expect(() => errorParents({ kind: 'skip', g: 0 }, 3)).toThrow(/wiring.g/);
    expect(() => errorParents({ kind: 'ring' } as unknown as ErrorWiring, 3)).toThrow(/wiring.kind/);
  });
});

describe('rec-LRA updates (P2 Alg. 1, Eqs. 2–3)', () => {
  it('T1: updates have the shapes of W, b, E, and are all zero when every error is zero', () => {
    const n = net({ layerSizes: [3, 4, 5, 2], beta: 0 });
    const { x, y } = batch(1, 6, 3, 2);
    const u = n.computeUpdates(x, y);
    u.weights.forEach((w, i) => expect(w.shape).toEqual(n.weights[i].shape));
    u.biases.forEach((b, i) => expect(b.shape).toEqual(n.biases[i].shape));
    u.synapses.forEach((e, i) => expect(e!.shape).toEqual(n.synapses[i + 1]!.shape));
    disposeUpdates(u);
    // Y := Z_L and β = 0: no error anywhere.
    const out = n.predict(x);
    const z = n.computeUpdates(x, out);
    for (const t of [...z.weights, ...z.biases, ...z.synapses]) expect(Math.max(...values(t!).map(Math.abs))).toBeLessThan(1e-7);
    disposeUpdates(z);
    tf.dispose([x, y, out]);
    n.dispose();
  });

  it('T2: at a softmax output ΔW_L and Δb_L are the cross-entropy gradient (also a float64 finite-difference check)', () => {
    const n = net({ layerSizes: [3, 4, 3] });
    const { x, y } = batch(2, 5, 3, 3);
    const u = n.computeUpdates(x, y);
    const z1 = tf.tidy(() => tf.tanh(tf.add(tf.matMul(x, n.weights[0]), n.biases[0])));
    const [gw, gb] = tf.grads((w: tf.Tensor, b: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), tf.add(tf.matMul(z1, w), b)) as tf.Scalar)([
      n.weights[1],
      n.biases[1],
    ]);
    expect(relErr(u.weights[1], gw!)).toBeLessThan(1e-5);
    expect(relErr(u.biases[1], gb!)).toBeLessThan(1e-5);
    // Float64 reference: mean CE of softmax(Z1·W + b) differenced in float64.
    const zRows = tf.tidy(() => tf.concat([z1, tf.ones([5, 1])], 1)).arraySync() as number[][];
    const labels = values(y);
    const ce = (wb: Matrix) => {
      let s = 0;
      zRows.forEach((row, i) => {
        const logits = Array.from({ length: 3 }, (_, c) => row.reduce((acc, v, r) => acc + v * wb.data[r * 3 + c], 0));
        const m = Math.max(...logits);
        const lse = m + Math.log(logits.reduce((acc, v) => acc + Math.exp(v - m), 0));
        s += lse - logits[labels[i]];
      });
      return s / zRows.length;
    };
    const wb: Matrix = { rows: 5, cols: 3, data: Float64Array.from([...values(n.weights[1]), ...values(n.biases[1])]) };
    const analytic: Matrix = { rows: 5, cols: 3, data: Float64Array.from([...values(u.weights[1]), ...values(u.biases[1])]) };
    const check = gradCheck(ce, [wb], { gradient: () => [analytic], tolerance: 1e-4 });
    expect(check.passed, `rel. err ${check.maxRelativeError}`).toBe(true);
    tf.dispose([x, y, z1, gw!, gb!]);
    disposeUpdates(u);
    n.dispose();
  });

  it('T3: with E := Wᵀ and chain wiring, ΔW_ℓ/β^(L−ℓ) tends to the backprop gradient (β = 1e-2, 4-5-5-3 tanh)', () => {
    const beta = 1e-2;
    const n = net({ layerSizes: [4, 5, 5, 3], beta, errorSynapses: { rule: 'none' } });
    for (let i = 1; i < 3; i++) n.synapses[i]!.assign(n.weights[i]!.transpose());
    const { x, y } = batch(3, 8, 4, 3);
    const u = n.computeUpdates(x, y);
    const bp = bpGradients(n, x, y, tf.tanh);
    for (let l = 1; l <= 3; l++) {
      const scaled = tf.div(u.weights[l - 1], beta ** (3 - l));
      expect(cosine(scaled, bp[l - 1]), `layer ${l}`).toBeGreaterThan(0.9999);
      expect(relErr(scaled, bp[l - 1]), `layer ${l}`).toBeLessThan(l === 3 ? 1e-5 : 1e-2);
      scaled.dispose();
    }
    tf.dispose([x, y, ...bp]);
    disposeUpdates(u);
    n.dispose();
  });

  it('T3/T4: linear φ makes the BP limit exact for any β; direct wiring gives the DFA update', () => {
    const linear = net({ layerSizes: [4, 5, 5, 3], hiddenActivation: 'linear', beta: 0.7, errorSynapses: { rule: 'none' } });
    for (let i = 1; i < 3; i++) linear.synapses[i]!.assign(linear.weights[i]!.transpose());
    const { x, y } = batch(4, 8, 4, 3);
    const u = linear.computeUpdates(x, y);
    const bp = bpGradients(linear, x, y, (h) => h);
    for (let l = 1; l <= 3; l++) {
      const scaled = tf.div(u.weights[l - 1], 0.7 ** (3 - l));
      expect(relErr(scaled, bp[l - 1])).toBeLessThan(1e-5);
      scaled.dispose();
    }
    disposeUpdates(u);
    tf.dispose(bp);
    linear.dispose();
    // DFA: ΔW_ℓ/β → (1/n) Z_{ℓ−1}ᵀ[(Err_L E_ℓ) ⊙ φ'(H_ℓ)], tanh, β = 1e-3.
    const beta = 1e-3;
    const dfa = net({ layerSizes: [4, 5, 5, 3], wiring: { kind: 'direct' }, beta, errorSynapses: { rule: 'none' } });
    const v = dfa.computeUpdates(x, y, { keepSignals: true });
    const { h, z } = dfa.forward(x);
    const errL = v.errors![2];
    for (const l of [1, 2]) {
      const expected = tf.tidy(() => tf.div(tf.matMul(z[l - 1]!, tf.mul(tf.matMul(errL, dfa.synapses[l]!), tf.sub(1, tf.square(tf.tanh(h[l]!)))), true), 8));
      const scaled = tf.div(v.weights[l - 1], beta);
      expect(relErr(scaled, expected), `layer ${l}`).toBeLessThan(2e-3);
      tf.dispose([expected, scaled]);
    }
    tf.dispose([...h.slice(1), ...z.slice(1)] as tf.Tensor[]);
    disposeUpdates(v);
    tf.dispose([x, y]);
    dfa.dispose();
  });

  it('§2.9 hand example: every printed value of the 2-2-2 network (abs. err < 1e-5)', () => {
    const n = net({ layerSizes: [2, 2, 2], beta: 0.1, gammaE: 1 });
    n.weights[0].assign(
      tf.tensor2d([
        [0.5, -0.5],
        [0.25, 0.75],
      ]),
    );
    n.weights[1].assign(
      tf.tensor2d([
        [1, -1],
        [0.5, 0.5],
      ]),
    );
    n.synapses[1]!.assign(
      tf.tensor2d([
        [0.3, -0.2],
        [0.1, 0.4],
      ]),
    );
    const x = tf.tensor2d([[1, -1]]);
    const y = tf.tensor2d([[0, 1]]);
    const u = n.computeUpdates(x, y, { keepSignals: true });
    closeTo(u.errors![1], [0.620068, -0.620068]);
    closeTo(u.displacements![0]!, [0.124014, -0.372041]);
    closeTo(u.errors![0], [0.011692, -0.010767]);
    closeTo(u.weights[1], [
      [0.151866, -0.151866],
      [-0.525994, 0.525994],
    ]);
    closeTo(u.weights[0], [
      [0.011692, -0.010767],
      [-0.011692, 0.010767],
    ]);
    closeTo(u.synapses[0]!, [
      [-0.076897, 0.230691],
      [0.076897, -0.230691],
    ]);
    disposeUpdates(u);
    tf.dispose([x, y]);
    n.dispose();
  });

  it('T5: a small step along −ΔW_ℓ does not move a single example away from its fixed target', () => {
    const n = net({ layerSizes: [3, 4, 4, 2], beta: 0.5 });
    const { x, y } = batch(5, 1, 3, 2);
    const u = n.computeUpdates(x, y, { keepSignals: true });
    const { h, z } = n.forward(x);
    for (const l of [1, 2]) {
      const target = tf.sub(z[l], u.errors![l - 1]);
      const dist = (w: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(tf.tanh(tf.add(tf.matMul(z[l - 1], w), n.biases[l - 1])), target)).dataSync()[0]);
      const before = dist(n.weights[l - 1]);
      const after = tf.tidy(() => dist(tf.sub(n.weights[l - 1], tf.mul(1e-3, u.weights[l - 1]))));
      expect(after, `layer ${l}`).toBeLessThan(before);
      target.dispose();
    }
    tf.dispose([...h.slice(1), ...z.slice(1)] as tf.Tensor[]);
    disposeUpdates(u);
    tf.dispose([x, y]);
    n.dispose();
  });

  it('T6: no tape and no activation derivative — autograd is never entered and sign units work', () => {
    const gradients = vi.spyOn(tf.engine(), 'gradients').mockImplementation(() => {
      throw new Error('autograd used');
    });
    const noDerivative: Activation = {
      name: 'tanh-without-derivative',
      apply: (h) => tf.tanh(h),
      derivative: () => {
        throw new Error('derivative used');
      },
    };
    const { x, y } = batch(6, 16, 3, 2);
    for (const hiddenActivation of [noDerivative, 'sign' as const]) {
      const n = net({ layerSizes: [3, 6, 6, 2], hiddenActivation, errorSynapses: { rule: 'alg2' } });
      const before = values(n.weights[0]);
      expect(Number.isFinite(n.trainStep(x, y))).toBe(true);
      expect(values(n.weights[0])).not.toEqual(before);
      n.dispose();
    }
    expect(gradients).not.toHaveBeenCalled();
    tf.dispose([x, y]);
  });

  it('T9 and T8: the recursive Alg. 1 equals the iterative schedule, and update loops in any order give identical bits', () => {
    const wirings: ErrorWiring[] = [{ kind: 'chain' }, { kind: 'skip', g: 2 }, { kind: 'direct' }, { kind: 'custom', parent: { 1: 3, 2: 5, 3: 5, 4: 5 } }];
    const { x, y } = batch(7, 6, 3, 3);
    const yHot = tf.oneHot(y, 3).toFloat() as tf.Tensor2D;
    const phi = resolveActivation('test', 'phi', 'tanh');
    for (const wiring of wirings) {
      const n = net({ layerSizes: [3, 4, 4, 4, 4, 3], wiring, beta: 0.3 });
      const u = n.computeUpdates(x, yHot, { keepSignals: true });
      const { h, z } = n.forward(x);
      const L = 5;
      const err: tf.Tensor2D[] = [];
      // P2 Alg. 1 COMPUTESIGNALS, written recursively over the children of each error node.
      const children = (j: number) => [1, 2, 3, 4].filter((i) => n.parents[i] === j);
      const signals = (l: number, target: tf.Tensor2D) => {
        err[l] = tf.sub(z[l], target) as tf.Tensor2D;
        for (const i of children(l)) {
          const s = layerSignal(err[l]!, h[i]!, z[i]!, n.synapses[i]!, 0.3, phi);
          const tgt = tf.sub(z[i], s.error) as tf.Tensor2D;
          signals(i, tgt);
          tf.dispose([s.displacement, s.error, tgt]);
        }
      };
      signals(L, yHot);
      for (let l = 1; l <= L; l++) expect(values(err[l]), `${wiring.kind} Err_${l}`).toEqual(values(u.errors![l - 1]));
      // Update loop in a shuffled order from the same signals: bit-identical.
      const order = createRng(wiring.kind)
        .permutation(L)
        .map((i) => i + 1);
      for (const l of order) {
        const lu = layerUpdate(z[l - 1], u.errors![l - 1], 1, 0);
        expect(values(lu.weights)).toEqual(values(u.weights[l - 1]));
        expect(values(lu.bias)).toEqual(values(u.biases[l - 1]));
        if (l < L) {
          const de = synapseUpdate(u.errors![n.parents[l]! - 1]!, u.displacements![l - 1]!, 1, 0);
          expect(values(de)).toEqual(values(u.synapses[l - 1]!));
          de.dispose();
        }
        tf.dispose([lu.weights, lu.bias]);
      }
      tf.dispose([...err.filter(Boolean), ...h.slice(1), ...z.slice(1)] as tf.Tensor[]);
      disposeUpdates(u);
      n.dispose();
    }
    tf.dispose([x, y, yHot]);
  });
});

describe('residual rec-LRA (P2 Sec. 3.3, Alg. 2)', () => {
  it('T10: a zeroed block output passes φ(Z_{ℓ−g}) on; no skip from the input, across widths or into the output', () => {
    const n = net({ layerSizes: [3, 4, 4, 4, 4, 2], wiring: { kind: 'residual', g: 2 } });
    expect([1, 2, 3, 4, 5].map((l) => n.hasSkip(l))).toEqual([false, false, false, true, false]);
    n.weights[3].assign(tf.zeros([4, 4]));
    const { x } = batch(8, 5, 3, 2);
    const { h, z } = n.forward(x);
    expect(relErr(z[4], tf.tanh(z[2]))).toBeLessThan(1e-7);
    const narrow = net({ layerSizes: [3, 4, 4, 5, 5, 2], wiring: { kind: 'residual', g: 2 } });
    expect(narrow.hasSkip(4)).toBe(false);
    tf.dispose([x, ...h.slice(1), ...z.slice(1)] as tf.Tensor[]);
    n.dispose();
    narrow.dispose();
  });

  it('T8: perturbing the synapse of block k changes the error neurons of block k only', () => {
    const n = net({ layerSizes: [3, 4, 4, 4, 4, 4, 4, 3], wiring: { kind: 'residual', g: 2 } });
    const { x, y } = batch(9, 6, 3, 3);
    const a = n.computeUpdates(x, y, { keepSignals: true });
    n.synapses[4]!.assign(tf.mul(n.synapses[4]!, 3));
    const b = n.computeUpdates(x, y, { keepSignals: true });
    const changed = [1, 2, 3, 4, 5, 6, 7].filter((l) => relErr(a.errors![l - 1], b.errors![l - 1]) > 0);
    expect(changed).toEqual([3, 4]);
    disposeUpdates(a);
    disposeUpdates(b);
    tf.dispose([x, y]);
    n.dispose();
  });

  it('T11: backprop inside blocks gives the block output the local ΔW_o, and internal layers the BP of ⟨Err_o, H_o⟩/n', () => {
    const sizes = [3, 4, 4, 4, 4, 3];
    const local = net({ layerSizes: sizes, wiring: { kind: 'residual', g: 2 } });
    const bp = net({ layerSizes: sizes, wiring: { kind: 'residual', g: 2 }, blockLearning: 'backprop' });
    bp.weights.forEach((w, i) => w.assign(local.weights[i]));
    for (const o of [2, 4]) bp.synapses[o]!.assign(local.synapses[o]!);
    expect(bp.synapses[1]).toBeNull();
    const { x, y } = batch(10, 7, 3, 3);
    const u = local.computeUpdates(x, y, { keepSignals: true });
    const v = bp.computeUpdates(x, y, { keepSignals: true });
    for (const o of [2, 4, 5]) expect(relErr(v.weights[o - 1], u.weights[o - 1]), `layer ${o}`).toBeLessThan(1e-5);
    // Internal layer 3 of block 2 (layers 3–4): δ_H4 = Err_4/n, ΔW_3 = Z_2ᵀ[(δ_H4·W_4ᵀ) ⊙ tanh'(H_3)].
    const { h, z } = bp.forward(x);
    const expected = tf.tidy(() =>
      tf.matMul(z[2]!, tf.mul(tf.matMul(tf.div(v.errors![3]!, 7), bp.weights[3]!, false, true), tf.sub(1, tf.square(tf.tanh(h[3]!)))), true),
    );
    expect(relErr(v.weights[2], expected)).toBeLessThan(1e-5);
    tf.dispose([expected, x, y, ...h.slice(1), ...z.slice(1)] as tf.Tensor[]);
    disposeUpdates(u);
    disposeUpdates(v);
    local.dispose();
    bp.dispose();
  });
});

describe('pseudo-convolution (P2 Sec. 3.3, PC-1/PC-2)', () => {
  it('T12: shapes, Δw is the exact gradient of (1/2n)‖Z − Ŷ‖² (float64 finite differences too), noise maps stay fixed', () => {
    const pc = new PseudoConvolution({ height: 3, width: 4, inChannels: 2, masks: 5, outChannels: 3, seed: 2 });
    const rng = createRng(11);
    const x = rng.normalTensor([2, 3, 4, 2]) as tf.Tensor4D;
    const { perturbed, output } = pc.forward(x);
    expect(output.shape).toEqual([2, 3, 4, 3]);
    expect(perturbed.shape).toEqual([2, 3, 4, 5]);
    const target = tf.tidy(() => tf.sub(output, tf.mul(0.1, rng.normalTensor([2, 3, 4, 3]))));
    const err = tf.sub(output, target) as tf.Tensor4D;
    const dw = pc.weightUpdate(perturbed, err, 0);
    const [g] = tf.grads(
      (w: tf.Tensor) => tf.div(tf.sum(tf.square(tf.sub(tf.matMul(perturbed.reshape([24, 5]), w).reshape([2, 3, 4, 3]), target))), 4) as tf.Scalar,
    )([pc.weights]);
    expect(relErr(dw, g!)).toBeLessThan(1e-5);
    const pRows = Float64Array.from(perturbed.dataSync());
    const tRows = Float64Array.from(target.dataSync());
    const loss = (w: Matrix) => {
      let s = 0;
      for (let r = 0; r < 24; r++)
        for (let c = 0; c < 3; c++) {
          let o = 0;
          for (let m = 0; m < 5; m++) o += pRows[r * 5 + m] * w.data[m * 3 + c];
          s += (o - tRows[r * 3 + c]) ** 2;
        }
      return s / 4;
    };
    const check = gradCheck(loss, [{ rows: 5, cols: 3, data: Float64Array.from(pc.weights.dataSync()) }], {
      gradient: () => [{ rows: 5, cols: 3, data: Float64Array.from(dw.dataSync()) }],
      tolerance: 1e-4,
    });
    expect(check.passed, `rel. err ${check.maxRelativeError}`).toBe(true);
    const noise = values(pc.noise);
    pc.weights.assign(tf.sub(pc.weights, tf.mul(0.1, dw)));
    expect(values(pc.noise)).toEqual(noise);
    const e = tf.ones(pc.synapseShape(2));
    const d = pc.displacement(tf.ones([2, 2]), e as tf.Tensor2D);
    expect(d.shape).toEqual([2, 3, 4, 3]);
    tf.dispose([x, perturbed, output, target, err, dw, g!, e, d]);
    pc.dispose();
    expect(() => new PseudoConvolution({ height: 0, width: 2, inChannels: 1, outChannels: 1 })).toThrow(/config.height/);
  });

  it('a pseudo-convolution with a softmax read-out learns a toy image task by local updates alone', () => {
    // Class 1 images are bright on the left half, class 0 on the right; 6×6 single-channel, 64 examples.
    const rng = createRng(5);
    const n = 64;
    const xs = new Float32Array(n * 36);
    const ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = i % 2;
      for (let p = 0; p < 36; p++) xs[i * 36 + p] = 0.2 * rng.normal() + (p % 6 < 3 === (ys[i] === 1) ? 1 : 0);
    }
    const x = tf.tensor4d(xs, [n, 6, 6, 1]);
    const yHot = tf.oneHot(tf.tensor1d(ys, 'int32'), 2).toFloat() as tf.Tensor2D;
    const pc = new PseudoConvolution({ height: 6, width: 6, inChannels: 1, masks: 2, outChannels: 2, seed: 1, errorProjection: 'channel' });
    const readout = tf.variable(createRng(2).normalTensor([72, 2], { std: 0.1 }));
    const e = createRng(3).normalTensor(pc.synapseShape(2), { std: 0.5 }) as tf.Tensor2D;
    const accuracyNow = () =>
      tf.tidy(() => {
        const { output } = pc.forward(x);
        return tf.mean(tf.cast(tf.equal(tf.argMax(tf.matMul(output.reshape([n, 72]), readout), 1), tf.argMax(yHot, 1)), 'float32')).dataSync()[0];
      });
    for (let step = 0; step < 60; step++) {
      tf.tidy(() => {
        const { perturbed, output } = pc.forward(x);
        const errOut = tf.sub(tf.softmax(tf.matMul(output.reshape([n, 72]), readout)), yHot) as tf.Tensor2D;
        const errPc = tf.mul(0.5, pc.displacement(errOut, e)) as tf.Tensor4D; // Err = β·D for a linear layer
        const read = layerUpdate(output.reshape([n, 72]) as tf.Tensor2D, errOut, 1, 1);
        readout.assign(tf.sub(readout, tf.mul(0.5, read.weights)));
        pc.weights.assign(tf.sub(pc.weights, tf.mul(0.5, pc.weightUpdate(perturbed, errPc, 1))));
      });
    }
    expect(accuracyNow()).toBeGreaterThanOrEqual(0.95);
    tf.dispose([x, yHot, readout, e]);
    pc.dispose();
  });
});

describe('rec-LRA configuration errors', () => {
  it('names the argument and the expectation', () => {
    expect(() => new RecLraNetwork({ layerSizes: [3] })).toThrow(/config.layerSizes' must be an array \[d0, d1, …, dL\]/);
    expect(() => new RecLraNetwork({ layerSizes: [3, 0, 2] })).toThrow(/config.layerSizes\[1\]/);
    expect(() => new RecLraNetwork({ layerSizes: [3, 2], beta: -1 })).toThrow(/config.beta/);
    expect(() => new RecLraNetwork({ layerSizes: [3, 4, 2], kappa: [1] })).toThrow(/config.kappa' must hold one number per weight layer \(2\)/);
    expect(() => new RecLraNetwork({ layerSizes: [3, 4, 2], hiddenActivation: 'swish' as 'tanh' })).toThrow(/config.hiddenActivation' must be one of/);
    expect(() => new RecLraNetwork({ layerSizes: [3, 4, 2], errorSynapses: { rule: 'hebb' as 'alg2' } })).toThrow(/errorSynapses.rule/);
    expect(() => new RecLraNetwork({ layerSizes: [3, 4, 2], blockLearning: 'backprop' })).toThrow(/needs residual wiring/);
    const n = new RecLraNetwork({ layerSizes: [3, 4, 2] });
    const x = tf.zeros([5, 4]) as tf.Tensor2D;
    expect(() => n.computeUpdates(x, tf.zeros([5, 2]))).toThrow(/argument 'x' must have shape \[n, 3\], got \[5, 4\]/);
    const x3 = tf.zeros([5, 3]) as tf.Tensor2D;
    expect(() => n.computeUpdates(x3, tf.zeros([4, 2]))).toThrow(/argument 'y' must have shape \[n = 5, 2\]/);
    tf.dispose([x, x3]);
    n.dispose();
    expect(() => n.predict(x3)).toThrow(/must not be disposed/);
  });
});
