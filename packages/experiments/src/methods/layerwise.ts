/**
 * `dll`, `dsl` and `dpl`: deep layer-, segment- and partition-wise learning (Øland, thesis ch. 6) on the experiment's
 * own network — dense nets as a plain chain (layer-wise training has no cross-unit shortcuts), conv nets as built for
 * backprop. `--epochs` is per unit (window, partition), as in the thesis.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, readValues } from '@beyond-backprop/core-linalg';
import {
  slidingWindows,
  splitIntoUnits,
  trainLayerwise,
  trainPipelined,
  type LayerwiseOptions,
  type LayerwiseResult,
  type PipelineTransport,
} from '@beyond-backprop/layerwise';
import { denseNetwork, type DenseInit, type FitCallbacks, type History } from '@beyond-backprop/training';
import type { Experiment, Method, MethodContext, MethodRun, UnitProgress } from '../registry.js';
import { classifierNetwork } from './classifier-network.js';

type Kind = 'dll' | 'dsl' | 'dpl';

/** Resolves a `--transport` value of `--schedule pipeline` other than `in-process`; set by the Node entry. */
let pipelineLaunchers: ((transport: string, namespace: string) => PipelineTransport) | null = null;

/**
 * Lets `dpl --schedule pipeline` use the Node transports (`threads`, `redis://host:port`); `registerNodeBuiltins` of
 * `@beyond-backprop/experiments/node` installs them.
 */
export function usePipelineLaunchers(resolve: (transport: string, namespace: string) => PipelineTransport): void {
  pipelineLaunchers = resolve;
}

const num = (ctx: MethodContext, key: string, fallback: number, flag: string): number => {
  const raw = ctx.options[key];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new InvalidArgumentError('bbp run', flag, 'must be a number', raw);
  return v;
};

/** Unit starts of `K` contiguous partitions over the network's default units, as even as possible. */
function partitionBoundaries(model: tf.LayersModel, k: number): number[] {
  const units = splitIntoUnits(model);
  if (!Number.isInteger(k) || k < 1 || k > units.length)
    throw new InvalidArgumentError('bbp run', '--partitions', `must be an integer in [1, ${units.length}] (the network's units)`, k);
  // Layer index where each default unit starts (input layer not counted).
  const starts: number[] = [];
  let at = 0;
  for (const u of units) {
    starts.push(at);
    at += u.layers.length;
  }
  return Array.from({ length: k }, (_, p) => starts[Math.floor((p * units.length) / k)]);
}

function layerwiseRun(ctx: MethodContext, kind: Kind): MethodRun {
  const { data } = ctx;
  const arch = ctx.architecture;
  const n = data.train.xShape[0];
  const numClasses = data.numClasses ?? 2;
  const init = (ctx.options.init as DenseInit | undefined) ?? 'glorot-uniform';
  let model: tf.LayersModel;
  let inputShape: number[];
  if (arch.kind === 'dense') {
    inputShape = [data.train.xShape.slice(1).reduce((p, d) => p * d, 1)];
    model = denseNetwork({
      inputSize: inputShape[0],
      hidden: arch.hidden,
      outputs: numClasses,
      activation: arch.activation,
      shortcuts: false,
      init,
      seed: ctx.seed,
    });
  } else if (arch.kind === 'conv') {
    ({ model, inputShape } = classifierNetwork(arch, data.train.xShape.slice(1), numClasses, ctx.seed, init));
  } else {
    throw new InvalidArgumentError('bbp run', '--method', `${kind} trains dense and conv networks`, arch.kind);
  }
  let boundaries: number[] | undefined;
  try {
    if (kind === 'dpl') boundaries = partitionBoundaries(model, num(ctx, 'partitions', 2, '--partitions'));
  } catch (error) {
    model.dispose();
    throw error;
  }
  const schedule = String(ctx.options.schedule ?? 'sequential');
  const schedules = kind === 'dpl' ? ['sequential', 'robin', 'random-robin', 'pipeline'] : ['sequential', 'robin', 'random-robin'];
  if (!schedules.includes(schedule)) {
    model.dispose();
    throw new InvalidArgumentError('bbp run', '--schedule', `must be one of ${schedules.map((k) => `'${k}'`).join(', ')}`, schedule);
  }
  let transport: PipelineTransport = 'in-process';
  if (schedule === 'pipeline') {
    const spec = String(ctx.options.transport ?? (pipelineLaunchers ? 'threads' : 'in-process'));
    if (spec !== 'in-process') {
      if (!pipelineLaunchers) {
        model.dispose();
        throw new InvalidArgumentError('bbp run', '--transport', "needs the Node entry (registerNodeBuiltins) for 'threads' and redis:// URLs", spec);
      }
      try {
        transport = pipelineLaunchers(spec, String(ctx.options.namespace ?? 'bbp-pipeline'));
      } catch (error) {
        model.dispose();
        throw error;
      }
    }
  }
  const options: LayerwiseOptions = {
    epochs: ctx.epochs,
    batchSize: ctx.batchSize,
    seed: ctx.seed,
    numClasses,
    optimizer: ctx.optimizer === 'sgd' ? 'sgd' : 'adamw',
    learningRate: { base: ctx.learningRate, unitFactor: num(ctx, 'lrUnitFactor', 1, '--lr-unit-factor') },
    weightDecay: { base: num(ctx, 'weightDecay', 0, '--weight-decay'), unitFactor: num(ctx, 'wdUnitFactor', 1, '--wd-unit-factor') },
    gradDropout: num(ctx, 'gradDropout', 0, '--grad-dropout'),
    measureMemory: true,
  };
  if (ctx.options.headBudget !== undefined) {
    // Thesis §6.4 / Table 6.3: decision heads of image units sized so a unit's step stays within this fraction of a
    // backprop step on the whole model (which is measured once for it).
    const target = Number(ctx.options.headBudget);
    if (!(target > 0 && target <= 1)) {
      model.dispose();
      throw new InvalidArgumentError('bbp run', '--head-budget', 'must be a fraction in (0, 1]', ctx.options.headBudget);
    }
    options.headBudget = { targetRelativeMemory: target };
    options.measureBackprop = true;
  }
  const p0 = num(ctx, 'inputDropout', 0, '--input-dropout');
  if (p0 > 0) options.inputDropout = { p0, decay: num(ctx, 'inputDropoutDecay', 0.95, '--input-dropout-decay') };
  if (schedule === 'robin' || schedule === 'random-robin') {
    const per = num(ctx, 'robinEpochs', 1, '--robin-epochs');
    options.schedule = { kind: 'robin', random: schedule === 'random-robin', epochsPerRound: per, rounds: Math.max(1, Math.ceil(ctx.epochs / per)) };
  }
  if (schedule === 'pipeline' && (options.gradDropout! > 0 || options.inputDropout)) {
    model.dispose();
    throw new InvalidArgumentError(
      'bbp run',
      options.inputDropout ? '--input-dropout' : '--grad-dropout',
      'is not supported by --schedule pipeline',
      p0 || options.gradDropout,
    );
  }
  if (kind === 'dsl') options.window = { size: num(ctx, 'window', 2, '--window'), stride: num(ctx, 'stride', 1, '--stride') };
  if (boundaries) options.boundaries = boundaries;
  let plan: ReturnType<typeof epochPlan>;
  try {
    plan = epochPlan(model, kind, options, ctx.epochs);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const x = tf.tensor(data.train.x, [n, ...inputShape]);
  const y = tf.tensor1d(data.train.y as Int32Array, 'int32');
  // Which window (unit, segment, partition) each run-wide epoch trained, and its epoch within that window.
  const epochWindow: number[] = [];
  const windowEpoch: number[] = [];
  let predictor: ((x: tf.Tensor) => tf.Tensor) | null = null;
  let result: LayerwiseResult | null = null;
  const totalEpochs = schedule === 'pipeline' ? ctx.epochs : plan.total;
  const unitProgress = (epoch: number): UnitProgress | undefined => {
    const w = epochWindow[epoch];
    if (w === undefined) return undefined;
    return { noun: plan.noun, unit: w, units: plan.windows, epochInUnit: windowEpoch[epoch], epochsInUnit: plan.perWindow };
  };
  return {
    totalEpochs,
    unitProgress,
    epochLabel: (epoch) => {
      const p = unitProgress(epoch);
      if (p === undefined) return `epoch ${epoch + 1}/${totalEpochs}`;
      return `${p.noun} ${p.unit + 1}/${p.units} · epoch ${p.epochInUnit + 1}/${p.epochsInUnit}`;
    },
    fit: async (callbacks: FitCallbacks, signal?: AbortSignal): Promise<History> => {
      if (schedule === 'pipeline') {
        // Every partition trains at once on its own worker (thesis §6.8.3): one history entry, at the end.
        const piped = await trainPipelined(model, x, y, {
          epochs: ctx.epochs,
          batchSize: ctx.batchSize,
          seed: ctx.seed,
          numClasses,
          optimizer: ctx.optimizer === 'sgd' ? 'sgd' : 'adamw',
          learningRate: options.learningRate,
          weightDecay: options.weightDecay,
          boundaries,
          transport,
        });
        result = piped;
        const loss = piped.reports.at(-1)!.loss;
        const iterations = piped.partitions.reduce((s, p) => s + p.batches, 0);
        const merged: History = {
          epoch: [ctx.epochs - 1],
          history: { loss: [loss] },
          stopReason: 'completed',
          iterations,
          msPerIteration: piped.wallMs / Math.max(1, piped.partitions[0].batches),
        };
        await callbacks.onEpochEnd?.(ctx.epochs - 1, { loss });
        await callbacks.onTrainEnd?.(merged);
        return merged;
      }
      // Epoch indices run on across units (and robin turns) so the runner's history is one sequence: the n-th epoch
      // reported is epoch n − 1, whatever the window's own epoch counter says.
      let reported = 0;
      let window = 0;
      const forward: FitCallbacks = {
        onTrainBegin: () => callbacks.onTrainBegin?.(),
        onEpochBegin: () => callbacks.onEpochBegin?.(reported),
        onBatchEnd: (b, logs) => callbacks.onBatchEnd?.(b, logs),
        onEpochEnd: async (e, logs) => {
          const epoch = reported++;
          epochWindow[epoch] = window;
          windowEpoch[epoch] = e;
          await callbacks.onEpochEnd?.(epoch, logs);
        },
      };
      result = await trainLayerwise(model, x, y, {
        ...options,
        signal,
        callbacks: forward,
        onWindowBegin: (w, predict) => {
          predictor = predict;
          window = w;
        },
      });
      const histories = result.reports.flatMap((r) => r.history);
      const merged: History = {
        epoch: Array.from({ length: reported }, (_, i) => i),
        history: { loss: histories.flatMap((h) => h.history.loss ?? []) },
        stopReason: result.stopReason,
        iterations: histories.reduce((s, h) => s + h.iterations, 0),
        msPerIteration:
          histories.reduce((s, h) => s + h.msPerIteration * h.iterations, 0) /
          Math.max(
            1,
            histories.reduce((s, h) => s + h.iterations, 0),
          ),
      };
      await callbacks.onTrainEnd?.(merged);
      return merged;
    },
    predict: (xv, shape) =>
      readValues(() => {
        const input = tf.tensor(xv, [shape[0], ...inputShape]);
        if (result) return result.model.predict(input, { batchSize: 1024 }) as tf.Tensor;
        if (!predictor) throw new InvalidArgumentError('bbp run', 'predict', 'needs a started layer-wise run', null);
        const out = predictor(input);
        input.dispose();
        return out;
      }) as Float32Array,
    dispose: () => {
      // Units share their layers between the original model, the unit models and the result, so layer reference
      // counts never reach zero: free the variables themselves, each once.
      const variables = new Map<number, tf.Tensor>();
      for (const w of [...model.weights, ...(result?.model.weights ?? [])]) {
        const t = w.read();
        variables.set(t.id, t);
      }
      tf.dispose([...variables.values(), x, y]);
    },
  };
}

/**
 * How many windows (units for dll, segments for dsl, partitions for dpl) a run trains, the epochs each gets (`--epochs`
 * per unit; rounds × epochs per turn on a robin schedule) and the epochs reported in all.
 */
function epochPlan(model: tf.LayersModel, kind: Kind, options: LayerwiseOptions, epochs: number) {
  const units = options.boundaries?.length ?? splitIntoUnits(model).length;
  const windows = options.window ? slidingWindows(units, options.window.size, options.window.stride ?? 1).length : units;
  const robin = typeof options.schedule === 'object' ? options.schedule : null;
  const perWindow = robin ? robin.rounds! * robin.epochsPerRound! : epochs;
  const noun: UnitProgress['noun'] = kind === 'dll' ? 'unit' : kind === 'dsl' ? 'segment' : 'partition';
  return { windows, perWindow, total: windows * perWindow, noun };
}

const OPTIONS = [
  {
    flag: '--schedule <kind>',
    description: 'dll/dsl/dpl: sequential (bottom-up, Alg. 3; default), robin or random-robin (Alg. 4); dpl also pipeline (§6.8.3)',
  },
  {
    flag: '--transport <t>',
    description: "dpl --schedule pipeline: 'threads' (default on Node: a worker thread per partition), 'in-process' or redis://host:port",
  },
  { flag: '--robin-epochs <n>', description: 'robin schedules: epochs per turn (default 1); rounds = ceil(epochs / n)' },
  { flag: '--partitions <K>', description: 'dpl: number of contiguous partitions (default 2)' },
  { flag: '--window <s>', description: 'dsl: units per sliding window (default 2)' },
  { flag: '--stride <t>', description: 'dsl: units the window moves by (default 1)' },
  { flag: '--grad-dropout <p>', description: 'layer-wise: backward dropout on the gradient from the head into the unit (thesis §6.6.3; default 0)' },
  { flag: '--input-dropout <p0>', description: 'layer-wise: forward dropout on the unit input, p0·0.95^epoch (default 0)' },
  { flag: '--lr-unit-factor <g>', description: 'layer-wise: learning rate × g^unit (thesis §6.7: 0.8; default 1)' },
  {
    flag: '--head-budget <r>',
    description: 'layer-wise: size the decision heads of image units so a step needs at most r × backprop’s peak memory (thesis §6.4; e.g. 0.3)',
  },
  { flag: '--weight-decay <wd>', description: 'layer-wise: decoupled AdamW weight decay (default 0)' },
  { flag: '--wd-unit-factor <g>', description: 'layer-wise: weight decay × g^unit (thesis §6.7: 1.15; default 1)' },
];

const supports = (experiment: Experiment) =>
  experiment.task === 'classification' && (experiment.architecture.kind === 'dense' || experiment.architecture.kind === 'conv');

/** Deep layer-wise learning. */
export const dllMethod: Method = {
  name: 'dll',
  description: 'deep layer-wise learning: one unit at a time bottom-up, each with a fresh decision head; the last head is the output',
  source: 'Øland, Efficient Deep Learning (thesis, 2024), §6.2, Algorithm 3',
  options: OPTIONS,
  supports,
  create: (ctx) => layerwiseRun(ctx, 'dll'),
};

/** Deep segment-wise learning. */
export const dslMethod: Method = {
  name: 'dsl',
  description: 'deep segment-wise learning: a sliding window of --window units (stride --stride) with one head',
  source: 'Øland, thesis §6.5',
  options: OPTIONS,
  supports,
  create: (ctx) => layerwiseRun(ctx, 'dsl'),
};

/** Deep partition-wise learning (sequential, round-robin, or pipelined over worker threads / Redis). */
export const dplMethod: Method = {
  name: 'dpl',
  description:
    'deep partition-wise learning: --partitions K contiguous partitions, each with a head, trained sequentially, round-robin or as a pipeline (all at once, one worker each)',
  source: 'Øland, thesis §6.8',
  options: OPTIONS,
  supports,
  create: (ctx) => layerwiseRun(ctx, 'dpl'),
};

/** The layer-wise methods, in the order `bbp list` shows them. */
export const layerwiseMethods: readonly Method[] = [dllMethod, dslMethod, dplMethod];
