import { describe, expect, it } from 'vitest';
// Straight from the module: the curvature helpers are plain numbers and need no TensorFlow.js.
import { curvature } from '../src/curvature.js';

const H = 1e-4;
/** Central second difference. */
const second = (f: (x: number) => number, x: number) => (f(x + H) - 2 * f(x) + f(x - H)) / (H * H);
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b)));

describe('curvature formulas of §4.14', () => {
  const points = [-2, -0.5, 0, 0.7, 1.5];
  const targets = [0, 1, 6];

  it('eqs. 4.1–4.4 are the second derivatives of ½(f(x) − t)² (softmax with s held constant)', () => {
    for (const x of points) {
      for (const t of targets) {
        close(
          curvature.linear(x),
          second((v) => 0.5 * (v - t) ** 2, x),
        );
        close(
          curvature.exp(x, t),
          second((v) => 0.5 * (Math.exp(v) - t) ** 2, x),
        );
        close(
          curvature.pow3(x, t),
          second((v) => 0.5 * (v ** 3 - t) ** 2, x),
        );
        for (const s of [1.5, 2342])
          close(
            curvature.softmax(x, t, s),
            second((v) => 0.5 * (Math.exp(v) / s - t) ** 2, x),
          );
      }
    }
  });

  it('the GA curvatures are the derivatives of the imposed deltas αe^x − t and αx³ + β − t', () => {
    for (const x of points) {
      const d = (f: (v: number) => number) => (f(x + H) - f(x - H)) / (2 * H);
      close(
        curvature.expGA(x, 0.1),
        d((v) => 0.1 * Math.exp(v) - 6),
      );
      close(
        curvature.pow3GA(x, 0.001),
        d((v) => 0.001 * v ** 3 + 0.4 - 10),
      );
      close(curvature.expGA(x), Math.exp(x)); // printed with α = 1
      close(curvature.pow3GA(x), 3 * x * x);
    }
  });

  it('softmax + cross-entropy has own-logit curvature y(1 − y) ≤ ¼, not the 1 the thesis states', () => {
    const others = [0.3, -1.2, 2];
    for (const x of points) {
      const ce = (v: number) => -v + Math.log(Math.exp(v) + others.reduce((a, o) => a + Math.exp(o), 0));
      const s = Math.exp(x) + others.reduce((a, o) => a + Math.exp(o), 0);
      close(curvature.softmaxCE(x, s), second(ce, x));
      expect(curvature.softmaxCE(x, s)).toBeLessThanOrEqual(0.25);
    }
  });
});
