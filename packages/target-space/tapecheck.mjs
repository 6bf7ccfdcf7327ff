import { initBackend, Tape } from '@beyond-backprop/core-linalg';
import { toTensors, twoSpirals } from '@beyond-backprop/datasets';
import { WeightSpaceMlp, Float64Ops, feedForward } from './dist/index.js';
await initBackend({ preference: 'wasm', log: false });
const { x, y } = toTensors(twoSpirals().train);
const arch = { layers: [2, 5, 5, 5, 2], shortcuts: true, activation: 'tanh' };
function tapeStep(bx, by, n) {
  const ops = new Float64Ops(new Tape());
  const w = this.weights.map((m) => ops.variable(m));
  const logits = feedForward(ops, this.architecture, ops.constant(bx, n, this.architecture.layers[0]), w);
  const loss = ops.softmaxCrossEntropy(logits, by);
  const value = loss.scalar();
  const grads = ops.tape.gradients(loss, w);
  this.optimizer.apply(this.weights.map((m) => m.data), grads.map((g) => g.data));
  return value;
}
for (let r = 0; r < 4; r++) for (const kind of ['fast', 'tape']) {
  const net = new WeightSpaceMlp(arch, { engine: 'float64', seed: 1 });
  if (kind === 'tape') net.stepFloat64 = tapeStep;
  const c0 = process.cpuUsage();
  await net.fit(x, y, { epochs: 1500 });
  const c = process.cpuUsage(c0);
  console.log(kind, 'cpu ms/it', ((c.user + c.system) / 1000 / 1500).toFixed(3));
}
