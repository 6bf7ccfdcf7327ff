import { Tape, createRng } from '@beyond-backprop/core-linalg';
import { twoSpirals } from '@beyond-backprop/datasets';
import { Float64Ops, realise, resolveDenseArchitecture } from '../src/index.js';
const ds = twoSpirals();
const arch = resolveDenseArchitecture('x', { layers: [2, 5, 5, 5, 2], shortcuts: true });
const rng = createRng(1);
const xBar = { rows: 194, cols: 2, data: Float64Array.from(ds.train.x) };
const targets = [5, 5, 5, 2].map((d) => ({ rows: 194, cols: d, data: Float64Array.from({ length: 194 * d }, () => rng.normal()) }));
const labels = Int32Array.from(ds.train.y);
let tf = 0, tb = 0;
const N = 3000;
for (let it = 0; it < N + 500; it++) {
  const t0 = performance.now();
  const ops = new Float64Ops(new Tape());
  const T = targets.map((t) => ops.variable(t));
  const r = realise(ops, arch, ops.constant(xBar.data, 194, 2), T, 1e-3, 'scu');
  const loss = ops.softmaxCrossEntropy(r.sums[3]!, labels);
  const t1 = performance.now();
  ops.tape.gradients(loss, T);
  const t2 = performance.now();
  if (it >= 500) { tf += t1 - t0; tb += t2 - t1; }
}
console.log('forward ms', (tf / N).toFixed(4), 'backward ms', (tb / N).toFixed(4));
