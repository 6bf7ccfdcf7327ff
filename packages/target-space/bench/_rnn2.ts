import { Tape, createRng } from '@beyond-backprop/core-linalg';
import { Float64Ops, realiseRecurrent, recurrentForward } from '../src/index.js';
const rng = createRng(1);
const nb = 100, nt = 52, H = 5;
const shape = { inputSize: 1, hidden: H, outputs: 2, activation: 'tanh' as const };
const xBar = Array.from({ length: nt }, () => ({ rows: nb, cols: 1, data: Float64Array.from({ length: nb }, () => rng.int(2)) }));
const t3 = { rows: nt * nb, cols: H, data: Float64Array.from({ length: nt * nb * H }, () => rng.normal()) };
const t4 = { rows: nt * nb, cols: 2, data: Float64Array.from({ length: nt * nb * 2 }, () => rng.normal()) };
const labels = Int32Array.from({ length: nt * nb }, () => rng.int(2));
let tr = 0, tf = 0, tl = 0, tg = 0;
for (let it = 0; it < 300; it++) {
  const a = performance.now();
  const ops = new Float64Ops(new Tape());
  const p3 = ops.variable(t3), p4 = ops.variable(t4);
  const r = realiseRecurrent(ops, shape, xBar.map((m) => ops.constant(m.data, m.rows, m.cols)), p3, p4, 0.1, 'hybrid');
  const b = performance.now();
  const out = recurrentForward(ops, shape, xBar.map((m) => ops.constant(m.data, m.rows, m.cols)), r.w3, r.w4, 'every-step');
  const c = performance.now();
  const loss = ops.softmaxCrossEntropy(out, labels);
  const d = performance.now();
  ops.tape.gradients(loss, [p3, p4]);
  const e = performance.now();
  if (it >= 100) { tr += b - a; tf += c - b; tl += d - c; tg += e - d; }
}
console.log('realise', (tr / 200).toFixed(2), 'forward', (tf / 200).toFixed(2), 'loss', (tl / 200).toFixed(2), 'grad', (tg / 200).toFixed(2));
