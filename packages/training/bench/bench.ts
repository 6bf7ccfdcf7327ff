/**
 * training benchmarks. One JSON object per line:
 * - `fit-loop-overhead`: microseconds the loop itself adds per minibatch (shuffling, callbacks, yielding).
 * - `backprop-step`: milliseconds per backprop update of the two-spirals 2-5-5-5-2 shortcut net (full batch, Adam)
 *   on the active backend — the weight-space cost every method's ratio is measured against.
 * Run: `pnpm --filter @beyond-backprop/training bench` (BBP_BACKEND to pick a backend).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { toTensors, twoSpirals } from '@beyond-backprop/datasets';
import { denseNetwork, fitBackprop, paperAdam, runFitLoop } from '../src/index.js';

const info = await initBackend({ log: false });

{
  const epochs = 2000;
  const t0 = performance.now();
  const h = await runFitLoop('bench', 1000, { epochs, batchSize: 100 }, { trainBatch: () => 1 });
  const us = ((performance.now() - t0) * 1000) / h.iterations;
  console.log(JSON.stringify({ bench: 'fit-loop-overhead', backend: info.choice, batches: h.iterations, usPerBatch: Number(us.toFixed(3)) }));
}

{
  const { x, y } = toTensors(twoSpirals().train);
  const model = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true, seed: 1 });
  await fitBackprop(model, x, y, { epochs: 100, optimizer: paperAdam(0.01) }); // warm-up
  const h = await fitBackprop(model, x, y, { epochs: 500, optimizer: paperAdam(0.01) });
  console.log(
    JSON.stringify({
      bench: 'backprop-step',
      backend: info.choice,
      net: '2-5-5-5-2 shortcuts',
      batch: 194,
      msPerIteration: Number(h.msPerIteration.toFixed(4)),
    }),
  );
  model.dispose();
  tf.dispose([x, y]);
}
