import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { twoSpirals } from '@beyond-backprop/datasets';
import { TargetSpaceMlp } from '../src/index.js';
await initBackend({ log: false });
const ds = twoSpirals();
const x = tf.tensor2d(ds.train.x, [194, 2]); const y = tf.tensor1d(ds.train.y, 'int32');
const xt = tf.tensor2d(ds.test.x, [194, 2]);
for (const seed of [1, 2, 3, 4, 5]) {
  const net = new TargetSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { realisationInputs: x, seed, lambda: 1e-3 });
  const t0 = performance.now();
  let first100 = -1;
  const h = await net.fit(x, y, { epochs: 1500, trackAccuracy: true, callbacks: { onEpochEnd: (e, l) => { if (first100 < 0 && l.accuracy === 1) first100 = e; } } });
  const ms = performance.now() - t0;
  const p = net.predict(xt); const pred = p.argMax(1).dataSync(); let c = 0; for (let i = 0; i < 194; i++) if (pred[i] === ds.test.y[i]) c++;
  console.log('seed', seed, net.engine, 'loss', h.history.loss!.at(-1)!.toFixed(5), 'train', h.history.accuracy!.at(-1), 'first100', first100, 'test', (c/194).toFixed(3), 'ms/it', h.msPerIteration.toFixed(3), 'total', ms.toFixed(0));
}
