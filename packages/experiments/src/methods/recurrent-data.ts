/**
 * Tensors and architecture of a recurrent experiment, shared by the recurrent methods.
 */
import * as tf from '@tensorflow/tfjs';
import type { RecurrentArchitecture as NetworkArchitecture } from '@beyond-backprop/target-space';
import type { MethodContext } from '../registry.js';

/** The training tensors (`x`: float `[n, time, d]` or int32 tokens `[n, time]`; `y`: int32 labels) and the network spec. */
export function recurrentData(ctx: MethodContext): { x: tf.Tensor; y: tf.Tensor; spec: NetworkArchitecture } {
  const arch = ctx.architecture;
  if (arch.kind !== 'recurrent') throw new Error(`expected a recurrent architecture, got '${arch.kind}'`);
  const { train } = ctx.data;
  const tokens = arch.embedding !== undefined;
  const x = tokens ? tf.tensor(Int32Array.from(train.x), train.xShape, 'int32') : tf.tensor(train.x, train.xShape);
  const y = tf.tensor(train.y as Int32Array, train.yShape, 'int32');
  const spec: NetworkArchitecture = {
    inputSize: tokens ? arch.embedding!.dim : train.xShape[2],
    hidden: arch.hidden,
    outputs: ctx.data.numClasses ?? 2,
    activation: arch.activation,
    readout: arch.readout,
    ...(tokens ? { embedding: { vocabulary: arch.embedding!.vocabulary } } : {}),
  };
  return { x, y, spec };
}
