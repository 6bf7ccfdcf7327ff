/** A seeded k-class Gaussian-blob problem in the plane, generated inline for the tests. */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@beyond-backprop/core-linalg';

export function blobs(seed: number, perClass = 50, classes = 3, spread = 0.6): { x: tf.Tensor2D; y: tf.Tensor1D; labels: Int32Array } {
  const rng = createRng(seed);
  const n = perClass * classes;
  const x = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const angle = (2 * Math.PI * c) / classes;
    x[2 * i] = 2 * Math.cos(angle) + spread * rng.normal();
    x[2 * i + 1] = 2 * Math.sin(angle) + spread * rng.normal();
    labels[i] = c;
  }
  return { x: tf.tensor2d(x, [n, 2]), y: tf.tensor1d(labels, 'int32'), labels };
}
