import { DenseBackpropF64 } from './dist/dense-backprop-f64.js';
import { resolveDenseArchitecture } from './dist/dense-architecture.js';
const act = process.argv[2] ?? 'tanh';
const arch = resolveDenseArchitecture('b', { layers: [2, 5, 5, 5, 2], shortcuts: true, activation: act });
const bp = new DenseBackpropF64(arch);
for (const n of [194, 1940]) {
const fan = [3, 8, 13, 18], outs = [5, 5, 5, 2];
const w = fan.map((f, i) => Float64Array.from({ length: f * outs[i] }, () => Math.random() - 0.5));
const x = Float64Array.from({ length: n * 2 }, () => Math.random() * 2 - 1);
const y = Int32Array.from({ length: n }, (_, i) => i % 2);
for (let r = 0; r < 3; r++) {
  const N = Math.round(1e6 / n); const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) bp.step(w, x, y, n);
  const c = process.cpuUsage(c0);
  console.log(act, 'n', n, 'cpu us/step', ((c.user + c.system) / N).toFixed(1), 'ns per row', ((c.user + c.system) * 1000 / N / n).toFixed(1));
}}
