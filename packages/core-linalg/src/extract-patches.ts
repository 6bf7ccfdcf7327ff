/**
 * im2col for TensorFlow.js: the patch matrix of a convolution, differentiable with respect to the input.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import { customOp } from './custom-op.js';
import { checkTensor } from './tensor-checks.js';

/** Options of {@link extractPatches}. */
export interface ExtractPatchesOptions {
  /** Stride, one number or `[strideHeight, strideWidth]`. Default 1. */
  strides?: number | [number, number];
  /** TensorFlow padding convention. Default `'same'`. */
  padding?: 'same' | 'valid';
}

function pair(fn: string, name: string, v: number | [number, number]): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= 1)) {
    throw new InvalidArgumentError(fn, name, 'must be a positive integer or a pair of positive integers', v);
  }
  return p;
}

/**
 * The patch matrix `P` of a 2-D convolution over NHWC input `x: [N, H, W, C]` with a `kh × kw` window: shape
 * `[N·Ho·Wo, kh·kw·C]`, row `(b·Ho + y)·Wo + x`, column `(dy·kw + dx)·C + c` (TensorFlow's
 * `extract_image_patches` order). Zero padding appears as zeros. With `[1 | P]·W`, reshaping `W[1:]` to
 * `[kh, kw, C, C_out]` gives exactly `tf.conv2d(x, kernel, strides, padding) + W[0]` — the form in which
 * target-space CNN layers solve for their kernels (Fairbank & Samothrakis §4.2, §4.2.1).
 *
 * On the CPU backends (wasm, cpu) the patches are copied directly in JavaScript and the gradient is the matching
 * scatter-add (col2im), O(N·Ho·Wo·kh·kw·C) each way; the generic composition of pad, slice and concat (used on GPU
 * backends, where a read-back would cost more) spent most of a target-space CNN step in wasm `concat`/`slice`.
 *
 * @example
 * ```ts
 * const p = extractPatches(images, 3);            // [N·H·W, 9·C] for 'same' padding, stride 1
 * const q = extractPatches(images, [5, 5], { padding: 'valid', strides: 2 });
 * ```
 */
export function extractPatches(x: tf.Tensor4D, kernelSize: number | [number, number], options: ExtractPatchesOptions = {}): tf.Tensor2D {
  const fn = 'extractPatches';
  checkTensor(fn, 'x', x, { shape: ['N', 'H', 'W', 'C'], dtype: 'float32' });
  const [kh, kw] = pair(fn, 'kernelSize', kernelSize);
  const [sh, sw] = pair(fn, 'strides', options.strides ?? 1);
  const padding = options.padding ?? 'same';
  if (padding !== 'same' && padding !== 'valid') throw new InvalidArgumentError(fn, 'padding', "must be 'same' or 'valid'", padding);
  const [n, h, w, c] = x.shape;
  if (padding === 'valid' && (kh > h || kw > w)) {
    throw new InvalidArgumentError(fn, 'kernelSize', `must fit inside the ${h} × ${w} input with 'valid' padding`, kernelSize);
  }
  const info = tf.backend_util.computeConv2DInfo([n, h, w, c], [kh, kw, c, 1], [sh, sw], 1, padding);
  const ho = info.outHeight;
  const wo = info.outWidth;
  const { top, bottom, left, right } = info.padInfo;
  const geometry: PatchGeometry = { n, h, w, c, kh, kw, sh, sw, ho, wo, top, left, bottom, right };
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu' ? (patchOp(geometry)(x) as tf.Tensor2D) : composedPatches(x, geometry);
}

/** @internal The patch matrix from pad, slice, reshape and concat: differentiable on every backend, no read-back. */
export function composedPatches(x: tf.Tensor4D, g: PatchGeometry): tf.Tensor2D {
  const { n, h, w, c, kh, kw, sh, sw, ho, wo, top, left, bottom, right } = g;
  return tf.tidy(() => {
    // Every window offset (dy, dx) reads rows dy, dy+sh, …, dy+(ho-1)·sh; pad so a slice of ho·sh rows always fits.
    const needH = kh - 1 + ho * sh;
    const needW = kw - 1 + wo * sw;
    const extraH = Math.max(0, needH - (h + top + bottom));
    const extraW = Math.max(0, needW - (w + left + right));
    const padded =
      top + bottom + extraH + left + right + extraW > 0
        ? tf.pad(x, [
            [0, 0],
            [top, bottom + extraH],
            [left, right + extraW],
            [0, 0],
          ])
        : x;
    const pieces: tf.Tensor4D[] = [];
    for (let dy = 0; dy < kh; dy++) {
      for (let dx = 0; dx < kw; dx++) {
        let piece = tf.slice(padded, [0, dy, dx, 0], [n, ho * sh, wo * sw, c]) as tf.Tensor4D;
        if (sh > 1 || sw > 1) {
          // Keep every sh-th row and sw-th column without strided slicing (which has no gradient in tfjs).
          const split = tf.reshape(piece, [n, ho, sh, wo, sw, c]);
          piece = tf.reshape(tf.slice(split, [0, 0, 0, 0, 0, 0], [n, ho, 1, wo, 1, c]), [n, ho, wo, c]);
        }
        pieces.push(piece);
      }
    }
    const stacked = pieces.length === 1 ? pieces[0] : tf.concat(pieces, 3);
    return tf.reshape(stacked, [n * ho * wo, kh * kw * c]);
  });
}

/** @internal Sizes of one im2col: input `[n, h, w, c]`, window `kh × kw`, strides, output `ho × wo`, padding. */
export interface PatchGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ho: number;
  wo: number;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/**
 * Visits every (patch row, column block, input offset) of the geometry: `visit(patchOffset, inputOffset)` for each
 * in-bounds window position, where both offsets start a run of `c` contiguous channels.
 */
function forEachWindow(g: PatchGeometry, visit: (patchOffset: number, inputOffset: number) => void): void {
  const k = g.kh * g.kw * g.c;
  for (let b = 0; b < g.n; b++) {
    for (let oy = 0; oy < g.ho; oy++) {
      for (let ox = 0; ox < g.wo; ox++) {
        const row = ((b * g.ho + oy) * g.wo + ox) * k;
        for (let dy = 0; dy < g.kh; dy++) {
          const iy = oy * g.sh + dy - g.top;
          if (iy < 0 || iy >= g.h) continue;
          for (let dx = 0; dx < g.kw; dx++) {
            const ix = ox * g.sw + dx - g.left;
            if (ix < 0 || ix >= g.w) continue;
            visit(row + (dy * g.kw + dx) * g.c, ((b * g.h + iy) * g.w + ix) * g.c);
          }
        }
      }
    }
  }
}

/** @internal im2col as a custom op: forward copies windows into the patch matrix, backward scatter-adds them back (col2im). */
export function patchOp(g: PatchGeometry): (x: tf.Tensor) => tf.Tensor {
  const rows = g.n * g.ho * g.wo;
  const k = g.kh * g.kw * g.c;
  const c = g.c;
  return customOp<[tf.Tensor]>((x) => {
    const input = x.dataSync() as Float32Array;
    const patches = new Float32Array(rows * k);
    forEachWindow(g, (p, i) => {
      for (let j = 0; j < c; j++) patches[p + j] = input[i + j];
    });
    return {
      value: tf.tensor2d(patches, [rows, k]),
      gradFunc: (dy) => {
        const grad = dy.dataSync() as Float32Array;
        const dx = new Float32Array(g.n * g.h * g.w * c);
        forEachWindow(g, (p, i) => {
          for (let j = 0; j < c; j++) dx[i + j] += grad[p + j];
        });
        return tf.tensor4d(dx, [g.n, g.h, g.w, c]);
      },
    };
  });
}
