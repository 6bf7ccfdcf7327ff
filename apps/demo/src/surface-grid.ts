/**
 * The decision surface: a square grid over the data's extent, and per cell the arg-max class with its probability.
 * Pure functions on typed arrays, shared by the worker (which predicts) and the tests.
 */
import type { Surface } from './worker-protocol.js';

/** Bounds of a 2-D data set: `[xMin, xMax, yMin, yMax]`. */
export type Bounds = [number, number, number, number];

/**
 * A square box around every train and test point with a 10% margin, so that both axes share one scale and the
 * boundary is drawn undistorted.
 */
export function surfaceBounds(data: { train: { x: Float32Array }; test: { x: Float32Array } }): Bounds {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const xs of [data.train.x, data.test.x]) {
    for (let i = 0; i + 1 < xs.length; i += 2) {
      x0 = Math.min(x0, xs[i]);
      x1 = Math.max(x1, xs[i]);
      y0 = Math.min(y0, xs[i + 1]);
      y1 = Math.max(y1, xs[i + 1]);
    }
  }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [-1, 1, -1, 1];
  const half = (Math.max(x1 - x0, y1 - y0, 1e-6) / 2) * 1.1;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return [cx - half, cx + half, cy - half, cy + half];
}

/** Cell centres of a `size × size` grid, row-major from the top row (largest y) down: `[size², 2]`. */
export function surfaceGrid(bounds: Bounds, size: number): Float32Array {
  const [x0, x1, y0, y1] = bounds;
  const grid = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      grid[(r * size + c) * 2] = x0 + ((c + 0.5) / size) * (x1 - x0);
      grid[(r * size + c) * 2 + 1] = y1 - ((r + 0.5) / size) * (y1 - y0);
    }
  }
  return grid;
}

/**
 * Per cell, the arg-max class and its probability. Scores that are already probabilities (each row in [0, 1],
 * summing to 1) are used as they are; any other scores (logits, amplified heads) go through a softmax.
 */
export function surfaceFromScores(scores: Float32Array, size: number, numClasses: number): Surface {
  const n = size * size;
  if (scores.length !== n * numClasses)
    throw new RangeError(`surfaceFromScores: expected ${n * numClasses} scores (${n} cells × ${numClasses} classes), got ${scores.length}`);
  let probabilities = true;
  for (let i = 0; i < n && probabilities; i++) {
    let sum = 0;
    for (let k = 0; k < numClasses; k++) {
      const s = scores[i * numClasses + k];
      if (!(s >= 0 && s <= 1)) probabilities = false;
      sum += s;
    }
    if (Math.abs(sum - 1) > 1e-3) probabilities = false;
  }
  const classes = new Uint8Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let top = -Infinity;
    for (let k = 0; k < numClasses; k++) {
      const s = scores[i * numClasses + k];
      if (s > top) [top, best] = [s, k];
    }
    classes[i] = best;
    if (probabilities) confidence[i] = top;
    else {
      let z = 0;
      for (let k = 0; k < numClasses; k++) z += Math.exp(scores[i * numClasses + k] - top);
      confidence[i] = Number.isFinite(z) && z > 0 ? 1 / z : 1 / numClasses;
    }
  }
  return { size, classes, confidence };
}
