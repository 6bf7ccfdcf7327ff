import * as tf from '@tensorflow/tfjs';
import { initBackend, createRng } from '@beyond-backprop/core-linalg';
import { TargetSpaceRnn } from '../src/index.js';
await initBackend({ log: false });
function bits(n: number, T: number, N: number, seed: number) {
  const rng = createRng(seed); const x = new Float32Array(n * T); const y = new Int32Array(n * T);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) { x[i * T + t] = rng.int(2); }
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) y[i * T + t] = t < N ? -1 : x[i * T + t - N]!;
  return { x: tf.tensor3d(x, [n, T, 1]), y: tf.tensor2d(y, [n, T], 'int32') };
}
const N = Number(process.argv[2] ?? 2); const T = N + 50;
const tr = bits(8000, T, N, 1), te = bits(100, T, N, 2);
const xBar = tf.slice(tr.x, [0, 0, 0], [100, T, 1]) as tf.Tensor3D;
const net = new TargetSpaceRnn({ inputSize: 1, hidden: N + 3, outputs: 2 }, { realisationInputs: xBar, lambda: 0.1, seed: 1, optimizer: { kind: 'adam', learningRate: Number(process.argv[3] ?? 0.001) } });
console.log('engine', net.engine);
const t0 = performance.now();
let solved = -1;
const h = await net.fit(tr.x, tr.y, { epochs: Number(process.argv[4] ?? 40), batchSize: 100, validationData: [te.x, te.y], callbacks: { onEpochEnd: (e, l) => { if (e % 5 === 0) console.log(e, (e+1)*80, l.loss.toFixed(4), l.valAccuracy); if (solved < 0 && l.valAccuracy! >= 0.99) solved = (e+1)*80; } } });
console.log('ms/it', h.msPerIteration.toFixed(2), 'total s', ((performance.now() - t0) / 1000).toFixed(1), 'solved at iteration', solved);
