/**
 * rec-LRA networks: fully connected (P2 Alg. 1) and residual (P2 Alg. 2) networks trained by recursive local
 * representation alignment — every layer learns from its own target, formed by error neurons sent through error
 * synapses, with no global backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ACTIVATIONS,
  InvalidArgumentError,
  LEAKY_RELU_ALPHA,
  checkClassLabels,
  checkNumber,
  checkTensor,
  createRng,
  matMul,
} from '@beyond-backprop/core-linalg';
import {
  CheckpointReader,
  accuracy,
  checkpointEnvelope,
  disposeOptimizer,
  optimizerFromState,
  paperAdam,
  restoreOptimizerState,
  runFitLoop,
  saveOptimizerState,
  exportModelName,
  tracksAccuracy,
  variableSnapshots,
  type ToLayersModelOptions,
  type CheckpointEnvelope,
  type FitOptions,
  type History,
  type OptimizerState,
} from '@beyond-backprop/training';
import { resolveActivation, type Activation, type ActivationName } from './activation.js';
import { errorParents, type ErrorWiring } from './error-wiring.js';
import { layerSignal, layerUpdate, synapseUpdate } from './local-rules.js';
import { projectToBall } from './update-projection.js';
import { restoreVariables, snapshotVariables, variableOf, type SavedTensor } from './training-state.js';
import { stepOnRows } from './batch-rows.js';

/** How the error synapses E learn (P2 Alg. 1 and Alg. 2 lines 27–30). */
export interface ErrorSynapseOptions {
  /**
   * - `'alg2'` (default): `ΔE_i = −(γ/n)·Err_parentᵀ·D_i`, P2 Alg. 2's form, defined for every sender.
   * - `'alg1-literal'`: P2 Alg. 1 line 10, `ΔE = −(γ/n)·D_parentᵀ·Err_i`; the output has no displacement, so a
   *   synapse sent from the output uses `Err_L` in its place (our reading; the paper leaves it undefined).
   * - `'none'`: fixed random E (γ = 0), the feedback-alignment-like baseline.
   */
  rule?: 'alg2' | 'alg1-literal' | 'none';
  /**
   * - `'same-as-W'` (default): E goes through the weights' optimiser — Adam unless `optimizer` says otherwise — as in
   *   P2 Sec. 4 ("For optimization, we employed the Adam adaptive learning rate" for all parameter updates).
   * - `'sgd'`: plain SGD with `errorSynapses.learningRate`. Keeps ‖E‖ near its start; under Adam the Hebbian ΔE rule
   *   can grow ‖E‖ steadily over long runs.
   */
  optimizer?: 'sgd' | 'same-as-W';
  /** SGD step of the synapses under `optimizer: 'sgd'`. Default: the network's `learningRate`. */
  learningRate?: number;
}

/** Configuration of a {@link RecLraNetwork}. Defaults follow P2 Sec. 3.1–3.2 and Sec. 4 where it gives them. */
export interface RecLraConfig {
  /** `[d0, d1, …, dL]`: input width, hidden widths, output width. At least one weight layer. */
  layerSizes: number[];
  /** Hidden φ: a name or any `{ apply(h) }` object (its derivative is never called). Default `'tanh'`. */
  hiddenActivation?: ActivationName | Activation;
  /** `'softmax'` (classification, cross-entropy; P2 Sec. 3.1) or `'linear'` (regression, ½‖Z − Y‖²). Default `'softmax'`. */
  outputActivation?: 'softmax' | 'linear';
  /** Error graph (P2 Sec. 3.2). `residual` also adds forward skip connections (P2 Sec. 3.3). Default `{ kind: 'chain' }`. */
  wiring?: ErrorWiring;
  /** β, the scale of the target nudge `φ(H − β·D)` (P2 Eq. 3). P2 gives no value. Default 0.1. */
  beta?: number;
  /** γ, the error-synapse update factor (P2 text after Alg. 1, "close to 1"). Default 1. */
  gammaE?: number;
  /** κ_ℓ, one per weight layer, multiplying that layer's update (P2 Eq. 2). Default all 1. */
  kappa?: number[];
  /** Radius c of the update re-projection (P2 "Update Re-Projection"); 0 disables it. Default 1. */
  clip?: number;
  /** Standard deviations of the Gaussian initial weights and error synapses (P2 Sec. 4: σ ∈ [0.025, 0.1] on MNIST). */
  init?: { sigmaW?: number; sigmaE?: number };
  errorSynapses?: ErrorSynapseOptions;
  /**
   * Residual wiring only: `'local'` (default) trains every layer with the local rule; `'backprop'` forms rec-LRA targets
   * for the block outputs only and trains each block's internals by backprop from them (P2 Sec. 3.3).
   */
  blockLearning?: 'local' | 'backprop';
  /** Where a block-output error enters its block under `'backprop'`: pre-activation `'H'` (default, P2 Sec. 3.3, paragraph after the wiring) or `'Z'` (P2 literal). */
  blockErrorInjection?: 'H' | 'Z';
  /** Optimiser of the forward weights (any `tf.train` optimiser). Default Adam(`learningRate`, 0.9, 0.999, 1e-8). */
  optimizer?: tf.Optimizer;
  /** Learning rate of the default optimiser (and default of the synapses' SGD). Default 2e-4 (P2 Sec. 4, MNIST). */
  learningRate?: number;
  /** Seed of the initial weights and synapses. Default 0. */
  seed?: number;
}

/** The updates of one step, each already re-projected; index ℓ−1 for layer ℓ. Dispose them when done. */
export interface RecLraUpdates {
  /** Mean training loss of the batch before the update (cross-entropy or ½‖Z − Y‖²). */
  loss: number;
  /** `ΔW_ℓ`, `[d_{ℓ−1}, d_ℓ]`, for ℓ = 1 … L. */
  weights: tf.Tensor2D[];
  /** `Δb_ℓ`, `[d_ℓ]`. */
  biases: tf.Tensor1D[];
  /** `ΔE_i`, `[d_parent(i), d_i]`, for hidden layers i = 1 … L−1; `null` where the synapse does not learn. */
  synapses: Array<tf.Tensor2D | null>;
  /** Error neurons `Err_ℓ`, `[n, d_ℓ]`, ℓ = 1 … L (only with `keepSignals`). */
  errors?: tf.Tensor2D[];
  /** Displacements `D_i`, `[n, d_i]`, i = 1 … L−1 (`null` where none is formed; only with `keepSignals`). */
  displacements?: Array<tf.Tensor2D | null>;
}

/** Options of {@link RecLraNetwork.fit}: the shared `FitOptions` (`validationData` scored as `valLoss` and `valAccuracy`). */
export type RecLraFitOptions = FitOptions;

/** A serialisable snapshot of a {@link RecLraNetwork}: configuration, parameters and optimiser state. */
export interface RecLraCheckpoint extends CheckpointEnvelope<'RecLraNetwork'> {
  config: Omit<RecLraConfig, 'optimizer' | 'hiddenActivation'> & { hiddenActivation: string };
  params: SavedTensor[];
  optimizer: OptimizerState;
  synapseOptimizer: OptimizerState | null;
  iterations: number;
}

let networkCounter = 0;

/**
 * A fully connected or residual network trained by rec-LRA (P2 Alg. 1 and 2).
 *
 * Forward (P2 Eq. 1, batch-first): `H_ℓ = Z_{ℓ−1}·W_ℓ + b_ℓ (+ Z_{ℓ−g} at residual block outputs)`, `Z_ℓ = φ(H_ℓ)`,
 * softmax (or identity) at the output. A step forms `Err_L = Z_L − Y`, then, from the output down, each hidden layer's
 * displacement `D_i = Err_parent·E_i`, target `φ(H_i − β·D_i)` and error neurons; each layer's update is emitted (and
 * its intermediates freed) as soon as its error neurons exist (P2 Sec. 3.2: "layers can be updated out of order").
 *
 * Inputs `x: [n, d0]` float32; targets `y`: int32 labels `[n]` or float rows `[n, dL]` (one-hot for classification).
 *
 * @example
 * ```ts
 * const net = new RecLraNetwork({ layerSizes: [2, 16, 16, 2], learningRate: 0.01, init: { sigmaW: 0.5 }, seed: 1 });
 * await net.fit(x, labels, { epochs: 100, batchSize: 32 });
 * const model = net.toLayersModel();   // a plain tf.LayersModel
 * net.dispose();
 * ```
 */
export class RecLraNetwork {
  /** Forward weights `W_ℓ` (`[d_{ℓ−1}, d_ℓ]`), index ℓ−1. */
  readonly weights: tf.Variable<tf.Rank.R2>[];
  /** Biases `b_ℓ` (`[d_ℓ]`), index ℓ−1. */
  readonly biases: tf.Variable<tf.Rank.R1>[];
  /** Error synapses `E_i` (`[d_parent(i), d_i]`), index i (0 and L unused: `null`, as are layers without a synapse). */
  readonly synapses: Array<tf.Variable<tf.Rank.R2> | null>;
  /** `parent[i]` of every hidden layer (−1 elsewhere). */
  readonly parents: readonly number[];
  /** Parameter updates applied so far. */
  iterations = 0;
  private readonly config: Required<Omit<RecLraConfig, 'optimizer' | 'hiddenActivation' | 'init' | 'errorSynapses' | 'kappa'>> & {
    kappa: number[];
    init: { sigmaW: number; sigmaE: number };
    errorSynapses: Required<ErrorSynapseOptions>;
    hiddenActivation: Activation;
  };
  private readonly optimizer: tf.Optimizer;
  private readonly synapseOptimizer: tf.Optimizer | null;
  private readonly ownsOptimizer: boolean;
  private readonly L: number;
  private disposed = false;

  constructor(config: RecLraConfig) {
    const fn = 'RecLraNetwork';
    if (config === null || typeof config !== 'object') throw new InvalidArgumentError(fn, 'config', 'must be an object with at least { layerSizes }', config);
    const sizes = config.layerSizes;
    if (!Array.isArray(sizes) || sizes.length < 2)
      throw new InvalidArgumentError(fn, 'config.layerSizes', 'must be an array [d0, d1, …, dL] with at least two widths', sizes);
    sizes.forEach((d, i) => checkNumber(fn, `config.layerSizes[${i}]`, d, { min: 1, integer: true }));
    const L = sizes.length - 1;
    this.L = L;
    const wiring = config.wiring ?? { kind: 'chain' };
    const parents = errorParents(wiring, L);
    const beta = config.beta ?? 0.1;
    checkNumber(fn, 'config.beta', beta, { min: 0 });
    const gammaE = config.gammaE ?? 1;
    checkNumber(fn, 'config.gammaE', gammaE, { min: 0 });
    const clip = config.clip ?? 1;
    checkNumber(fn, 'config.clip', clip, { min: 0 });
    const kappa = config.kappa ?? Array.from({ length: L }, () => 1);
    if (!Array.isArray(kappa) || kappa.length !== L) throw new InvalidArgumentError(fn, 'config.kappa', `must hold one number per weight layer (${L})`, kappa);
    kappa.forEach((k, i) => checkNumber(fn, `config.kappa[${i}]`, k, { min: 0 }));
    const sigmaW = config.init?.sigmaW ?? 0.05;
    checkNumber(fn, 'config.init.sigmaW', sigmaW, { min: 0 });
    const sigmaE = config.init?.sigmaE ?? sigmaW;
    checkNumber(fn, 'config.init.sigmaE', sigmaE, { min: 0 });
    const learningRate = config.learningRate ?? 2e-4;
    checkNumber(fn, 'config.learningRate', learningRate, { min: 0, exclusiveMin: true });
    const rule = config.errorSynapses?.rule ?? 'alg2';
    if (!['alg2', 'alg1-literal', 'none'].includes(rule))
      throw new InvalidArgumentError(fn, 'config.errorSynapses.rule', "must be 'alg2', 'alg1-literal' or 'none'", rule);
    const eOptimizer = config.errorSynapses?.optimizer ?? 'same-as-W';
    if (!['sgd', 'same-as-W'].includes(eOptimizer))
      throw new InvalidArgumentError(fn, 'config.errorSynapses.optimizer', "must be 'sgd' or 'same-as-W'", eOptimizer);
    const eRate = config.errorSynapses?.learningRate ?? learningRate;
    checkNumber(fn, 'config.errorSynapses.learningRate', eRate, { min: 0, exclusiveMin: true });
    const blockLearning = config.blockLearning ?? 'local';
    if (!['local', 'backprop'].includes(blockLearning))
      throw new InvalidArgumentError(fn, 'config.blockLearning', "must be 'local' or 'backprop'", blockLearning);
    if (blockLearning === 'backprop' && wiring.kind !== 'residual')
      throw new InvalidArgumentError(fn, 'config.blockLearning', "'backprop' needs residual wiring (blocks)", wiring.kind);
    const injection = config.blockErrorInjection ?? 'H';
    if (!['H', 'Z'].includes(injection)) throw new InvalidArgumentError(fn, 'config.blockErrorInjection', "must be 'H' or 'Z'", injection);
    const outputActivation = config.outputActivation ?? 'softmax';
    if (!['softmax', 'linear'].includes(outputActivation))
      throw new InvalidArgumentError(fn, 'config.outputActivation', "must be 'softmax' or 'linear'", outputActivation);
    const seed = config.seed ?? 0;
    checkNumber(fn, 'config.seed', seed, { integer: true });
    if (config.optimizer !== undefined && !(config.optimizer instanceof tf.Optimizer))
      throw new InvalidArgumentError(fn, 'config.optimizer', 'must be a tf.train optimiser', config.optimizer);
    const hiddenActivation = resolveActivation(fn, 'config.hiddenActivation', config.hiddenActivation ?? 'tanh');
    this.config = {
      layerSizes: [...sizes],
      hiddenActivation,
      outputActivation,
      wiring,
      beta,
      gammaE,
      kappa: [...kappa],
      clip,
      init: { sigmaW, sigmaE },
      errorSynapses: { rule, optimizer: eOptimizer, learningRate: eRate },
      blockLearning,
      blockErrorInjection: injection,
      learningRate,
      seed,
    };
    this.parents = parents;
    const id = networkCounter++;
    const rng = createRng(seed);
    const wRng = rng.fork('weights');
    const eRng = rng.fork('synapses');
    this.weights = [];
    this.biases = [];
    for (let l = 1; l <= L; l++) {
      this.weights.push(variableOf(wRng.normalTensor([sizes[l - 1], sizes[l]], { std: sigmaW }), `rec_lra_${id}_W${l}`) as tf.Variable<tf.Rank.R2>);
      this.biases.push(variableOf(tf.zeros([sizes[l]]), `rec_lra_${id}_b${l}`) as tf.Variable<tf.Rank.R1>);
    }
    this.synapses = Array.from({ length: L + 1 }, () => null);
    for (let i = 1; i < L; i++) {
      // Under backprop-inside-blocks only block outputs are given targets, so only they need synapses.
      if (blockLearning === 'backprop' && !this.isBlockOutput(i)) continue;
      this.synapses[i] = variableOf(eRng.normalTensor([sizes[parents[i]], sizes[i]], { std: sigmaE }), `rec_lra_${id}_E${i}`) as tf.Variable<tf.Rank.R2>;
    }
    this.ownsOptimizer = config.optimizer === undefined;
    this.optimizer = config.optimizer ?? paperAdam(learningRate);
    this.synapseOptimizer = rule !== 'none' && eOptimizer === 'sgd' ? tf.train.sgd(eRate) : null;
  }

  /** Number of weight layers L. */
  get depth(): number {
    return this.L;
  }

  /** The resolved configuration (activation as its object). */
  get settings(): Readonly<RecLraNetwork['config']> {
    return this.config;
  }

  /** Whether layer ℓ ends a residual block (P2 Alg. 2: `ℓ mod g = 0`, below the output). */
  isBlockOutput(l: number): boolean {
    const w = this.config.wiring;
    return w.kind === 'residual' && l % w.g === 0 && l < this.L;
  }

  /** Whether layer ℓ receives the forward skip `Z_{ℓ−g}` (same width, not from the input, not into the output; P2 Sec. 3.3, Fig. 2). */
  hasSkip(l: number): boolean {
    const w = this.config.wiring;
    if (w.kind !== 'residual' || !this.isBlockOutput(l)) return false;
    const from = l - w.g;
    return from >= 1 && this.config.layerSizes[from] === this.config.layerSizes[l];
  }

  /**
   * Forward pass (P2 Eq. 1; Alg. 2 lines 4–9 with residual wiring). Returns pre-activations `h[ℓ]` (`[n, d_ℓ]`,
   * ℓ = 1 … L; `h[0]` is `null`) and activities `z[ℓ]` with `z[0] = x` (the caller's tensor: do not dispose it twice).
   *
   * @example
   * ```ts
   * const { h, z } = net.forward(x);   // z[net.depth] = softmax output
   * ```
   */
  forward(x: tf.Tensor2D): { h: Array<tf.Tensor2D | null>; z: tf.Tensor2D[] } {
    this.assertLive('forward');
    checkTensor('RecLraNetwork.forward', 'x', x, { shape: [null, this.config.layerSizes[0]], dtype: 'float32' });
    const h: Array<tf.Tensor2D | null> = [null];
    const z: tf.Tensor2D[] = [x];
    for (let l = 1; l <= this.L; l++) {
      const pre = tf.tidy(() => {
        let a = tf.add(matMul(z[l - 1], this.weights[l - 1]), this.biases[l - 1]);
        if (this.hasSkip(l)) a = tf.add(a, z[l - (this.config.wiring as { g: number }).g]);
        return a as tf.Tensor2D;
      });
      h.push(pre);
      z.push(this.activate(l, pre));
    }
    return { h, z };
  }

  /**
   * Network outputs `[n, dL]`: class probabilities (softmax) or values (linear).
   *
   * @example
   * ```ts
   * const probabilities = net.predict(x);
   * ```
   */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    this.assertLive('predict');
    return tf.tidy(() => {
      const { h, z } = this.forward(x);
      const out = z[this.L];
      // Everything else built here is freed by tidy; x is the caller's.
      void h;
      return out;
    });
  }

  /**
   * The updates of one rec-LRA step on a batch (P2 Alg. 1 `COMPUTEUPDATES`, batch-first), without applying them.
   * With `keepSignals`, the error neurons and displacements are returned too (they are freed layer by layer otherwise).
   *
   * @example
   * ```ts
   * const u = net.computeUpdates(x, y, { keepSignals: true });
   * u.weights[0].shape;   // [d0, d1]
   * disposeUpdates(u);
   * ```
   */
  computeUpdates(x: tf.Tensor2D, y: tf.Tensor, options: { keepSignals?: boolean } = {}): RecLraUpdates {
    this.assertLive('computeUpdates');
    const { x: xs, y: targets } = this.checkBatch('RecLraNetwork.computeUpdates', x, y);
    try {
      return this.config.blockLearning === 'backprop'
        ? this.blockUpdates(xs, targets, options.keepSignals ?? false)
        : this.localUpdates(xs, targets, options.keepSignals ?? false);
    } finally {
      if (targets !== y) targets.dispose();
    }
  }

  /**
   * One training step: {@link computeUpdates}, then the optimisers. Returns the batch loss; when it is not finite,
   * returns it without changing any parameter (the fit loop then raises `TrainingDivergedError`).
   *
   * @example
   * ```ts
   * const loss = net.trainStep(xBatch, yBatch);
   * ```
   */
  trainStep(x: tf.Tensor2D, y: tf.Tensor): number {
    const updates = this.computeUpdates(x, y);
    try {
      if (!Number.isFinite(updates.loss)) return updates.loss;
      this.applyUpdates(updates);
      this.iterations++;
      return updates.loss;
    } finally {
      disposeUpdates(updates);
    }
  }

  /**
   * Trains with the shared fit loop (`runFitLoop`): seeded minibatches, callbacks, `AbortSignal`, checkpoints, and a
   * `TrainingDivergedError` (the offending update not applied) on a non-finite loss.
   *
   * `x: [n, d0]` float32, `y`: int32 labels `[n]` or float `[n, dL]`.
   *
   * @example
   * ```ts
   * const history = await net.fit(x, y, { epochs: 20, batchSize: 32, seed: 1, trackAccuracy: true });
   * ```
   */
  async fit(x: tf.Tensor2D, y: tf.Tensor, options: RecLraFitOptions): Promise<History> {
    const fn = 'RecLraNetwork.fit';
    this.assertLive('fit');
    this.checkBatch(fn, x, y, false, true);
    const n = x.shape[0];
    return runFitLoop(fn, n, options, {
      trainBatch: (indices) => stepOnRows(x, y, indices, (xb, yb) => this.trainStep(xb, yb)),
      state: variableSnapshots(() => this.parameterList()),
      evaluate: () => {
        const logs: Record<string, number> = {};
        const classification = this.config.outputActivation === 'softmax';
        if (tracksAccuracy(options) && classification) logs.accuracy = tf.tidy(() => accuracy(this.predict(x), y));
        if (options.validationData) {
          const [vx, vy] = options.validationData;
          tf.tidy(() => {
            const out = this.predict(vx as tf.Tensor2D);
            const t = this.targetsFor(vy);
            logs.valLoss = this.lossOf(out, t).dataSync()[0];
            if (classification) logs.valAccuracy = accuracy(out, vy);
          });
        }
        return logs;
      },
    });
  }

  /**
   * The network as a standard `tf.LayersModel` (dense layers; residual blocks as `add` layers; the softmax inside),
   * sharing no tensors with this one, so it can be `save()`d or fine-tuned with backprop. `sign` and custom
   * activations have no tfjs layer and are rejected.
   *
   * @example
   * ```ts
   * const model = net.toLayersModel({ name: 'rec_lra_mnist' });
   * await saveLayersModel(model, './rec-lra-mnist'); // from '@beyond-backprop/training/node'
   * ```
   */
  toLayersModel(options?: ToLayersModelOptions | string): tf.LayersModel {
    const fn = 'RecLraNetwork.toLayersModel';
    const name = exportModelName(fn, options, 'rec_lra');
    this.assertLive('toLayersModel');
    const phi = this.config.hiddenActivation.name;
    if (this.L > 1 && !['tanh', 'sigmoid', 'relu', 'leakyRelu', 'elu', 'linear'].includes(phi)) {
      throw new InvalidArgumentError(fn, 'hiddenActivation', 'must have a tfjs layer (tanh, sigmoid, relu, leakyRelu, elu or linear) to export', phi);
    }
    const sizes = this.config.layerSizes;
    const input = tf.input({ shape: [sizes[0]], name: `${name}_input` });
    const z: tf.SymbolicTensor[] = [input];
    const dense: tf.layers.Layer[] = [];
    for (let l = 1; l <= this.L; l++) {
      const layer = tf.layers.dense({ units: sizes[l], name: `${name}_dense_${l}` });
      dense.push(layer);
      let h = layer.apply(z[l - 1]) as tf.SymbolicTensor;
      if (this.hasSkip(l)) h = tf.layers.add({ name: `${name}_skip_${l}` }).apply([h, z[l - (this.config.wiring as { g: number }).g]]) as tf.SymbolicTensor;
      const act = l === this.L ? this.config.outputActivation : phi;
      // The output softmax is not an elementwise activation, so it is not in the registry.
      const actLayer =
        act === 'softmax'
          ? tf.layers.activation({ activation: 'softmax', name: `${name}_act_${l}` })
          : ACTIVATIONS[act as ActivationName].layer({ alpha: LEAKY_RELU_ALPHA, name: `${name}_act_${l}` })!;
      const out = act === 'linear' ? h : (actLayer.apply(h) as tf.SymbolicTensor);
      z.push(out);
    }
    const model = tf.model({ inputs: input, outputs: z[this.L], name });
    dense.forEach((layer, i) => layer.setWeights([this.weights[i], this.biases[i]]));
    return model;
  }

  /**
   * A snapshot that {@link RecLraNetwork.fromCheckpoint} restores exactly (parameters, optimiser moments, step count).
   * Taken from the fit loop's `checkpoint` hook it only ever holds finite state.
   *
   * @example
   * ```ts
   * const saved = await net.checkpoint();
   * const again = await RecLraNetwork.fromCheckpoint(JSON.parse(JSON.stringify(saved)));
   * ```
   */
  async checkpoint(): Promise<RecLraCheckpoint> {
    this.assertLive('checkpoint');
    const { hiddenActivation, ...rest } = this.config;
    const params = snapshotVariables(this.parameterList());
    return {
      ...checkpointEnvelope('RecLraNetwork'),
      config: JSON.parse(JSON.stringify({ ...rest, hiddenActivation: hiddenActivation.name })) as RecLraCheckpoint['config'],
      params,
      optimizer: await saveOptimizerState(this.optimizer),
      synapseOptimizer: this.synapseOptimizer ? await saveOptimizerState(this.synapseOptimizer) : null,
      iterations: this.iterations,
    };
  }

  /**
   * Rebuilds a network from {@link RecLraNetwork.checkpoint}; continue with `fit(…, { initialEpoch })` for an exact
   * resume. A custom activation object must be passed again (only its name is stored). Validates the envelope, the
   * configuration (through the constructor), every parameter's shape and values, the optimiser slots and the step
   * counter; a bad checkpoint throws `CheckpointError` (or the constructor's typed error) naming the field and frees
   * everything built so far.
   *
   * @example
   * ```ts
   * const net = await RecLraNetwork.fromCheckpoint(saved);
   * await net.fit(x, y, { epochs: 10, initialEpoch: 5, batchSize: 32 });
   * ```
   */
  static async fromCheckpoint(checkpoint: RecLraCheckpoint, options: { hiddenActivation?: Activation } = {}): Promise<RecLraNetwork> {
    const fn = 'RecLraNetwork.fromCheckpoint';
    const r = new CheckpointReader(fn);
    const body = r.envelope(checkpoint, 'RecLraNetwork');
    const config = r.object('config', body.config) as RecLraCheckpoint['config'];
    const iterations = r.integer('iterations', body.iterations);
    const hidden = options.hiddenActivation ?? (r.string('config.hiddenActivation', config.hiddenActivation) as ActivationName);
    const optimizer = optimizerFromState(fn, checkpoint.optimizer);
    let net: RecLraNetwork;
    try {
      net = new RecLraNetwork({ ...config, hiddenActivation: hidden, optimizer });
    } catch (error) {
      disposeOptimizer(optimizer);
      throw error;
    }
    // The rebuilt network created this optimiser, so it frees it.
    (net as unknown as { ownsOptimizer: boolean }).ownsOptimizer = true;
    try {
      restoreVariables(fn, 'params', net.parameterList(), body.params);
      const shapes = (vars: tf.Variable[]) => vars.map((v) => v.shape);
      const synapses = net.synapses.filter((e): e is tf.Variable<tf.Rank.R2> => e !== null);
      const sameAsW = net.config.errorSynapses.optimizer === 'same-as-W';
      await restoreOptimizerState(fn, net.optimizer, checkpoint.optimizer, shapes(sameAsW ? net.parameterList() : [...net.weights, ...net.biases]));
      if (net.synapseOptimizer) {
        await restoreOptimizerState(
          fn,
          net.synapseOptimizer,
          r.object('synapseOptimizer', body.synapseOptimizer) as unknown as OptimizerState,
          shapes(synapses),
          'synapseOptimizer',
        );
      }
      net.iterations = iterations;
    } catch (error) {
      net.dispose();
      throw error;
    }
    return net;
  }

  /** Frees every tensor of the network (and of its optimisers, unless the caller supplied the weights' optimiser). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.parameterList());
    if (this.ownsOptimizer) disposeOptimizer(this.optimizer);
    if (this.synapseOptimizer) disposeOptimizer(this.synapseOptimizer);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Weights, biases, then synapses, in a fixed order (checkpoints rely on it). */
  private parameterList(): tf.Variable[] {
    return [...this.weights, ...this.biases, ...this.synapses.filter((e): e is tf.Variable<tf.Rank.R2> => e !== null)];
  }

  private activate(l: number, h: tf.Tensor2D): tf.Tensor2D {
    if (l < this.L) return this.config.hiddenActivation.apply(h) as tf.Tensor2D;
    return (this.config.outputActivation === 'softmax' ? tf.softmax(h) : tf.clone(h)) as tf.Tensor2D;
  }

  /** Mean loss of outputs `z` against float targets `t`: cross-entropy, or ½‖z − t‖² per example. */
  private lossOf(z: tf.Tensor, t: tf.Tensor): tf.Scalar {
    return tf.tidy(() =>
      this.config.outputActivation === 'softmax'
        ? tf.neg(tf.mean(tf.sum(tf.mul(t, tf.log(tf.maximum(z, 1e-30))), -1)))
        : tf.mean(tf.mul(0.5, tf.sum(tf.square(tf.sub(z, t)), -1))),
    ) as tf.Scalar;
  }

  /** Float targets `[n, dL]` from labels `[n]` (one-hot) or rows. */
  private targetsFor(y: tf.Tensor): tf.Tensor2D {
    return (y.dtype === 'int32' ? tf.tidy(() => tf.oneHot(y as tf.Tensor1D, this.config.layerSizes[this.L]).toFloat()) : y) as tf.Tensor2D;
  }

  /** `finite` reads `x` and float `y` back to reject NaN/±∞ (done once per `fit`, not per batch). */
  private checkBatch(fn: string, x: tf.Tensor, y: tf.Tensor, convert = true, finite = false): { x: tf.Tensor2D; y: tf.Tensor2D } {
    const dims = {};
    const sizes = this.config.layerSizes;
    checkTensor(fn, 'x', x, { shape: ['n', sizes[0]], dtype: 'float32', finite }, dims);
    if (x.shape[0] === 0) throw new InvalidArgumentError(fn, 'x', 'must contain at least one example', 'an empty tensor');
    if (y instanceof tf.Tensor && y.dtype === 'int32') {
      if (this.config.outputActivation !== 'softmax')
        throw new InvalidArgumentError(fn, 'y', 'must be float targets [n, dL] for a linear output', 'int32 labels');
      checkClassLabels(fn, 'y', y, sizes[this.L], { n: 'n', dims });
    } else {
      checkTensor(fn, 'y', y, { shape: ['n', sizes[this.L]], dtype: 'float32', finite }, dims);
    }
    return { x: x as tf.Tensor2D, y: convert ? this.targetsFor(y) : (y as tf.Tensor2D) };
  }

  /**
   * The local rule for every layer, in the order the error tree allows (L down to 1), freeing each layer's
   * pre-activation, activity, displacement and error neurons as soon as no later computation needs them. Peak memory
   * is therefore the forward activities plus a few per-layer temporaries, not a tape of the whole step.
   */
  private localUpdates(x: tf.Tensor2D, y: tf.Tensor2D, keep: boolean): RecLraUpdates {
    const { L, parents } = this;
    const { beta, gammaE, clip, kappa, hiddenActivation, errorSynapses } = this.config;
    const { h, z } = this.forward(x);
    const release = (t: tf.Tensor | null | undefined) => {
      if (t && t !== x && !keep) t.dispose();
    };
    const loss = this.lossOf(z[L], y);
    const lossValue = loss.dataSync()[0];
    loss.dispose();
    const err: Array<tf.Tensor2D | null> = Array.from({ length: L + 1 }, () => null);
    const disp: Array<tf.Tensor2D | null> = Array.from({ length: L + 1 }, () => null);
    const result: RecLraUpdates = { loss: lossValue, weights: [], biases: [], synapses: Array.from({ length: L - 1 }, () => null) };
    if (!Number.isFinite(lossValue)) {
      for (let l = 1; l <= L; l++) [h[l], z[l]].forEach((t) => t?.dispose());
      return result;
    }
    const childrenLeft = Array.from({ length: L + 1 }, () => 0);
    for (let i = 1; i < L; i++) childrenLeft[parents[i]]++;
    err[L] = tf.sub(z[L], y) as tf.Tensor2D;
    const weights: tf.Tensor2D[] = [];
    const biases: tf.Tensor1D[] = [];
    for (let l = L; l >= 1; l--) {
      if (l < L) {
        const p = parents[l];
        const signal = layerSignal(err[p]!, h[l]!, z[l]!, this.synapses[l]!, beta, hiddenActivation);
        err[l] = signal.error;
        disp[l] = signal.displacement;
        if (errorSynapses.rule === 'alg2') result.synapses[l - 1] = synapseUpdate(err[p]!, signal.displacement, gammaE, clip);
        else if (errorSynapses.rule === 'alg1-literal') result.synapses[l - 1] = synapseUpdate(disp[p] ?? err[p]!, signal.error, gammaE, clip);
        if (--childrenLeft[p] === 0) {
          release(err[p]);
          release(disp[p]);
        }
      }
      const update = layerUpdate(z[l - 1]!, err[l]!, kappa[l - 1]!, clip);
      weights[l - 1] = update.weights;
      biases[l - 1] = update.bias;
      // Z_ℓ fed ΔW_{ℓ+1} (already emitted) and Err_ℓ (just formed); H_ℓ only Err_ℓ. Neither is needed again.
      h[l]!.dispose();
      z[l].dispose();
      if (childrenLeft[l] === 0) {
        release(err[l]);
        if (l < L) release(disp[l]);
      }
    }
    result.weights = weights;
    result.biases = biases;
    if (keep) {
      result.errors = err.slice(1) as tf.Tensor2D[];
      result.displacements = disp.slice(1, L);
    }
    return result;
  }

  /**
   * Backprop inside residual blocks (P2 Sec. 3.3): block outputs get rec-LRA targets from the output through their
   * skip-error synapses; each segment (block, or the last layers up to the output) is trained by backprop of
   * `(κ/n)⟨Err_o, H_o⟩` (or `⟨Err_o, Z_o⟩`) with its input held constant. Needs a tape, but only inside a segment.
   */
  private blockUpdates(x: tf.Tensor2D, y: tf.Tensor2D, keep: boolean): RecLraUpdates {
    const { L } = this;
    const { beta, gammaE, clip, kappa, hiddenActivation, errorSynapses, blockErrorInjection } = this.config;
    const g = (this.config.wiring as { g: number }).g;
    const { h, z } = this.forward(x);
    const all = [...h.slice(1), ...z.slice(1)] as tf.Tensor[];
    try {
      const lossValue = tf.tidy(() => this.lossOf(z[L], y).dataSync()[0]);
      const result: RecLraUpdates = { loss: lossValue, weights: [], biases: [], synapses: Array.from({ length: L - 1 }, () => null) };
      if (!Number.isFinite(lossValue)) return result;
      const err: Array<tf.Tensor2D | null> = Array.from({ length: L + 1 }, () => null);
      const disp: Array<tf.Tensor2D | null> = Array.from({ length: L + 1 }, () => null);
      err[L] = tf.sub(z[L], y) as tf.Tensor2D;
      const ends: number[] = [];
      for (let o = g; o < L; o += g) ends.push(o);
      ends.push(L);
      for (const o of ends) {
        if (o === L) continue;
        const signal = layerSignal(err[L]!, h[o]!, z[o]!, this.synapses[o]!, beta, hiddenActivation);
        err[o] = signal.error;
        disp[o] = signal.displacement;
        if (errorSynapses.rule === 'alg2') result.synapses[o - 1] = synapseUpdate(err[L], signal.displacement, gammaE, clip);
        else if (errorSynapses.rule === 'alg1-literal') result.synapses[o - 1] = synapseUpdate(err[L], signal.error, gammaE, clip);
      }
      let start = 1;
      for (const o of ends) {
        const layers = Array.from({ length: o - start + 1 }, (_, k) => start + k);
        const zIn = z[start - 1];
        const errO = err[o]!;
        const n = x.shape[0];
        const injectAt: 'H' | 'Z' = o === L ? 'H' : blockErrorInjection;
        const params = layers.flatMap((l) => [this.weights[l - 1]!, this.biases[l - 1]!]) as tf.Tensor[];
        const grads = tf.tidy(() =>
          tf.grads((...p: tf.Tensor[]) => {
            let a: tf.Tensor2D = zIn;
            let pre: tf.Tensor2D = zIn;
            layers.forEach((l, k) => {
              pre = tf.add(matMul(a, p[2 * k] as tf.Tensor2D), p[2 * k + 1]!) as tf.Tensor2D;
              if (this.hasSkip(l)) pre = tf.add(pre, zIn) as tf.Tensor2D;
              a = l === L ? pre : (hiddenActivation.apply(pre) as tf.Tensor2D);
            });
            return tf.div(tf.sum(tf.mul(errO, injectAt === 'H' ? pre : a)), n) as tf.Scalar;
          })(params),
        );
        layers.forEach((l, k) => {
          result.weights[l - 1] = tf.tidy(() => projectScaled(grads[2 * k], kappa[l - 1], clip)) as tf.Tensor2D;
          result.biases[l - 1] = tf.tidy(() => projectScaled(grads[2 * k + 1], kappa[l - 1], clip)) as tf.Tensor1D;
        });
        tf.dispose(grads);
        start = o + 1;
      }
      if (keep) {
        result.errors = err.slice(1).map((e) => e ?? null) as tf.Tensor2D[];
        result.displacements = disp.slice(1, L);
      } else {
        tf.dispose([...err, ...disp].filter((t): t is tf.Tensor2D => t !== null));
      }
      return result;
    } finally {
      tf.dispose(all);
    }
  }

  /** Hands the updates to the optimisers: weights (and, with `'same-as-W'`, synapses) in one call, synapses by SGD. */
  private applyUpdates(u: RecLraUpdates): void {
    const grads: tf.NamedTensorMap = {};
    this.weights.forEach((w, i) => (grads[w.name] = u.weights[i]));
    this.biases.forEach((b, i) => (grads[b.name] = u.biases[i]));
    const eGrads: tf.NamedTensorMap = {};
    this.synapses.forEach((e, i) => {
      const d = u.synapses[i - 1];
      if (e && d) eGrads[e.name] = d;
    });
    if (this.config.errorSynapses.optimizer === 'same-as-W') Object.assign(grads, eGrads);
    this.optimizer.applyGradients(grads);
    if (this.synapseOptimizer && Object.keys(eGrads).length > 0) this.synapseOptimizer.applyGradients(eGrads);
  }

  private assertLive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`RecLraNetwork.${method}`, 'this', 'must not be disposed', 'a disposed network');
  }
}

function projectScaled(g: tf.Tensor, kappa: number, clip: number): tf.Tensor {
  return tf.tidy(() => projectToBall(tf.mul(g, kappa), clip));
}

/**
 * Frees every tensor of a {@link RecLraUpdates}.
 *
 * @example
 * ```ts
 * disposeUpdates(net.computeUpdates(x, y));
 * ```
 */
export function disposeUpdates(u: RecLraUpdates): void {
  const list: Array<tf.Tensor | null | undefined> = [...u.weights, ...u.biases, ...u.synapses, ...(u.errors ?? []), ...(u.displacements ?? [])];
  tf.dispose(list.filter((t): t is tf.Tensor => t !== null && t !== undefined));
}
