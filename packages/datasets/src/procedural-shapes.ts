/**
 * A procedurally generated image classification set that needs no files: seeded shapes (ring, disc, cross, bars,
 * triangle) of random size, position and brightness on a noisy background. Small enough to train conv nets on a CPU,
 * hard enough that depth helps; used for the layer-wise experiments (Øland, thesis §6.6: small settings).
 */
import { checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link proceduralShapes}. */
export interface ProceduralShapesOptions {
  /** Default 4000. */
  trainSize?: number;
  /** Default 1000. */
  testSize?: number;
  /** Image side in pixels. Default 16. */
  size?: number;
  /** Std of the Gaussian pixel noise. Default 0.15. */
  noise?: number;
  seed?: number;
}

/** Class names by label. */
export const PROCEDURAL_SHAPE_CLASSES = ['ring', 'disc', 'cross', 'horizontal bars', 'vertical bars', 'triangle'] as const;

function inside(label: number, dx: number, dy: number, r: number): boolean {
  const d = Math.hypot(dx, dy);
  switch (label) {
    case 0:
      return d <= r && d >= r * 0.6;
    case 1:
      return d <= r * 0.8;
    case 2:
      return (Math.abs(dx) <= r * 0.25 || Math.abs(dy) <= r * 0.25) && Math.abs(dx) <= r && Math.abs(dy) <= r;
    case 3:
      return Math.abs(dx) <= r && Math.abs(dy) <= r && Math.floor((dy + r) / (r / 2)) % 2 === 0;
    case 4:
      return Math.abs(dx) <= r && Math.abs(dy) <= r && Math.floor((dx + r) / (r / 2)) % 2 === 0;
    default:
      return dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= ((dy + r) / (1.8 * r)) * r;
  }
}

function split(m: number, size: number, noise: number, rng: Rng): Split<Int32Array> {
  const k = PROCEDURAL_SHAPE_CLASSES.length;
  const x = new Float32Array(m * size * size);
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const label = rng.int(k);
    y[i] = label;
    const r = size * rng.uniformRange(0.2, 0.35);
    const cx = rng.uniformRange(r, size - r);
    const cy = rng.uniformRange(r, size - r);
    const fg = rng.uniformRange(0.5, 1);
    const bg = rng.uniformRange(0, 0.3);
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const v = inside(label, px + 0.5 - cx, py + 0.5 - cy, r) ? fg : bg;
        x[i * size * size + py * size + px] = v + noise * rng.normal();
      }
    }
  }
  return { x, xShape: [m, size, size, 1], y, yShape: [m] };
}

/**
 * Seeded shape images `[n, size, size, 1]` with labels in `0…5` ({@link PROCEDURAL_SHAPE_CLASSES}).
 *
 * @example
 * ```ts
 * const { train, test } = proceduralShapes({ seed: 1 });   // 4000 + 1000 images, 16×16×1
 * ```
 */
export function proceduralShapes(options: ProceduralShapesOptions = {}): Dataset<Int32Array> {
  const fn = 'proceduralShapes';
  const trainSize = options.trainSize ?? 4000;
  const testSize = options.testSize ?? 1000;
  const size = options.size ?? 16;
  const noise = options.noise ?? 0.15;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'trainSize', trainSize, { min: 1, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: 1, integer: true });
  checkNumber(fn, 'size', size, { min: 8, integer: true });
  checkNumber(fn, 'noise', noise, { min: 0 });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(`procedural-shapes:${seed}`);
  return {
    name: 'procedural-shapes',
    train: split(trainSize, size, noise, rng.fork('train')),
    test: split(testSize, size, noise, rng.fork('test')),
    numClasses: PROCEDURAL_SHAPE_CLASSES.length,
    classNames: [...PROCEDURAL_SHAPE_CLASSES],
    source: 'beyond-backprop (procedural); used for Øland, thesis §6.6-style small settings',
  };
}
