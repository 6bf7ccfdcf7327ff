import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, ACTIVATION_NAMES, LEAKY_RELU_ALPHA, activation } from '../src/activations.js';
import { composedPatches, patchOp } from '../src/extract-patches.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  DTypeError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  checkNumber,
  checkTensor,
  extractPatches,
  fromMatrix,
  gradCheck,
  initBackend,
  installWasmKernels,
  wasmExportsOnBackend,
  registerOnArrayBackends,
  runOnBackendArrays,
  lstsq,
  lstsqF64,
  matMul,
  matmulF64,
  pinv,
  pinvF64,
  toMatrix,
  type Matrix,
  readValues,
} from '../src/index.js';
import { dot, randn, relErr } from './helpers.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** Runs `f` on the cpu backend and on wasm, returning both results as plain arrays. */
async function onBothBackends(f: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = () => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    return values;
  };
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  const wasm = run();
  return { cpu, wasm };
}

describe('initBackend', () => {
  const saved = process.env.BBP_BACKEND;
  afterEach(async () => {
    if (saved === undefined) delete process.env.BBP_BACKEND;
    else process.env.BBP_BACKEND = saved;
    await tf.setBackend('wasm');
  });

  it('skips backends that are not installed and reports why, then loads wasm', async () => {
    delete process.env.BBP_BACKEND;
    const messages: string[] = [];
    const info = await initBackend({ log: (m) => messages.push(m) });
    expect(info.choice).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
    expect(info.skipped[0].error).toBe('not installed');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/TensorFlow\.js backend: wasm \(skipped tfjs-node-gpu: not installed, tfjs-node: not installed\)/);
  });

  it('moves on when a backend loads but cannot start (webgl under Node.js)', async () => {
    delete process.env.BBP_BACKEND;
    const info = await initBackend({ preference: ['webgl', 'cpu'], log: false });
    expect(info.choice).toBe('cpu');
    expect(info.skipped[0].backend).toBe('webgl');
  });

  it('moves on when a custom loader throws', async () => {
    delete process.env.BBP_BACKEND;
    const info = await initBackend({
      preference: ['webgpu', 'cpu'],
      loaders: { webgpu: () => Promise.reject(new Error('no adapter')) },
      log: false,
    });
    expect(info.choice).toBe('cpu');
    expect(info.skipped).toEqual([{ backend: 'webgpu', error: 'no adapter' }]);
  });

  it('BBP_BACKEND forces one backend, and an unloadable forced backend is a clear error', async () => {
    process.env.BBP_BACKEND = 'cpu';
    expect((await initBackend({ preference: 'wasm', log: false })).choice).toBe('cpu');
    process.env.BBP_BACKEND = 'tfjs-node';
    await expect(initBackend({ log: false })).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(initBackend({ log: false })).rejects.toThrow(/tried tfjs-node: not installed/);
    process.env.BBP_BACKEND = 'tpu';
    await expect(initBackend({ log: false })).rejects.toThrow(/argument 'BBP_BACKEND' must be one of/);
  });

  it('rejects an empty or unknown preference', async () => {
    delete process.env.BBP_BACKEND;
    await expect(initBackend({ preference: [], log: false })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(initBackend({ preference: 'gpu' as 'cpu', log: false })).rejects.toThrow(/argument 'preference'/);
  });
});

describe('wasm backend gaps', () => {
  it('installs once: a second call changes nothing', () => {
    expect(installWasmKernels()).toEqual([]);
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum', 'DepthwiseConv2dNativeBackpropFilter', 'Einsum', 'Identity']) {
      expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    }
  });

  it('embedding gradients (UnsortedSegmentSum) work on wasm and equal the cpu backend', async () => {
    const table = randn(6, 3, 1);
    const ids = [0, 2, 2, 5, 1, 2];
    const weights = randn(6, 3, 2);
    const { cpu, wasm } = await onBothBackends(() => {
      const e = fromMatrix(table);
      const w = fromMatrix(weights);
      return tf.grads((x) => tf.sum(tf.mul(tf.gather(x, tf.tensor1d(ids, 'int32')), w)))([e]);
    });
    expect(relErr(wasm[0], cpu[0])).toBeLessThan(1e-6);
  });

  it('segment sums scatter-add rows and drop ids outside [0, numSegments), as on cpu; [n, t] ids work on wasm', async () => {
    const x = randn(12, 4, 5);
    const ids = [3, 0, 3, 7, -1, 1, 1, 9, 0, 3, 2, 2];
    const { cpu, wasm } = await onBothBackends(() => [tf.unsortedSegmentSum(fromMatrix(x), tf.tensor1d(ids, 'int32'), 8)]);
    expect(wasm[0].length).toBe(8 * 4);
    expect(relErr(wasm[0], cpu[0])).toBeLessThan(1e-6);
    // Row 0 collects x rows 1 and 8; ids -1 and 9 contribute nowhere.
    for (let k = 0; k < 4; k++) expect(wasm[0][k]).toBeCloseTo(x.data[1 * 4 + k] + x.data[8 * 4 + k], 5);
    // The cpu kernel rejects 2-D ids; on wasm they mean the same as the flattened ids.
    const twoD = readValues(() => tf.unsortedSegmentSum(tf.reshape(fromMatrix(x), [3, 4, 4]), tf.tensor2d(ids, [3, 4], 'int32') as unknown as tf.Tensor1D, 8));
    expect(Array.from(twoD)).toEqual(Array.from(wasm[0]));
  });

  it('CNN weight and input gradients (Conv2DBackpropFilter/Input) work on wasm and equal the cpu backend', async () => {
    const configs: Array<{ n: number; h: number; c: number; k: number; co: number; stride: number; pad: 'same' | 'valid' }> = [
      { n: 2, h: 7, c: 3, k: 3, co: 4, stride: 1, pad: 'same' },
      { n: 3, h: 8, c: 2, k: 5, co: 3, stride: 2, pad: 'same' },
      { n: 1, h: 9, c: 1, k: 3, co: 2, stride: 2, pad: 'valid' },
      // One input channel: the input gradient as a product and a col2im scatter.
      { n: 2, h: 10, c: 1, k: 3, co: 5, stride: 1, pad: 'same' },
      { n: 3, h: 7, c: 1, k: 2, co: 3, stride: 1, pad: 'same' },
      { n: 2, h: 8, c: 1, k: 5, co: 4, stride: 2, pad: 'same' },
      { n: 2, h: 6, c: 4, k: 1, co: 5, stride: 1, pad: 'valid' },
      // Even kernels pad asymmetrically under 'same'; the stride-1 input gradient then pads the other way round.
      { n: 2, h: 6, c: 3, k: 2, co: 4, stride: 1, pad: 'same' },
      { n: 1, h: 8, c: 2, k: 4, co: 3, stride: 1, pad: 'valid' },
      { n: 2, h: 7, c: 5, k: 4, co: 6, stride: 1, pad: 'same' },
    ];
    for (const cfg of configs) {
      const xs = randn(cfg.n * cfg.h * cfg.h, cfg.c, 3);
      const ws = randn(cfg.k * cfg.k * cfg.c, cfg.co, 4);
      const { cpu, wasm } = await onBothBackends(() => {
        const x = tf.tensor4d(Float32Array.from(xs.data), [cfg.n, cfg.h, cfg.h, cfg.c]);
        const w = tf.tensor4d(Float32Array.from(ws.data), [cfg.k, cfg.k, cfg.c, cfg.co]);
        return tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, cfg.stride, cfg.pad))))([x, w]);
      });
      expect(relErr(wasm[1], cpu[1]), JSON.stringify(cfg)).toBeLessThan(1e-5);
      expect(relErr(wasm[0], cpu[0]), JSON.stringify(cfg)).toBeLessThan(1e-5);
    }
  });

  it('Sqrt on wasm (SIMD) gives the bits of the cpu kernel, special values and odd lengths included', async () => {
    const special = [0, -0, 1, 4, 2, -1, 1e-45, 3.4e38, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
    const values = Float32Array.from({ length: 1027 }, (_, i) => (i < special.length ? special[i] : Math.abs(Math.sin(i)) * 10 ** ((i % 9) - 4)));
    const { cpu, wasm } = await onBothBackends(() => [tf.sqrt(tf.tensor1d(values)), tf.sqrt(tf.tensor2d(values.subarray(0, 6), [2, 3]))]);
    const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
    expect(bitsOf(wasm[0])).toEqual(bitsOf(cpu[0]));
    expect(bitsOf(wasm[1])).toEqual(bitsOf(cpu[1]));
  });

  it('a right operand multiplied again in a product of ≥ 256 rows and inner terms goes to XNNPACK, with the same bits', () => {
    const [m, k, n] = [260, 300, 20];
    const av = Float32Array.from(randn(m, k, 31).data);
    const bv = Float32Array.from(randn(k, n, 32).data);
    const a = tf.tensor2d(av, [m, k]);
    const b = tf.tensor2d(bv, [k, n]);
    const first = tf.matMul(a, b).dataSync(); // in place (the operand is new)
    const second = tf.matMul(a, b).dataSync(); // XNNPACK packs it now
    const third = tf.matMul(a, b).dataSync(); // and reuses the packed form
    const want = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum = Math.fround(sum + Math.fround(av[i * k + p] * bv[p * n + j]));
        want[i * n + j] = sum;
      }
    }
    expect(Array.from(first)).toEqual(Array.from(want));
    expect(Array.from(second)).toEqual(Array.from(want));
    expect(Array.from(third)).toEqual(Array.from(want));
    tf.dispose([a, b]);
  });

  it('a fused matMul with a bias and no activation starts every sum at the bias (the same bits), leaking nothing', () => {
    const [m, k, n] = [6, 9, 11];
    const av = Float32Array.from(randn(m, k, 21).data);
    const bv = Float32Array.from(randn(k, n, 22).data);
    const biasv = Float32Array.from(randn(1, n, 23).data);
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const biasShape of [[n], [1, n]]) {
          const stored = (v: Float32Array, rows: number, cols: number, t: boolean) => {
            if (!t) return tf.tensor2d(v, [rows, cols]);
            const out = new Float32Array(v.length);
            for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = v[i * cols + j];
            return tf.tensor2d(out, [cols, rows]);
          };
          const a = stored(av, m, k, ta);
          const b = stored(bv, k, n, tb);
          const bias = tf.tensor(biasv, biasShape);
          const before = tf.memory().numTensors;
          const c = tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias });
          expect(tf.memory().numTensors).toBe(before + 1);
          const got = c.dataSync();
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let sum = biasv[j];
              for (let p = 0; p < k; p++) sum = Math.fround(sum + Math.fround(av[i * k + p] * bv[p * n + j]));
              if (!Object.is(got[i * n + j], sum)) expect(`${ta} ${tb} [${i}, ${j}] = ${got[i * n + j]}`).toBe(`${sum}`);
            }
          }
          tf.dispose([a, b, bias, c]);
        }
      }
    }
  });

  it('runOnBackendArrays and registerOnArrayBackends give a loop kernel both backends, views of the heap on wasm', async () => {
    const seen: boolean[] = [];
    const kernelFunc = (({ inputs, backend }: { inputs: Record<'x' | 'y', tf.TensorInfo>; backend: unknown }) =>
      runOnBackendArrays(backend, [inputs.x, inputs.y], [inputs.x.shape, []], ([x, y], [twice, total], onHeap) => {
        seen.push(onHeap);
        let sum = 0;
        for (let i = 0; i < twice.length; i++) {
          twice[i] = 2 * x[i];
          sum += y[i];
        }
        total[0] = sum;
      })) as unknown as tf.KernelFunc;
    expect(registerOnArrayBackends('BbpTestTwice', kernelFunc)).toEqual(['wasm', 'cpu']);
    expect(registerOnArrayBackends('BbpTestTwice', kernelFunc)).toEqual([]);
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const x = tf.tensor2d([1, -2, 3.5, 4], [2, 2]);
      const y = tf.tensor1d([5, 6, 7, 8], 'int32');
      const before = tf.memory().numTensors;
      const [twice, total] = tf.engine().runKernel('BbpTestTwice', { x, y }, {}) as tf.Tensor[];
      expect(tf.memory().numTensors).toBe(before + 2);
      expect(twice.shape).toEqual([2, 2]);
      expect(Array.from(twice.dataSync())).toEqual([2, -4, 7, 8]);
      expect(total.shape).toEqual([]);
      expect(total.dataSync()[0]).toBe(26);
      tf.dispose([x, y, twice, total]);
    }
    expect(seen).toEqual([true, false]);
    await tf.setBackend('wasm');
    for (const backend of ['wasm', 'cpu']) tf.unregisterKernel('BbpTestTwice', backend);
  });

  it('wasmExportsOnBackend instantiates once per memory and module, and answers null where it cannot', async () => {
    // (module (import "env" "memory" (memory 1)) (func (export "four") (result i32) i32.const 4))
    const tiny = btoa(
      String.fromCharCode(
        ...[
          0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 2, 15, 1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 0, 1, 3, 2, 1, 0, 7, 8, 1, 4,
          102, 111, 117, 114, 0, 0, 10, 6, 1, 4, 0, 65, 4, 11,
        ],
      ),
    );
    const first = wasmExportsOnBackend(tf.backend(), tiny);
    expect((first!.four as () => number)()).toBe(4);
    expect(wasmExportsOnBackend(tf.backend(), tiny)).toBe(first);
    expect(wasmExportsOnBackend(tf.backend(), btoa('not wasm'))).toBeNull();
    expect(wasmExportsOnBackend(tf.findBackend('cpu'), tiny)).toBeNull();
    expect(wasmExportsOnBackend(null, tiny)).toBeNull();
  });

  it('matMul without batch runs in place (no packing): every output is the float32 sum in ascending k, for all transpose flags', () => {
    // The reference: one float32 multiply and one float32 add per term, in order — what the kernel promises.
    const reference = (a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean) => {
      const out = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j]));
          out[i * n + j] = s;
        }
      }
      return out;
    };
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 5, 7],
      [5, 3, 9],
      [7, 13, 12],
      [17, 1, 33],
      [9, 600, 16],
      [12, 40, 100],
      [4, 0, 6],
    ]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const batched of [false, true]) {
            const av = Float32Array.from(randn(m, k, m + 3 * k).data);
            const bv = Float32Array.from(randn(k, n, n + 5 * k).data);
            const lead = batched ? [1] : [];
            const a = tf.tensor(av, [...lead, ...(ta ? [k, m] : [m, k])]);
            const b = tf.tensor(bv, [...lead, ...(tb ? [n, k] : [k, n])]);
            const before = tf.memory();
            const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb);
            expect(tf.memory().numTensors).toBe(before.numTensors + 1);
            expect(tf.memory().numBytes).toBe(before.numBytes + m * n * 4);
            expect(c.shape).toEqual([...lead, m, n]);
            const want = reference(av, bv, m, k, n, ta, tb);
            const got = c.dataSync();
            const label = JSON.stringify({ m, k, n, ta, tb, batched });
            for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect(`${label}[${i}] = ${got[i]}`).toBe(`${want[i]}`);
            tf.dispose([a, b, c]);
          }
        }
      }
    }
    // Batches of more than one matrix keep the backend's own kernel.
    tf.tidy(() => {
      const a3 = tf.tensor3d(Float32Array.from(randn(2 * 3, 4, 1).data), [2, 3, 4]);
      const b3 = tf.tensor3d(Float32Array.from(randn(2 * 4, 5, 2).data), [2, 4, 5]);
      const batched = tf.matMul(a3, b3);
      for (let t = 0; t < 2; t++) {
        const one = tf.matMul(tf.slice(a3, [t, 0, 0], [1, 3, 4]), tf.slice(b3, [t, 0, 0], [1, 4, 5]));
        expect(relErr(tf.slice(batched, [t, 0, 0], [1, 3, 5]).dataSync(), one.dataSync())).toBeLessThan(1e-6);
      }
    });
  });

  it('a right operand multiplied for the first time (computed as (Bᵀ·Aᵀ)ᵀ) gives the bits of the packed path, and frees its temporaries', () => {
    for (const [m, k, n] of [
      [100, 784, 392],
      [7, 300, 200],
      [1, 64, 512],
    ]) {
      const x = tf.tensor2d(Float32Array.from(randn(m, k, m).data), [m, k]);
      const w = tf.tensor2d(Float32Array.from(randn(k, n, n).data), [k, n]);
      const before = tf.memory();
      const first = tf.matMul(x, w);
      expect(tf.memory().numTensors).toBe(before.numTensors + 1);
      expect(tf.memory().numBytes).toBe(before.numBytes + m * n * 4);
      const second = tf.matMul(x, w);
      expect(Array.from(first.dataSync())).toEqual(Array.from(second.dataSync()));
      const exact = matmulF64(toMatrix(x), toMatrix(w));
      expect(relErr(first.dataSync(), exact.data)).toBeLessThan(1e-5);
      tf.dispose([x, w, first, second]);
    }
  });

  it('the one-channel input gradient over more images than one chunk of patches holds equals the gradient image by image', () => {
    // 9 × 9 taps over 64 × 64 outputs: 331 776 patch floats per image, so 50 images fill the 16M-float budget and
    // 51 take two chunks. Each image's gradient is computed alone either way: the same bits.
    tf.tidy(() => {
      const dy = tf.tensor4d(Float32Array.from(randn(51 * 64 * 64, 2, 8).data), [51, 64, 64, 2]);
      const w = tf.tensor4d(Float32Array.from(randn(81, 2, 9).data), [9, 9, 1, 2]);
      const inputGrad = (from: number, count: number) =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.slice(dy, from, count), filter: w }, {
          strides: 1,
          pad: 'same',
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
          inputShape: [count, 64, 64, 1],
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const whole = inputGrad(0, 51);
      const parts = tf.concat([inputGrad(0, 50), inputGrad(50, 1)]);
      expect(Array.from(whole.dataSync())).toEqual(Array.from(parts.dataSync()));
      expect(tf.any(tf.notEqual(inputGrad(50, 1), 0)).dataSync()[0]).toBe(1);
    });
  });

  it('the filter gradient over more images than one im2col chunk holds is the sum of the chunks (150 × 28 × 28 × 16, 3 × 3)', () => {
    // K = 3·3·16 = 144 patch rows of 784 positions per image: 148 images fit the 16M-float patch budget, so the
    // kernel runs two chunks (148 + 2 images) and adds their products; each part alone is one chunk.
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(randn(150 * 28 * 28, 16, 5).data), [150, 28, 28, 16]);
      const dy = tf.tensor4d(Float32Array.from(randn(150 * 28 * 28, 2, 6).data), [150, 28, 28, 2]);
      const w = tf.zeros([3, 3, 16, 2]) as tf.Tensor4D;
      const filterGrad = (from: number, count: number) =>
        tf.grad((b) => tf.sum(tf.mul(tf.conv2d(tf.slice(x, from, count), b as tf.Tensor4D, 1, 'same'), tf.slice(dy, from, count))))(w);
      const whole = filterGrad(0, 150);
      const parts = tf.add(filterGrad(0, 148), filterGrad(148, 2));
      expect(Array.from(whole.dataSync())).toEqual(Array.from(parts.dataSync()));
      expect(tf.any(tf.notEqual(filterGrad(0, 148), 0)).dataSync()[0]).toBe(1);
    });
  });

  it('depthwise-conv gradients and einsum run on wasm', async () => {
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor4d(Float32Array.from(randn(2 * 5 * 5, 3, 5).data), [2, 5, 5, 3]);
      const f = tf.tensor4d(Float32Array.from(randn(9, 3, 6).data), [3, 3, 3, 1]);
      const [dx, df] = tf.grads((a, b) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, f]);
      const e = tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4]));
      return [dx!, df!, e];
    });
    cpu.forEach((v, i) => expect(relErr(wasm[i], v)).toBeLessThan(1e-5));
  });

  it('transposed matMul (patched kernel) gives the same products as the plain one', () => {
    const a = fromMatrix(randn(13, 7, 7));
    const b = fromMatrix(randn(13, 5, 8));
    const c = fromMatrix(randn(9, 7, 9));
    const ref = (x: Matrix, y: Matrix, ta: boolean, tb: boolean) => matmulF64(x, y, { transposeA: ta, transposeB: tb }).data;
    expect(relErr(tf.matMul(a, b, true, false).dataSync(), ref(toMatrix(a), toMatrix(b), true, false))).toBeLessThan(1e-6);
    expect(relErr(tf.matMul(a, c, false, true).dataSync(), ref(toMatrix(a), toMatrix(c), false, true))).toBeLessThan(1e-6);
    const bias = tf.ones([5]);
    const fused = tf.fused.matMul({ a, b, transposeA: true, bias, activation: 'relu' });
    const expected = ref(toMatrix(a), toMatrix(b), true, false).map((v) => Math.max(0, v + 1));
    expect(relErr(fused.dataSync(), expected)).toBeLessThan(1e-6);
    tf.dispose([a, b, c, bias, fused]);
  });

  it('transposed BatchMatMul equals the float64 product for every flag combination, odd and batched shapes', async () => {
    // Shapes chosen so both flag-free forms are exercised: a small left operand times a large transposed weight
    // (the product-transposing form) and the opposite (the operand-transposing form).
    const cases: Array<{ m: number; k: number; n: number; batch: number[] }> = [
      { m: 3, k: 7, n: 31, batch: [] },
      { m: 31, k: 5, n: 2, batch: [] },
      { m: 1, k: 13, n: 9, batch: [] },
      { m: 17, k: 1, n: 11, batch: [] },
      { m: 5, k: 9, n: 23, batch: [3] },
      { m: 29, k: 6, n: 4, batch: [2] },
    ];
    for (const { m, k, n, batch } of cases) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const count = batch.reduce((p, d) => p * d, 1);
        const aData = randn(count * (ta ? k : m), ta ? m : k, m * 100 + n);
        const bData = randn(count * (tb ? n : k), tb ? k : n, k * 100 + n + 7);
        const aShape = [...batch, ta ? k : m, ta ? m : k];
        const bShape = [...batch, tb ? n : k, tb ? k : n];
        const { cpu, wasm } = await onBothBackends(() =>
          tf.matMul(tf.tensor(Float32Array.from(aData.data), aShape), tf.tensor(Float32Array.from(bData.data), bShape), ta, tb),
        );
        const expected = new Float64Array(count * m * n);
        for (let q = 0; q < count; q++) {
          const sub = (d: Matrix, rows: number, cols: number): Matrix => ({ rows, cols, data: d.data.slice(q * rows * cols, (q + 1) * rows * cols) });
          const prod = matmulF64(sub(aData, ta ? k : m, ta ? m : k), sub(bData, tb ? n : k, tb ? k : n), { transposeA: ta, transposeB: tb });
          expected.set(prod.data, q * m * n);
        }
        const label = JSON.stringify({ m, k, n, batch, ta, tb });
        expect(wasm[0].length, label).toBe(expected.length);
        expect(relErr(wasm[0], expected), label).toBeLessThan(1e-6);
        expect(relErr(wasm[0], cpu[0]), label).toBeLessThan(1e-6);
      }
    }
  });

  it('max-pooling gradients (MaxPoolGrad) on wasm equal the cpu kernel for strides, paddings, overlaps and ties', async () => {
    const configs: Array<{ n: number; h: number; w: number; c: number; k: number; s: number; pad: 'same' | 'valid' }> = [
      { n: 2, h: 8, w: 8, c: 3, k: 2, s: 2, pad: 'valid' },
      { n: 1, h: 7, w: 5, c: 2, k: 3, s: 2, pad: 'same' },
      { n: 2, h: 6, w: 6, c: 4, k: 3, s: 1, pad: 'same' },
      { n: 1, h: 9, w: 7, c: 1, k: 2, s: 3, pad: 'valid' },
      { n: 2, h: 7, w: 9, c: 5, k: 2, s: 2, pad: 'same' }, // 2 × 2 windows, the last row and column partial
      // 2 × 2 windows at stride 2, all inside the input: the SIMD kernel (groups of four channels and a scalar rest),
      // with a last row and column that no window covers when the size is odd.
      { n: 2, h: 8, w: 6, c: 9, k: 2, s: 2, pad: 'valid' },
      { n: 1, h: 9, w: 7, c: 8, k: 2, s: 2, pad: 'valid' },
      { n: 3, h: 4, w: 4, c: 16, k: 2, s: 2, pad: 'same' },
    ];
    for (const cfg of configs) {
      const data = Float32Array.from(randn(cfg.n * cfg.h * cfg.w, cfg.c, cfg.h * 10 + cfg.k).data);
      // Ties: quantised values put several equal maxima in many windows.
      const tied = data.map((v) => Math.round(v));
      // NaNs (never a maximum), −∞, windows of only −∞ (no maximum, no gradient) and −0 next to +0.
      const special = data.map((v, i) => [Number.NaN, Number.NEGATIVE_INFINITY, -0, 0, v][i % 5]!);
      const minusInf = data.map((v, i) => (i % cfg.c === 0 ? Number.NEGATIVE_INFINITY : v));
      for (const values of [data, tied, special, minusInf]) {
        const { cpu, wasm } = await onBothBackends(() => {
          const x = tf.tensor4d(values, [cfg.n, cfg.h, cfg.w, cfg.c]);
          const weight = tf.tensor(Float32Array.from({ length: 400 }, (_, i) => (i % 7 === 3 ? -0 : Math.cos(i))));
          return tf.grads((a) => {
            const pooled = tf.maxPool(a as tf.Tensor4D, cfg.k, cfg.s, cfg.pad);
            return tf.sum(tf.mul(pooled, tf.reshape(tf.slice(weight, 0, pooled.size), pooled.shape)));
          })([x]);
        });
        // Bit patterns: −0 must stay −0 and +0 stay +0, as the cpu kernel writes them.
        const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
        expect(bitsOf(wasm[0]), JSON.stringify(cfg)).toEqual(bitsOf(cpu[0]));
      }
    }
  });

  it('Identity on wasm shares the buffer (no copy), outlives its source, and leaky-ReLU gradients equal the cpu kernel', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, -2, 3, -4, 5, 6], [2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const c = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers); // the copying kernel made a new buffer here
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, -2, 3, -4, 5, 6]); // still alive: the buffer is reference-counted
    c.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
    const s = tf.tensor1d(['a', 'b'], 'string'); // strings keep the copying path
    const sc = tf.clone(s);
    expect(sc.dataSync()).toEqual(['a', 'b']);
    tf.dispose([s, sc]);
    const v = Float32Array.from(randn(4, 5, 3).data);
    const { cpu, wasm } = await onBothBackends(() => tf.grads((a) => tf.sum(tf.mul(tf.leakyRelu(a, 0.2), a)))([tf.tensor2d(v, [4, 5])]));
    wasm[0].forEach((g, i) => expect(g).toBeCloseTo(cpu[0][i], 6));
  });

  it('GatherV2 on wasm equals the cpu kernel for every axis, int32 data, 2-D indices and repeated rows', async () => {
    const x = tf.tensor3d(Float32Array.from(randn(4 * 5, 6, 11).data), [4, 5, 6]);
    const xi = tf.tensor2d(
      Int32Array.from({ length: 35 }, (_, i) => i * 3 - 40),
      [7, 5],
      'int32',
    );
    const ids = [3, 0, 3, 1];
    const { cpu, wasm } = await onBothBackends(() => [
      tf.gather(x, tf.tensor1d(ids, 'int32'), 0),
      tf.gather(x, tf.tensor1d([4, 4, 0], 'int32'), 1),
      tf.gather(x, tf.tensor1d([5, 0, 2, 2, 1], 'int32'), 2),
      tf.gather(x, tf.tensor2d([1, 0, 2, 3], [2, 2], 'int32'), 0),
      tf.gather(xi, tf.tensor1d([6, 0, 6], 'int32'), 0),
      tf.gather(x, tf.tensor1d([], 'int32'), 0),
    ]);
    cpu.forEach((v, i) => expect(Array.from(wasm[i]), `case ${i}`).toEqual(Array.from(v)));
    expect(() => tf.gather(x, tf.tensor1d([4], 'int32'), 0)).toThrow(/index value 4 is not in \[0, 3\]/);
    tf.dispose([x, xi]);
  });

  it('Sum over leading axes on wasm gives the bits of the transpose-then-sum kernel, keepDims and negative axes too', () => {
    const x = tf.tensor4d(
      Float32Array.from(randn(50 * 14 * 14, 20, 13).data, (v) => v * 3 + 1),
      [50, 14, 14, 20],
    );
    const y = tf.tensor2d(Float32Array.from(randn(37, 11, 14).data), [37, 11]);
    const check = (got: tf.Tensor, want: tf.Tensor, shape: number[]) => {
      expect(got.shape).toEqual(shape);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    };
    tf.tidy(() => {
      // Summing the innermost axes runs the original kernel with no transpose: the reference order.
      const inner = tf.sum(tf.transpose(x, [3, 0, 1, 2]), [1, 2, 3]);
      check(tf.sum(x, [0, 1, 2]), inner, [20]);
      check(tf.sum(x, [0, 1, 2], true), inner, [1, 1, 1, 20]);
      check(tf.sum(x, [-4, -3]), tf.sum(tf.transpose(x, [2, 3, 0, 1]), [2, 3]).reshape([14, 20]), [14, 20]);
      check(tf.sum(y, 0), tf.sum(tf.transpose(y), 1), [11]);
      const sums = tf.sum(x, [0, 1, 2]).dataSync();
      const xv = x.dataSync();
      for (const c of [0, 7, 19]) {
        let exact = 0;
        for (let i = c; i < xv.length; i += 20) exact += xv[i];
        expect(Math.abs(sums[c] - exact)).toBeLessThan(1e-4 * Math.abs(exact) + 1e-2);
      }
      // Not leading, or every axis: the original kernel.
      check(tf.sum(x, [1, 2]), tf.sum(tf.transpose(x, [0, 3, 1, 2]), [2, 3]), [50, 20]);
      expect(tf.sum(y).dataSync()[0]).toBeCloseTo(
        Array.from(y.dataSync()).reduce((p, v) => p + v, 0),
        3,
      );
      expect(tf.sum(tf.zeros([0, 3]), 0).arraySync()).toEqual([0, 0, 0]);
    });
    tf.dispose([x, y]);
  });

  it('Slice and StridedSlice on wasm equal the cpu kernels and read only the sliced block, never all the input', async () => {
    const x = tf.tensor4d(Float32Array.from(randn(3 * 4 * 5, 6, 12).data), [3, 4, 5, 6]);
    const xi = tf.tensor2d(
      Int32Array.from({ length: 70 }, (_, i) => i * 7 - 100),
      [10, 7],
      'int32',
    );
    const v = tf.tensor1d([1, 2, 3, 4, 5]);
    const cases = () => [
      tf.slice(x, [1, 0, 0, 0], [2, -1, -1, -1]),
      tf.slice(x, [0, 1, 2, 3], [3, 2, 3, 3]),
      tf.slice(x, [2, 3, 4, 0], [1, 1, 1, 6]),
      tf.slice(x, [0, 0, 0, 5], [3, 4, 5, 1]),
      tf.slice(x, [1, 2, 0, 0], [1, 2, 5, 6]),
      tf.slice(x, [0, 0, 0, 0], [0, 4, 5, 6]),
      tf.slice(xi, [3, 2], [4, 5]),
      tf.slice(v, 1, 3),
      tf.stridedSlice(x, [1, 0, 0, 0], [3, 4, 5, 6], [1, 1, 1, 1]),
      tf.stridedSlice(x, [0, 1, 1, 2], [3, 3, 4, 6], [1, 1, 1, 1]),
      tf.stridedSlice(x, [2], [3], [1], 0, 0, 0, 0, 1),
      tf.stridedSlice(x, [0, 0, 0, 0], [3, 4, 5, 6], [1, 2, 1, 3]),
      tf.stridedSlice(xi, [9, 0], [0, 7], [-1, 1]),
      tf.stridedSlice(x, [2, 3, 0, 5], [0, 0, 5, 0], [-1, -2, 2, -2]),
      tf.stridedSlice(xi, [1, 6], [10, 0], [3, -3], 0, 0, 0, 0, 0).cast('float32'),
      tf.split(x, [1, 3, 2], 3)[1],
      tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.slice(a, [1, 1, 1, 1], [2, 2, 2, 2]))))(x),
    ];
    const { cpu, wasm } = await onBothBackends(cases);
    cpu.forEach((c, i) => expect(Array.from(wasm[i]), `case ${i}`).toEqual(Array.from(c)));
    const shapes = tf.tidy(() => cases().map((t) => t.shape));
    expect(shapes[10]).toEqual([4, 5, 6]);
    expect(shapes[12]).toEqual([9, 7]);
    expect(shapes[5]).toEqual([0, 4, 5, 6]);
    // The tfjs 4.x kernels copied the whole input out of the heap (readSync) for every slice; the int32 strided case
    // (case 12) came back as float32 bit patterns.
    const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (...a: unknown[]) => {
      reads++;
      return readSync.apply(backend, a);
    };
    try {
      tf.dispose([
        tf.slice(x, [1, 0, 0, 0], [1, 4, 5, 6]),
        tf.slice(x, [0, 1, 2, 3], [3, 2, 3, 3]),
        tf.stridedSlice(x, [1], [2], [1]),
        tf.stridedSlice(x, [0, 0, 0, 0], [3, 4, 5, 6], [2, 1, 3, 1]),
      ]);
    } finally {
      backend.readSync = readSync;
    }
    expect(reads).toBe(0);
    tf.dispose([x, xi, v]);
  });
});

describe('matMul helper', () => {
  it('matches tf.matMul for every transpose combination, with gradients, on wasm and cpu', async () => {
    const a = randn(6, 4, 11);
    const b = randn(6, 4, 12);
    for (const [ta, tb] of [
      [false, true],
      [true, false],
      [false, false],
      [true, true],
    ] as const) {
      const shapeA: [number, number] = ta ? [4, 6] : [6, 4];
      const shapeB: [number, number] = tb ? [3, 4] : [4, 3];
      const av = Float32Array.from(randn(...shapeA, 13).data);
      const bv = Float32Array.from(randn(...shapeB, 14).data);
      const { cpu, wasm } = await onBothBackends(() => {
        const x = tf.tensor2d(av, shapeA);
        const y = tf.tensor2d(bv, shapeB);
        const out = matMul(x, y, ta, tb);
        const plain = tf.matMul(x, y, ta, tb);
        const [gx, gy] = tf.grads((p, q) => tf.sum(tf.sin(matMul(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb))))([x, y]);
        const [px, py] = tf.grads((p, q) => tf.sum(tf.sin(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb))))([x, y]);
        return [out, plain, gx!, px!, gy!, py!];
      });
      for (const r of [cpu, wasm]) {
        expect(relErr(r[0], r[1])).toBeLessThan(1e-6);
        expect(relErr(r[2], r[3])).toBeLessThan(1e-5);
        expect(relErr(r[4], r[5])).toBeLessThan(1e-5);
      }
    }
    expect(a.rows + b.rows).toBe(12);
  });

  it('names the mismatched argument', () => {
    const x = tf.zeros([3, 4]);
    expect(() => matMul(x, tf.zeros([5, 2]))).toThrow(/matMul: argument 'b' must have shape \[4, \?\]/);
    expect(() => matMul(x, tf.zeros([4, 2], 'int32'))).toThrow(DTypeError);
    expect(() => matMul(tf.zeros([2, 3, 4]), tf.zeros([3, 4, 2]))).toThrow(/batch sizes must match/);
  });
});

describe('extractPatches (im2col)', () => {
  it('[1 | P]·W equals conv2d + bias for several channel counts, kernel sizes, strides and paddings', () => {
    const cases: Array<{ c: number; k: number; stride: number; padding: 'same' | 'valid' }> = [
      { c: 1, k: 1, stride: 1, padding: 'same' },
      { c: 1, k: 3, stride: 1, padding: 'same' },
      { c: 3, k: 3, stride: 1, padding: 'same' },
      { c: 2, k: 5, stride: 1, padding: 'same' },
      { c: 3, k: 3, stride: 2, padding: 'same' },
      { c: 2, k: 3, stride: 1, padding: 'valid' },
      { c: 2, k: 3, stride: 2, padding: 'valid' },
    ];
    for (const { c, k, stride, padding } of cases) {
      const [n, h, w, co] = [2, 7, 6, 4];
      tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from(randn(n * h * w, c, c + k).data), [n, h, w, c]);
        const weights = tf.tensor2d(Float32Array.from(randn(1 + k * k * c, co, k).data), [1 + k * k * c, co]);
        const p = extractPatches(x, k, { strides: stride, padding });
        const withBias = tf.concat([tf.ones([p.shape[0], 1]), p], 1);
        const viaPatches = tf.matMul(withBias, weights);
        const kernel = tf.reshape(tf.slice(weights, [1, 0], [k * k * c, co]), [k, k, c, co]) as tf.Tensor4D;
        const conv: tf.Tensor4D = tf.add(tf.conv2d(x, kernel, stride, padding), tf.slice(weights, [0, 0], [1, co]).reshape([co]));
        expect(viaPatches.shape[0]).toBe(conv.shape[0] * conv.shape[1] * conv.shape[2]);
        expect(relErr(viaPatches.dataSync(), conv.dataSync()), JSON.stringify({ c, k, stride, padding })).toBeLessThan(1e-5);
      });
    }
  });

  it('orders columns as (dy·kw + dx)·C + c and rows as (b·Ho + y)·Wo + x', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const p = extractPatches(x, 2, { padding: 'valid' });
    expect(p.shape).toEqual([1, 4]);
    expect(Array.from(p.dataSync())).toEqual([1, 2, 3, 4]);
    const same = extractPatches(x, 3);
    // Row 0 is the window centred on pixel (0,0): zero padding above and to the left.
    expect(Array.from(same.dataSync().slice(0, 9))).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4]);
    tf.dispose([x, p, same]);
  });

  it('gradient through im2col equals the gradient through conv2d with respect to the input', () => {
    const [n, h, w, c, co, k] = [2, 5, 5, 2, 3, 3];
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(randn(n * h * w, c, 21).data), [n, h, w, c]);
      const kernel = tf.tensor4d(Float32Array.from(randn(k * k * c, co, 22).data), [k, k, c, co]);
      const flat = tf.reshape(kernel, [k * k * c, co]);
      const gPatches = tf.grad((z) => tf.sum(tf.tanh(tf.matMul(extractPatches(z as tf.Tensor4D, k), flat))))(x);
      const gConv = tf.grad((z) => tf.sum(tf.tanh(tf.conv2d(z as tf.Tensor4D, kernel, 1, 'same'))))(x);
      expect(relErr(gPatches.dataSync(), gConv.dataSync())).toBeLessThan(1e-5);
    });
  });

  it('the direct im2col (CPU backends) and the composed one (GPU backends) agree in value and gradient', () => {
    for (const { k, stride, padding } of [
      { k: 3, stride: 1, padding: 'same' },
      { k: 2, stride: 2, padding: 'same' },
      { k: 3, stride: 2, padding: 'valid' },
      { k: 5, stride: 3, padding: 'same' },
    ] as const) {
      tf.tidy(() => {
        const [n, h, w, c] = [2, 7, 8, 3];
        const x = tf.tensor4d(Float32Array.from(randn(n * h * w, c, 40 + k).data), [n, h, w, c]);
        const info = tf.backend_util.computeConv2DInfo([n, h, w, c], [k, k, c, 1], [stride, stride], 1, padding);
        const g = { n, h, w, c, kh: k, kw: k, sh: stride, sw: stride, ho: info.outHeight, wo: info.outWidth, ...info.padInfo };
        const weight = tf.randomNormal([info.outHeight * info.outWidth * n, k * k * c], 0, 1, 'float32', 7);
        const loss = (patches: (z: tf.Tensor4D) => tf.Tensor2D) => (z: tf.Tensor) => tf.sum(tf.mul(tf.sin(patches(z as tf.Tensor4D)), weight));
        const direct = patchOp(g)(x);
        const composed = composedPatches(x, g);
        const label = JSON.stringify({ k, stride, padding });
        expect(direct.shape, label).toEqual(composed.shape);
        expect(Array.from(direct.dataSync()), label).toEqual(Array.from(composed.dataSync()));
        const gDirect = tf.grad(loss((z) => patchOp(g)(z) as tf.Tensor2D))(x);
        const gComposed = tf.grad(loss((z) => composedPatches(z, g)))(x);
        expect(relErr(gDirect.dataSync(), gComposed.dataSync()), label).toBeLessThan(1e-6);
      });
    }
  });

  it('passes a finite-difference gradient check', () => {
    const x = tf.tensor4d(Float32Array.from(randn(1 * 4 * 4, 2, 31).data), [1, 4, 4, 2]);
    const g = tf.tensor2d(Float32Array.from(randn(16, 18, 32).data), [16, 18]);
    const result = gradCheck((z) => tf.sum(tf.mul(g, extractPatches(z as tf.Tensor4D, 3))) as tf.Scalar, [x], { h: 1e-2, tolerance: 1e-3 });
    expect(result.passed).toBe(true);
    tf.dispose([x, g]);
  });

  it('rejects bad arguments by name', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => extractPatches(tf.zeros([4, 4, 1]) as unknown as tf.Tensor4D, 3)).toThrow(/argument 'x' must have shape \[N, H, W, C\]/);
    expect(() => extractPatches(x, 0)).toThrow(/argument 'kernelSize'/);
    expect(() => extractPatches(x, 3, { strides: 1.5 })).toThrow(/argument 'strides'/);
    expect(() => extractPatches(x, 5, { padding: 'valid' })).toThrow(/must fit inside the 4 × 4 input/);
    expect(() => extractPatches(x, 3, { padding: 'full' as 'same' })).toThrow(/argument 'padding'/);
    x.dispose();
  });
});

describe('pinv and lstsq ops', () => {
  it('forward equals the float64 kernels', () => {
    const a = randn(7, 4, 41);
    const b = randn(7, 2, 42);
    const ap = tf.tidy(() => pinv(fromMatrix(a)));
    const x = tf.tidy(() => lstsq(fromMatrix(a), fromMatrix(b)));
    expect(relErr(ap.dataSync(), pinvF64(toMatrix(fromMatrix(a))).data)).toBeLessThan(1e-5);
    expect(relErr(x.dataSync(), lstsqF64(toMatrix(fromMatrix(a)), toMatrix(fromMatrix(b))).x.data)).toBeLessThan(1e-5);
    tf.dispose([ap, x]);
  });

  it('pinv gradient matches float64 finite differences for tall and wide full-rank input', () => {
    for (const [m, n] of [
      [7, 4],
      [3, 6],
    ] as const) {
      const a = toMatrix(fromMatrix(randn(m, n, 50 + m)));
      const g = randn(n, m, 51);
      const gT = fromMatrix(g);
      const at = fromMatrix(a);
      const result = gradCheck((x) => tf.sum(tf.mul(gT, pinv(x as tf.Tensor2D))) as tf.Scalar, [at], {
        reference: (av) => dot(g, pinvF64({ rows: m, cols: n, data: av })),
        tolerance: 1e-4,
      });
      expect(result.passed, `${m}×${n}: ${result.maxRelativeError}`).toBe(true);
      tf.dispose([gT, at]);
    }
  });

  it('lstsq gradient matches float64 finite differences for both A and B', () => {
    const a = toMatrix(fromMatrix(randn(9, 3, 60)));
    const b = toMatrix(fromMatrix(randn(9, 2, 61)));
    const g = randn(3, 2, 62);
    const gT = fromMatrix(g);
    const [at, bt] = [fromMatrix(a), fromMatrix(b)];
    const result = gradCheck((x, y) => tf.sum(tf.mul(gT, lstsq(x as tf.Tensor2D, y as tf.Tensor2D))) as tf.Scalar, [at, bt], {
      reference: (av, bv) => dot(g, lstsqF64({ rows: 9, cols: 3, data: av }, { rows: 9, cols: 2, data: bv }).x),
      tolerance: 1e-4,
    });
    expect(result.passed, String(result.maxRelativeError)).toBe(true);
    tf.dispose([gT, at, bt]);
  });

  it('reject NaN input and mismatched rows', () => {
    const a = tf.tensor2d([
      [1, Number.NaN],
      [0, 1],
    ]);
    expect(() => pinv(a)).toThrow(NonFiniteError);
    expect(() => lstsq(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([4, 1]) as tf.Tensor2D)).toThrow(/argument 'B' must have shape \[m = 3, k\]/);
    a.dispose();
  });
});

describe('gradCheck', () => {
  const x = randn(3, 2, 70);
  const sumSquares = (m: Matrix) => m.data.reduce((s, v) => s + v * v, 0);

  it('passes a correct gradient with an error near 1e-10 and fails a wrong one', () => {
    const good = gradCheck(sumSquares, [x], { gradient: (m) => [{ ...m, data: m.data.map((v) => 2 * v) }] });
    expect(good.passed).toBe(true);
    expect(good.maxRelativeError).toBeLessThan(1e-8);
    const bad = gradCheck(sumSquares, [x], { gradient: (m) => [{ ...m, data: m.data.map((v) => 2.001 * v) }] });
    expect(bad.passed).toBe(false);
    expect(bad.maxRelativeError).toBeGreaterThan(1e-4);
    const fourth = gradCheck(sumSquares, [x], { gradient: (m) => [{ ...m, data: m.data.map((v) => 2 * v) }], order: 4, h: 1e-3 });
    expect(fourth.maxRelativeError).toBeLessThan(1e-9);
  });

  it('samples coordinates reproducibly with maxEntries', () => {
    const big = randn(10, 10, 71);
    const opts = { gradient: (m: Matrix) => [{ ...m, data: m.data.map((v) => 2 * v) }], maxEntries: 7, seed: 3 };
    const r1 = gradCheck(sumSquares, [big], opts);
    const r2 = gradCheck(sumSquares, [big], opts);
    expect(r1.inputs[0].indices).toHaveLength(7);
    expect(r1.inputs[0].indices).toEqual(r2.inputs[0].indices);
  });

  it('checks tfjs functions by float32 differencing and catches a broken custom gradient', () => {
    const t = tf.tensor2d([
      [0.3, -0.2],
      [0.5, 0.1],
    ]);
    expect(gradCheck((z) => tf.sum(tf.tanh(z)) as tf.Scalar, [t]).passed).toBe(true);
    const broken = tf.customGrad((z: tf.Tensor | tf.GradSaveFunc) => ({
      value: tf.sum(tf.square(z as tf.Tensor)),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.mul(dy as tf.Tensor, z as tf.Tensor),
    }));
    expect(gradCheck((z) => broken(z) as tf.Scalar, [t]).passed).toBe(false);
    t.dispose();
  });

  it('demands a gradient function for float64 inputs and validates options', () => {
    expect(() => gradCheck(sumSquares, [x], {} as never)).toThrow(/options.gradient/);
    expect(() => gradCheck(sumSquares, [x], { gradient: () => [] })).toThrow(/must return 1 matrices/);
    expect(() => gradCheck(sumSquares, [x], { gradient: (m) => [m], order: 3 as 2 })).toThrow(/argument 'order'/);
    expect(() => gradCheck(sumSquares, [], { gradient: () => [] })).toThrow(/argument 'inputs'/);
  });
});

describe('checkTensor and checkNumber', () => {
  it('binds symbolic dimensions across arguments and reports the bound value', () => {
    const dims = {};
    checkTensor('fit', 'x', tf.zeros([4, 2]), { shape: ['n', 2] }, dims);
    expect(dims).toEqual({ n: 4 });
    expect(() => checkTensor('fit', 'y', tf.zeros([3]), { shape: ['n'] }, dims)).toThrow("fit: argument 'y' must have shape [n = 4], got [3]");
    expect(() => checkTensor('fit', 'x', tf.zeros([4, 3]), { shape: ['n', 2] })).toThrow(ShapeError);
    expect(() => checkTensor('fit', 'k', tf.zeros([3, 4]), { shape: ['n', 'n'] })).toThrow(/dimension 'n' must be 3/);
    expect(() => checkTensor('fit', 'x', [1, 2], { rank: 1 })).toThrow(/must be a tf.Tensor/);
    expect(() => checkTensor('fit', 'x', tf.tensor1d([1, Number.NaN]), { finite: true })).toThrow(/contains NaN at index 1/);
    expect(() => checkTensor('fit', 'x', tf.zeros([2], 'int32'), { dtype: ['float32', 'bool'] })).toThrow(/dtype float32 or bool, got int32/);
  });

  it('checkNumber describes the accepted range', () => {
    expect(() => checkNumber('fit', 'epochs', 0, { min: 1, integer: true })).toThrow("fit: argument 'epochs' must be an integer ≥ 1, got 0");
    expect(() => checkNumber('fit', 'lr', Number.NaN, { min: 0, exclusiveMin: true })).toThrow(/must be a finite number > 0, got NaN/);
    expect(() => checkNumber('fit', 'p', 1, { min: 0, max: 1, exclusiveMax: true })).toThrow(/< 1/);
    expect(() => checkNumber('fit', 'p', 0.5, { min: 0, max: 1 })).not.toThrow();
  });
});

describe('activation registry', () => {
  const s = [-2.5, -0.7, -1e-3, 0, 1e-3, 0.4, 3];
  it('float64 function, tfjs op and tf.layers layer agree; the derivative matches central differences', () => {
    for (const name of ACTIVATION_NAMES) {
      const spec = ACTIVATIONS[name];
      const alpha = LEAKY_RELU_ALPHA;
      const f64 = s.map((v) => spec.f64(v, alpha));
      const op = tf.tidy(() => Array.from(spec.tf(tf.tensor1d(s), alpha).dataSync()));
      op.forEach((v, i) => expect(Math.abs(v - f64[i]), name).toBeLessThan(1e-6));
      const layer = spec.layer({ alpha, name: `act_${name}` });
      if (name === 'sign') expect(layer).toBeNull();
      else {
        const out = tf.tidy(() => Array.from((layer!.apply(tf.tensor2d([s])) as tf.Tensor).dataSync()));
        out.forEach((v, i) => expect(Math.abs(v - f64[i]), name).toBeLessThan(1e-6));
      }
      const dTf = tf.tidy(() => Array.from(spec.tfDerivative(tf.tensor1d(s), alpha).dataSync()));
      s.forEach((v, i) => {
        if (v === 0) return; // kinks of relu, leaky ReLU, elu and sign
        const h = 1e-6;
        const numeric = name === 'sign' ? 0 : (spec.f64(v + h, alpha) - spec.f64(v - h, alpha)) / (2 * h);
        const d = spec.f64Derivative(v, f64[i], alpha);
        expect(Math.abs(d - numeric), `${name} at ${v}`).toBeLessThan(1e-6);
        expect(Math.abs(dTf[i] - d), `${name} tf derivative at ${v}`).toBeLessThan(1e-5);
      });
    }
  });

  it('each entry is named by its key; slopes at the kinks; a given leaky-ReLU slope and layer name are used', () => {
    expect(ACTIVATION_NAMES).toEqual(['tanh', 'sigmoid', 'relu', 'leakyRelu', 'elu', 'sign', 'linear']);
    for (const name of ACTIVATION_NAMES) expect(ACTIVATIONS[name].name).toBe(name);
    expect(LEAKY_RELU_ALPHA).toBe(0.2);
    const at0 = (name: (typeof ACTIVATION_NAMES)[number], alpha = 0.1) => [
      ACTIVATIONS[name].f64Derivative(0, ACTIVATIONS[name].f64(0, alpha), alpha),
      tf.tidy(() => ACTIVATIONS[name].tfDerivative(tf.tensor1d([0]), alpha).dataSync()[0]),
    ];
    expect([at0('relu'), at0('leakyRelu'), at0('sign'), at0('linear'), at0('tanh'), at0('sigmoid')]).toEqual([
      [0, 0],
      [0.1, expect.closeTo(0.1, 7)],
      [0, 0],
      [1, 1],
      [1, 1],
      [0.25, 0.25],
    ]);
    const leaky = ACTIVATIONS.leakyRelu;
    expect([leaky.f64(-2, 0.1), leaky.f64Derivative(-2, -0.2, 0.1), leaky.f64(3, 0.1)]).toEqual([-0.2, 0.1, 3]);
    expect(tf.tidy(() => Array.from(leaky.tf(tf.tensor1d([-2, 3]), 0.1).dataSync()))).toEqual([expect.closeTo(-0.2, 7), 3]);
    expect(tf.tidy(() => Array.from(leaky.tfDerivative(tf.tensor1d([-2, 3]), 0.1).dataSync()))).toEqual([expect.closeTo(0.1, 7), 1]);
    expect(ACTIVATIONS.relu.f64(-3, 0.2)).toBe(0);
    expect(ACTIVATIONS.elu.f64Derivative(-1, 0, 0.2)).toBeCloseTo(Math.exp(-1), 12);
    expect(ACTIVATIONS.linear.tf(tf.scalar(2), 0).dataSync()[0]).toBe(2);
    expect((leaky.layer({ alpha: 0.05 }) as tf.layers.Layer).getConfig().alpha).toBe(0.05);
    expect((leaky.layer({}) as tf.layers.Layer).getConfig().alpha).toBe(0.2);
    for (const name of ['tanh', 'sigmoid', 'relu', 'elu', 'linear', 'leakyRelu'] as const) {
      const named = ACTIVATIONS[name].layer({ name: `my_${name}` }) as tf.layers.Layer;
      expect(named.name).toBe(`my_${name}`);
      expect(named.getClassName()).toBe(name === 'leakyRelu' ? 'LeakyReLU' : 'Activation');
      if (name !== 'leakyRelu') expect(named.getConfig().activation).toBe(name);
      expect((ACTIVATIONS[name].layer({}) as tf.layers.Layer).name).not.toContain('undefined');
    }
  });

  it('activation() accepts every name by default and refuses non-strings', () => {
    for (const name of ACTIVATION_NAMES) expect(activation('f', 'a', name)).toBe(ACTIVATIONS[name]);
    expect(() => activation('f', 'a', 3)).toThrow("f: argument 'a' must be one of 'tanh', 'sigmoid', 'relu', 'leakyRelu', 'elu', 'sign', 'linear', got 3");
    expect(() => activation('f', 'a', 'tanh', [])).toThrow(/must be one of , got "tanh"/);
  });

  it('keeps NaN for the caller to detect, and names a bad choice with the allowed list', () => {
    expect(ACTIVATIONS.relu.f64(Number.NaN, 0.2)).toBeNaN();
    expect(ACTIVATIONS.relu.f64(-0, 0.2)).toBe(0);
    expect(activation('f', 'arch.activation', 'tanh', ['tanh', 'relu']).name).toBe('tanh');
    expect(() => activation('f', 'arch.activation', 'elu', ['tanh', 'relu'])).toThrow(
      /f: argument 'arch\.activation' must be one of 'tanh', 'relu', got "elu"/,
    );
  });
});
