import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, Tape, gradCheck, matrix, ridgeSolveF64, type Matrix, type TapeNode } from '../src/index.js';
import { dot, randn } from './helpers.js';

/**
 * Checks `op` by finite differences: L = ⟨G, op(inputs)⟩ for a random G, gradients from the tape against central
 * differences of the same float64 forward.
 */
function checkOp(op: (tape: Tape, xs: TapeNode[]) => TapeNode, inputs: Matrix[], seed = 1, tolerance = 1e-7) {
  const loss = (xs: Matrix[]) => {
    const tape = new Tape();
    const nodes = xs.map((x) => tape.variable(x));
    const out = op(tape, nodes);
    return { tape, nodes, out };
  };
  const probe = loss(inputs).out.value;
  const g = randn(probe.rows, probe.cols, seed + 100);
  return gradCheck((...xs) => dot(g, loss(xs).out.value), inputs, {
    gradient: (...xs) => {
      const { tape, nodes, out } = loss(xs);
      const weighted = tape.sum(tape.mul(out, tape.constant(g)));
      return tape.gradients(weighted, nodes);
    },
    tolerance,
  });
}

describe('Tape (float64 reverse-mode autodiff)', () => {
  it('differentiates matmul in all four transpose combinations', () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const a = ta ? randn(4, 3, 1) : randn(3, 4, 1);
      const b = tb ? randn(5, 4, 2) : randn(4, 5, 2);
      const r = checkOp((t, [x, y]) => t.matmul(x!, y!, ta, tb), [a, b]);
      expect(r.passed, `${ta} ${tb}: ${r.maxRelativeError}`).toBe(true);
    }
  });

  it('differentiates elementwise ops, scaling, slicing and concatenation', () => {
    const [a, b, c] = [randn(3, 4, 3), randn(3, 4, 4), randn(2, 4, 5)];
    expect(checkOp((t, [x, y]) => t.add(x!, y!), [a, b]).passed).toBe(true);
    expect(checkOp((t, [x, y]) => t.sub(x!, y!), [a, b]).passed).toBe(true);
    expect(checkOp((t, [x, y]) => t.mul(x!, y!), [a, b]).passed).toBe(true);
    expect(checkOp((t, [x]) => t.scale(x!, -2.5), [a]).passed).toBe(true);
    expect(checkOp((t, [x, y]) => t.concatCols([x!, y!, x!]), [a, b]).passed).toBe(true);
    expect(checkOp((t, [x, y]) => t.concatRows([x!, y!]), [a, c]).passed).toBe(true);
    expect(checkOp((t, [x]) => t.sliceRows(x!, 1, 2), [a]).passed).toBe(true);
    expect(checkOp((t, [x]) => t.sliceCols(x!, 1, 2), [a]).passed).toBe(true);
    expect(checkOp((t, [x]) => t.mean(t.mul(x!, x!)), [a]).passed).toBe(true);
  });

  it('differentiates gatherRows, adding repeated rows’ gradients into the table', () => {
    const table = randn(5, 3, 30);
    const idx = Int32Array.from([4, 0, 4, 2]);
    const r = checkOp((t, [x]) => t.gatherRows(x!, idx), [table]);
    expect(r.passed, String(r.maxRelativeError)).toBe(true);
    // Row 1 and row 3 are never picked: zero gradient.
    const tape = new Tape();
    const v = tape.variable(table);
    const [g] = tape.gradients(tape.sum(tape.gatherRows(v, idx)), [v]);
    expect(Array.from(g!.data.slice(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(g!.data.slice(12, 15))).toEqual([2, 2, 2]);
    expect(() => tape.gatherRows(v, Int32Array.from([5]))).toThrow(/must be a row index in \[0, 5\)/);
  });

  it('recurrence (a recurrent layer unrolled over time) matches the per-step ops and finite differences', () => {
    const [steps, n, d, h] = [5, 3, 2, 4];
    const x = randn(steps * n, d, 40);
    const w = randn(1 + d + h, h, 41, 0.5);
    const unrolled = (xs: Matrix[]) => {
      const tape = new Tape();
      const [xn, wn] = xs.map((m) => tape.variable(m));
      const ones = tape.constant({ rows: n, cols: 1, data: new Float64Array(n).fill(1) });
      let state = tape.constant({ rows: n, cols: h, data: new Float64Array(n * h) });
      const states: TapeNode[] = [];
      for (let t = 0; t < steps; t++) {
        state = tape.activation(tape.matmul(tape.concatCols([ones, tape.sliceRows(xn!, t * n, n), state]), wn!), 'tanh');
        states.push(state);
      }
      return { tape, xn: xn!, wn: wn!, out: tape.concatRows(states) };
    };
    const fused = (xs: Matrix[]) => {
      const tape = new Tape();
      const [xn, wn] = xs.map((m) => tape.variable(m));
      return { tape, xn: xn!, wn: wn!, out: tape.recurrence(xn!, wn!, steps, 'tanh').states };
    };
    const a = unrolled([x, w]);
    const b = fused([x, w]);
    expect(Math.max(...a.out.value.data.map((v, i) => Math.abs(v - b.out.value.data[i])))).toBeLessThan(1e-14);
    const g = randn(steps * n, h, 42);
    const grads = (run: typeof a) => run.tape.gradients(run.tape.sum(run.tape.mul(run.out, run.tape.constant(g))), [run.xn, run.wn]);
    const gu = grads(a);
    const gf = grads(b);
    gu.forEach((m, k) => expect(Math.max(...m.data.map((v, i) => Math.abs(v - gf[k].data[i])))).toBeLessThan(1e-12));
    const r = checkOp((t, [xn, wn]) => t.recurrence(xn!, wn!, steps, 'tanh').states, [x, w]);
    expect(r.passed, String(r.maxRelativeError)).toBe(true);
    const tape = new Tape();
    expect(() => tape.recurrence(tape.variable(x), tape.variable(w), 4, 'tanh')).toThrow(/argument 'steps'/);
    expect(() => tape.recurrence(tape.variable(x), tape.variable(randn(3, h, 1)), steps, 'tanh')).toThrow(/argument 'w' must have shape \[7, 4\]/);
  });

  it('accumulates gradients when a node is used several times (no aliasing between adjoints)', () => {
    const a = randn(3, 3, 6);
    const r = checkOp((t, [x]) => t.add(t.add(x!, x!), t.mul(x!, t.add(x!, x!))), [a]);
    expect(r.passed, String(r.maxRelativeError)).toBe(true);
  });

  it('differentiates every activation', () => {
    // Keep relu/leakyRelu inputs away from the kink, where finite differences are not defined.
    const a = randn(4, 5, 7).data.map((v) => (Math.abs(v) < 0.05 ? v + 0.2 : v));
    const x = matrix(4, 5, a);
    for (const kind of ['tanh', 'sigmoid', 'relu', 'leakyRelu', 'linear'] as const) {
      const r = checkOp((t, [y]) => t.activation(y!, kind, 0.2), [x]);
      expect(r.passed, `${kind}: ${r.maxRelativeError}`).toBe(true);
    }
  });

  it('differentiates ridgeSolve in both branches, matching the float64 VJP', () => {
    for (const [n, f] of [
      [12, 5],
      [4, 9],
    ]) {
      const a = randn(n!, f!, 8);
      const t = randn(n!, 3, 9);
      const r = checkOp((tp, [x, y]) => tp.ridgeSolve(x!, y!, 1e-2), [a, t]);
      expect(r.passed, `${n}×${f}: ${r.maxRelativeError}`).toBe(true);
      const tape = new Tape();
      const [an, tn] = [tape.variable(a), tape.variable(t)];
      const g = randn(f!, 3, 10);
      const [dA, dT] = tape.gradients(tape.sum(tape.mul(tape.ridgeSolve(an, tn, 1e-2), tape.constant(g))), [an, tn]);
      const ref = ridgeSolveF64(a, t, 1e-2).vjp(g);
      expect(Array.from(dA!.data)).toEqual(Array.from(ref.dA.data));
      expect(Array.from(dT!.data)).toEqual(Array.from(ref.dT.data));
    }
  });

  it('ridgeProject (W and S = A·W with a joint backward) matches ridgeSolve followed by matmul, in both branches', () => {
    for (const [n, f] of [
      [12, 5],
      [4, 9],
    ]) {
      const a = randn(n!, f!, 20);
      const t = randn(n!, 3, 21);
      const gw = randn(f!, 3, 22);
      const gs = randn(n!, 3, 23);
      const viaProject = (xs: Matrix[], useW: boolean) => {
        const tape = new Tape();
        const [an, tn] = xs.map((x) => tape.variable(x));
        const { w, s } = tape.ridgeProject(an!, tn!, 1e-2);
        let loss = tape.sum(tape.mul(s, tape.constant(gs)));
        if (useW) loss = tape.add(loss, tape.sum(tape.mul(w, tape.constant(gw))));
        return { tape, an: an!, tn: tn!, loss };
      };
      const viaSeparate = (xs: Matrix[], useW: boolean) => {
        const tape = new Tape();
        const [an, tn] = xs.map((x) => tape.variable(x));
        const w = tape.ridgeSolve(an!, tn!, 1e-2);
        const s = tape.matmul(an!, w);
        let loss = tape.sum(tape.mul(s, tape.constant(gs)));
        if (useW) loss = tape.add(loss, tape.sum(tape.mul(w, tape.constant(gw))));
        return { tape, an: an!, tn: tn!, loss };
      };
      for (const useW of [false, true]) {
        const p = viaProject([a, t], useW);
        const q = viaSeparate([a, t], useW);
        expect(p.loss.scalar()).toBeCloseTo(q.loss.scalar(), 12);
        const gp = p.tape.gradients(p.loss, [p.an, p.tn]);
        const gq = q.tape.gradients(q.loss, [q.an, q.tn]);
        for (let k = 0; k < 2; k++) {
          const diff = Math.max(...gp[k].data.map((v, i) => Math.abs(v - gq[k].data[i])));
          expect(diff, `${n}×${f} useW=${useW} input ${k}`).toBeLessThan(1e-10);
        }
        const r = gradCheck((...xs) => viaProject(xs, useW).loss.scalar(), [a, t], {
          gradient: (...xs) => {
            const v = viaProject(xs, useW);
            return v.tape.gradients(v.loss, [v.an, v.tn]);
          },
        });
        expect(r.passed, `${n}×${f}: ${r.maxRelativeError}`).toBe(true);
      }
    }
  });

  it('softmax cross-entropy is the mean over scored rows, stable at ±100, with the right gradient', () => {
    const labels = Int32Array.from([2, -1, 0, 1]);
    const z = randn(4, 3, 11);
    const r = gradCheck(
      (x) => {
        const t = new Tape();
        return t.softmaxCrossEntropy(t.variable(x), labels).scalar();
      },
      [z],
      {
        gradient: (x) => {
          const t = new Tape();
          const v = t.variable(x);
          return t.gradients(t.softmaxCrossEntropy(v, labels), [v]);
        },
      },
    );
    expect(r.passed, String(r.maxRelativeError)).toBe(true);
    // Row 1 is unscored: its gradient is exactly zero.
    expect(Array.from(r.inputs[0].analytic.slice(3, 6))).toEqual([0, 0, 0]);
    const t = new Tape();
    const big = t.variable(matrix(2, 2, [100, -100, -100, 100]));
    const loss = t.softmaxCrossEntropy(big, Int32Array.from([1, 1]));
    expect(loss.scalar()).toBeCloseTo(100, 9);
    const [g] = t.gradients(loss, [big]);
    expect(Array.from(g!.data).every(Number.isFinite)).toBe(true);
  });

  it('meanSquaredError gradient is 2(ŷ − y)/n', () => {
    const y = randn(3, 2, 12);
    const r = gradCheck(
      (x) => {
        const t = new Tape();
        return t.meanSquaredError(t.variable(x), y).scalar();
      },
      [randn(3, 2, 13)],
      {
        gradient: (x) => {
          const t = new Tape();
          const v = t.variable(x);
          return t.gradients(t.meanSquaredError(v, y), [v]);
        },
      },
    );
    expect(r.passed).toBe(true);
  });

  it('gives zero gradients for nodes the output does not depend on, and none through constants', () => {
    const t = new Tape();
    const a = t.variable(randn(2, 2, 1));
    const unused = t.variable(randn(2, 2, 2));
    const c = t.constant(randn(2, 2, 3));
    const out = t.sum(t.mul(a, c));
    const [ga, gu] = t.gradients(out, [a, unused]);
    expect(Array.from(ga!.data)).toEqual(Array.from(c.value.data));
    expect(Array.from(gu!.data)).toEqual([0, 0, 0, 0]);
    expect(c.requiresGrad).toBe(false);
  });

  it('rejects mismatched shapes and bad arguments', () => {
    const t = new Tape();
    const a = t.variable(randn(2, 3, 1));
    expect(() => t.add(a, t.variable(randn(3, 2, 2)))).toThrow(ShapeError);
    expect(() => t.matmul(a, a)).toThrow(ShapeError);
    expect(() => t.concatCols([a, t.variable(randn(3, 1, 3))])).toThrow(/all parts need the same rows/);
    expect(() => t.sliceRows(a, 1, 5)).toThrow(InvalidArgumentError);
    expect(() => t.ridgeSolve(a, t.variable(randn(2, 1, 4)), 0)).toThrow(/argument 'lambda'/);
    expect(() => t.softmaxCrossEntropy(a, Int32Array.from([0]))).toThrow(/one label per row/);
    expect(() => t.softmaxCrossEntropy(a, Int32Array.from([0, 3]))).toThrow(/must be < 3/);
    expect(() => t.gradients(a, [a])).toThrow(/a scalar is required/);
  });
});
