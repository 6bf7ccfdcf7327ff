import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, Tape, createRng, type Matrix } from '@beyond-backprop/core-linalg';
import { DenseBackpropF64 } from '../src/dense-backprop-f64.js';
import { Float64Ops, fanIns, feedForward, resolveDenseArchitecture, type Activation, type ResolvedDenseArchitecture } from '../src/index.js';

function randn(rows: number, cols: number, seed: number, std = 1): Matrix {
  const rng = createRng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal(0, std)) };
}

function weightsFor(arch: ResolvedDenseArchitecture, seed: number): Matrix[] {
  return fanIns(arch).map((f, i) => randn(f, arch.layers[i + 1], seed + i, 0.6));
}

/** Loss and ∂L/∂W by the recorded tape: `feedForward` + loss + `Tape.gradients` (what the step replaces). */
function byTape(arch: ResolvedDenseArchitecture, x: Matrix, y: Int32Array | Float32Array, weights: Matrix[]) {
  const ops = new Float64Ops(new Tape());
  const w = weights.map((m) => ops.variable(m));
  const logits = feedForward(ops, arch, ops.constant(x.data, x.rows, x.cols), w);
  const loss = y instanceof Int32Array ? ops.softmaxCrossEntropy(logits, y) : ops.meanSquaredError(logits, y);
  return { loss: loss.scalar(), grads: ops.tape.gradients(loss, w).map((g) => g.data) };
}

/** Bit for bit: the step adds the same terms in the same order as the tape. */
function expectSame(got: Float64Array, want: Float64Array, label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Object.is(got[i], want[i]), `${label}[${i}]: ${got[i]} vs ${want[i]}`).toBe(true);
}

describe('DenseBackpropF64 (allocation-free float64 backprop step)', () => {
  const activations: Activation[] = ['tanh', 'sigmoid', 'relu', 'leakyRelu', 'linear'];
  for (const activation of activations) {
    for (const shortcuts of [true, false]) {
      it(`equals the tape's loss and gradients bit for bit: ${activation}, ${shortcuts ? 'shortcuts' : 'chain'}, cross-entropy and MSE`, () => {
        const arch = resolveDenseArchitecture('test', { layers: [3, 4, 5, 3], shortcuts, activation });
        const x = randn(9, 3, 11);
        const labels = Int32Array.from([0, 2, 1, -1, 2, 2, 0, 1, -1]);
        const targets = Float32Array.from(randn(9, 3, 12).data);
        const weights = weightsFor(arch, 20);
        const bp = new DenseBackpropF64(arch);
        for (const y of [labels, targets]) {
          const want = byTape(arch, x, y, weights);
          const loss = bp.step(
            weights.map((w) => w.data),
            x.data,
            y,
            9,
          );
          expect(Object.is(loss, want.loss)).toBe(true);
          bp.grads.forEach((g, i) => expectSame(g, want.grads[i], `W${i + 1}`));
        }
      });
    }
  }

  it('matches central finite differences of its own loss (tanh, shortcuts)', () => {
    const arch = resolveDenseArchitecture('test', { layers: [2, 5, 5, 2], shortcuts: true });
    const x = randn(7, 2, 3);
    const y = Int32Array.from([0, 1, 1, 0, 1, 0, 1]);
    const weights = weightsFor(arch, 5).map((w) => w.data);
    const bp = new DenseBackpropF64(arch);
    bp.step(weights, x.data, y, 7);
    const grads = bp.grads.map((g) => g.slice());
    const h = 1e-6;
    for (let l = 0; l < weights.length; l++) {
      for (let i = 0; i < weights[l].length; i += 3) {
        const keep = weights[l][i];
        weights[l][i] = keep + h;
        const up = bp.step(weights, x.data, y, 7);
        weights[l][i] = keep - h;
        const down = bp.step(weights, x.data, y, 7);
        weights[l][i] = keep;
        expect(Math.abs((up - down) / (2 * h) - grads[l][i])).toBeLessThan(1e-8);
      }
    }
  });

  it('reuses its buffers across batch sizes without mixing them up', () => {
    const arch = resolveDenseArchitecture('test', { layers: [2, 3, 3, 2], shortcuts: false, activation: 'relu' });
    const weights = weightsFor(arch, 7);
    const bp = new DenseBackpropF64(arch);
    const big = randn(6, 2, 1);
    const small = randn(2, 2, 2);
    const yBig = Int32Array.from([0, 1, 0, 1, 1, 0]);
    const ySmall = Int32Array.from([1, 1]);
    for (let round = 0; round < 3; round++) {
      for (const [x, y] of [
        [big, yBig],
        [small, ySmall],
      ] as const) {
        const want = byTape(arch, x, y, weights);
        expect(
          bp.step(
            weights.map((w) => w.data),
            x.data,
            y,
            x.rows,
          ),
        ).toBeCloseTo(want.loss, 14);
        bp.grads.forEach((g, i) => expectSame(g, want.grads[i], `round ${round}, n ${x.rows}, W${i + 1}`));
      }
    }
  });

  it('names the bad argument: weight count and shapes, n, x, y and labels out of range', () => {
    const arch = resolveDenseArchitecture('test', { layers: [2, 3, 2], shortcuts: true });
    const w = weightsFor(arch, 1).map((m) => m.data);
    const bp = new DenseBackpropF64(arch);
    const x = new Float64Array(4);
    const y = Int32Array.from([0, 1]);
    expect(() => bp.step(w.slice(1), x, y, 2)).toThrow(ShapeError);
    expect(() => bp.step([w[0], new Float64Array(3)], x, y, 2)).toThrow(/weights\[1\]/);
    expect(() => bp.step(w, x, y, 0)).toThrow(InvalidArgumentError);
    expect(() => bp.step(w, new Float64Array(5), y, 2)).toThrow(/'x'|x/);
    expect(() => bp.step(w, x, Int32Array.from([0]), 2)).toThrow(/y/);
    expect(() => bp.step(w, x, new Float32Array(3), 2)).toThrow(ShapeError);
    expect(() => bp.step(w, x, Int32Array.from([0, 2]), 2)).toThrow(/y\[1\]/);
  });
});
