/**
 * The Elman RNN of P3 (Eqs. 1–2, Sec. IV-A) that both the LRA trainer and its backprop-through-time twin train: the
 * same parameters, initialisation, data handling, fit loop and checkpoints, so the two differ only in how a step's
 * gradients are formed.
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  checkClassLabels,
  checkNumber,
  checkTensor,
  createRng,
  fromMatrix,
  matMul,
  qr,
  type Matrix,
  type Rng,
} from '@beyond-backprop/core-linalg';
import {
  CheckpointReader,
  accuracy,
  checkpointEnvelope,
  disposeOptimizer,
  optimizerFromState,
  restoreOptimizerState,
  runFitLoop,
  saveOptimizerState,
  tracksAccuracy,
  variableSnapshots,
  type CheckpointEnvelope,
  type FitOptions,
  type History,
  type OptimizerState,
} from '@beyond-backprop/training';
import { restoreVariables, snapshotVariables, variableOf, type SavedTensor } from './training-state.js';
import { stepOnRows } from './batch-rows.js';

/** Architecture and optimiser shared by {@link LraRnn} and {@link BpttRnn}. */
export interface ElmanRnnConfig {
  /** Input alphabet size p (one-hot symbols per step; 6 or 100 in P3). */
  inputSize: number;
  /** Hidden units m. Default 100 (P3 Sec. IV-A). */
  hidden?: number;
  /** Outputs k (classes, or values for a linear output). */
  outputs: number;
  /** `'softmax'` with cross-entropy on labels (P3), or `'linear'` with mean squared error (adding problem). Default `'softmax'`. */
  output?: 'softmax' | 'linear';
  /** Any `tf.train` optimiser. Default plain SGD with `learningRate` (P3 Sec. IV-A). */
  optimizer?: tf.Optimizer;
  /** SGD step α of the default optimiser. Default 0.1 (P3 grid {0.1, 0.01, 0.001}). */
  learningRate?: number;
  /** Seed of the orthogonal initial weights. Default 0. */
  seed?: number;
}

/** Gradients of one step, keyed like the parameters. */
export interface RnnGradients {
  wxh: tf.Tensor2D;
  whh: tf.Tensor2D;
  bh: tf.Tensor1D;
  why: tf.Tensor2D;
  by: tf.Tensor1D;
}

/** Options of {@link ElmanRnn.fit}: the shared `FitOptions` (`validationData` scored as `valLoss` and `valAccuracy`). */
export type RnnFitOptions = FitOptions;

/** A serialisable snapshot of a recurrent trainer: configuration, parameters, optimiser state. */
export interface RnnCheckpoint<C> extends CheckpointEnvelope {
  config: Omit<C, 'optimizer'>;
  params: SavedTensor[];
  optimizer: OptimizerState;
  iterations: number;
}

let rnnCounter = 0;

/**
 * Base of the recurrent trainers: parameters `W_xh [p, m]`, `W_hh [m, m]`, `b_h [m]`, `W_hy [m, k]`, `b_y [k]`
 * (batch-first: the transposes of P3 Eq. 1–2's column-major matrices), forward `H_t = Z_{t−1}W_hh + X_tW_xh + b_h`, `Z_t = tanh(H_t)`, `Z_0 = 0`, read-out at the
 * last step. Inputs `x: [n, T, p]` float32; targets int32 labels `[n]` (softmax) or float `[n, k]` (linear).
 */
export abstract class ElmanRnn<C extends ElmanRnnConfig = ElmanRnnConfig> {
  readonly wxh: tf.Variable<tf.Rank.R2>;
  readonly whh: tf.Variable<tf.Rank.R2>;
  readonly bh: tf.Variable<tf.Rank.R1>;
  readonly why: tf.Variable<tf.Rank.R2>;
  readonly by: tf.Variable<tf.Rank.R1>;
  /** Parameter updates applied so far. */
  iterations = 0;
  protected readonly base: Required<Omit<ElmanRnnConfig, 'optimizer'>>;
  protected readonly optimizer: tf.Optimizer;
  private ownsOptimizer: boolean;
  private disposed = false;

  protected constructor(
    protected readonly fn: string,
    protected readonly config: C,
  ) {
    if (config === null || typeof config !== 'object')
      throw new InvalidArgumentError(fn, 'config', 'must be an object with at least { inputSize, outputs }', config);
    checkNumber(fn, 'config.inputSize', config.inputSize, { min: 1, integer: true });
    checkNumber(fn, 'config.outputs', config.outputs, { min: 1, integer: true });
    const hidden = config.hidden ?? 100;
    checkNumber(fn, 'config.hidden', hidden, { min: 1, integer: true });
    const output = config.output ?? 'softmax';
    if (output !== 'softmax' && output !== 'linear') throw new InvalidArgumentError(fn, 'config.output', "must be 'softmax' or 'linear'", output);
    const learningRate = config.learningRate ?? 0.1;
    checkNumber(fn, 'config.learningRate', learningRate, { min: 0, exclusiveMin: true });
    const seed = config.seed ?? 0;
    checkNumber(fn, 'config.seed', seed, { integer: true });
    if (config.optimizer !== undefined && !(config.optimizer instanceof tf.Optimizer))
      throw new InvalidArgumentError(fn, 'config.optimizer', 'must be a tf.train optimiser', config.optimizer);
    this.base = { inputSize: config.inputSize, hidden, outputs: config.outputs, output, learningRate, seed };
    const rng = createRng(seed).fork('elman');
    const id = rnnCounter++;
    const { inputSize: p, outputs: k } = config;
    this.wxh = variableOf(orthogonal(rng.fork('wxh'), p, hidden), `rnn_${id}_wxh`) as tf.Variable<tf.Rank.R2>;
    this.whh = variableOf(orthogonal(rng.fork('whh'), hidden, hidden), `rnn_${id}_whh`) as tf.Variable<tf.Rank.R2>;
    this.bh = variableOf(tf.zeros([hidden]), `rnn_${id}_bh`) as tf.Variable<tf.Rank.R1>;
    this.why = variableOf(orthogonal(rng.fork('why'), hidden, k), `rnn_${id}_why`) as tf.Variable<tf.Rank.R2>;
    this.by = variableOf(tf.zeros([k]), `rnn_${id}_by`) as tf.Variable<tf.Rank.R1>;
    this.ownsOptimizer = config.optimizer === undefined;
    this.optimizer = config.optimizer ?? tf.train.sgd(learningRate);
  }

  /** Gradients (descent directions) of one step and the batch loss; the subclass's learning rule. */
  protected abstract gradients(x: tf.Tensor3D, y: tf.Tensor2D): { loss: number; grads: RnnGradients | null };

  /**
   * Hidden states of every step, `[T][n, m]` pre-activations `h` and activities `z` (`z[0]` = zero state).
   *
   * @example
   * ```ts
   * const { h, z } = rnn.states(x);   // z.length = T + 1
   * ```
   */
  states(x: tf.Tensor3D): { h: tf.Tensor2D[]; z: tf.Tensor2D[]; inputs: tf.Tensor2D[] } {
    const inputs = tf.unstack(x, 1) as tf.Tensor2D[];
    const n = x.shape[0];
    const z: tf.Tensor2D[] = [tf.zeros([n, this.base.hidden])];
    const h: tf.Tensor2D[] = [];
    inputs.forEach((xt, t) => {
      const pre = tf.tidy(() => tf.add(tf.add(matMul(z[t], this.whh), matMul(xt, this.wxh)), this.bh) as tf.Tensor2D);
      h.push(pre);
      z.push(tf.tanh(pre));
    });
    return { h, z, inputs };
  }

  /**
   * Outputs `[n, k]` at the last step: class probabilities (softmax) or values (linear).
   *
   * @example
   * ```ts
   * const p = rnn.predict(x);   // [n, k]
   * ```
   */
  predict(x: tf.Tensor3D): tf.Tensor2D {
    this.assertLive('predict');
    checkTensor(`${this.fn}.predict`, 'x', x, { shape: [null, null, this.base.inputSize], dtype: 'float32' });
    return tf.tidy(() => {
      const { z } = this.states(x);
      return this.readout(matMul(z.at(-1)!, this.why).add(this.by) as tf.Tensor2D);
    });
  }

  /**
   * One update on a batch; returns the loss, or the non-finite loss without changing any parameter.
   *
   * @example
   * ```ts
   * const loss = rnn.trainStep(xBatch, yBatch);
   * ```
   */
  trainStep(x: tf.Tensor3D, y: tf.Tensor): number {
    this.assertLive('trainStep');
    const targets = this.checkBatch(`${this.fn}.trainStep`, x, y);
    try {
      const { loss, grads } = this.gradients(x, targets);
      if (!grads) return loss;
      try {
        if (!Number.isFinite(loss)) return loss;
        this.optimizer.applyGradients({
          [this.wxh.name]: grads.wxh,
          [this.whh.name]: grads.whh,
          [this.bh.name]: grads.bh,
          [this.why.name]: grads.why,
          [this.by.name]: grads.by,
        });
        this.iterations++;
        return loss;
      } finally {
        tf.dispose(Object.values(grads));
      }
    } finally {
      if (targets !== y) targets.dispose();
    }
  }

  /**
   * Trains with the shared fit loop (`runFitLoop`: seeded batches, callbacks, `AbortSignal`, checkpoints,
   * `TrainingDivergedError` without applying the bad update).
   *
   * @example
   * ```ts
   * await rnn.fit(x, labels, { epochs: 5, batchSize: 20, seed: 1 });
   * ```
   */
  async fit(x: tf.Tensor3D, y: tf.Tensor, options: RnnFitOptions): Promise<History> {
    const fn = `${this.fn}.fit`;
    this.assertLive('fit');
    const checked = this.checkBatch(fn, x, y, true);
    if (checked !== y) checked.dispose();
    return runFitLoop(fn, x.shape[0], options, {
      trainBatch: (indices) => stepOnRows(x, y, indices, (xb, yb) => this.trainStep(xb, yb)),
      state: variableSnapshots(() => this.parameters()),
      evaluate: () => {
        const logs: Record<string, number> = {};
        if (tracksAccuracy(options) && this.base.output === 'softmax') logs.accuracy = tf.tidy(() => accuracy(this.predict(x), y));
        if (options.validationData) {
          const [vx, vy] = options.validationData;
          tf.tidy(() => {
            const out = this.predict(vx as tf.Tensor3D);
            const t = this.targetsFor(vy);
            logs.valLoss = this.globalLoss(out, t).dataSync()[0];
            if (this.base.output === 'softmax') logs.valAccuracy = accuracy(out, vy);
          });
        }
        return logs;
      },
    });
  }

  /**
   * A snapshot for `LraRnn.fromCheckpoint` / `BpttRnn.fromCheckpoint`; only finite state when taken from the fit loop's checkpoint hook.
   *
   * @example
   * ```ts
   * const saved = await rnn.checkpoint();
   * ```
   */
  async checkpoint(): Promise<RnnCheckpoint<C>> {
    this.assertLive('checkpoint');
    const { optimizer: _, ...config } = this.config;
    void _;
    return {
      ...checkpointEnvelope(this.fn),
      config: JSON.parse(JSON.stringify(config)) as Omit<C, 'optimizer'>,
      params: snapshotVariables(this.parameters()),
      optimizer: await saveOptimizerState(this.optimizer),
      iterations: this.iterations,
    };
  }

  /** Loads a validated snapshot from {@link ElmanRnn.checkpoint} into this network (same architecture). */
  protected async restore(checkpoint: RnnCheckpoint<C>): Promise<void> {
    const fn = `${this.fn}.fromCheckpoint`;
    const iterations = new CheckpointReader(fn).integer('iterations', checkpoint.iterations);
    restoreVariables(fn, 'params', this.parameters(), checkpoint.params);
    await restoreOptimizerState(
      fn,
      this.optimizer,
      checkpoint.optimizer,
      this.parameters().map((v) => v.shape),
    );
    this.iterations = iterations;
  }

  /** Frees the parameters (and the optimiser, unless the caller supplied it). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.parameters());
    if (this.ownsOptimizer) disposeOptimizer(this.optimizer);
  }

  /** Parameters in a fixed order (checkpoints rely on it). */
  protected parameters(): tf.Variable[] {
    return [this.wxh, this.whh, this.bh, this.why, this.by];
  }

  /** Softmax or identity on the output pre-activation. */
  protected readout(o: tf.Tensor2D): tf.Tensor2D {
    return (this.base.output === 'softmax' ? tf.softmax(o) : tf.clone(o)) as tf.Tensor2D;
  }

  /** `ℰ`: mean cross-entropy (softmax) or mean squared error over all entries (linear). */
  protected globalLoss(out: tf.Tensor, t: tf.Tensor): tf.Scalar {
    return tf.tidy(() =>
      this.base.output === 'softmax' ? tf.neg(tf.mean(tf.sum(tf.mul(t, tf.log(tf.maximum(out, 1e-30))), -1))) : tf.mean(tf.square(tf.sub(out, t))),
    ) as tf.Scalar;
  }

  /** `∂ℰ/∂O`, `[n, k]`: `(P − Y)/n` or `2(O − Y)/(n·k)`. */
  protected outputGradient(out: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => (this.base.output === 'softmax' ? tf.div(tf.sub(out, t), out.shape[0]) : tf.mul(tf.sub(out, t), 2 / out.size)) as tf.Tensor2D);
  }

  protected targetsFor(y: tf.Tensor): tf.Tensor2D {
    return (y.dtype === 'int32' ? tf.tidy(() => tf.oneHot(y as tf.Tensor1D, this.base.outputs).toFloat()) : y) as tf.Tensor2D;
  }

  /** `finite` reads `x` and float `y` back to reject NaN/±∞ (done once per `fit`, not per batch). */
  protected checkBatch(fn: string, x: tf.Tensor, y: tf.Tensor, finite = false): tf.Tensor2D {
    const dims = {};
    checkTensor(fn, 'x', x, { shape: ['n', 'T', this.base.inputSize], dtype: 'float32', finite }, dims);
    if (x.shape[0] === 0 || x.shape[1] === 0) throw new InvalidArgumentError(fn, 'x', 'must hold at least one sequence of at least one step', x.shape);
    if (this.base.output === 'softmax') checkClassLabels(fn, 'y', y, this.base.outputs, { n: 'n', dims });
    else checkTensor(fn, 'y', y, { shape: ['n', this.base.outputs], dtype: 'float32', finite }, dims);
    return this.targetsFor(y);
  }

  protected assertLive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.fn}.${method}`, 'this', 'must not be disposed', 'a disposed network');
  }

  /** Rebuilds a trainer of `kind` from a {@link ElmanRnn.checkpoint} with `make`, then restores its state. */
  protected static async rebuild<C extends ElmanRnnConfig, N extends ElmanRnn<C>>(
    kind: string,
    checkpoint: RnnCheckpoint<C>,
    make: (config: C) => N,
  ): Promise<N> {
    const fn = `${kind}.fromCheckpoint`;
    const r = new CheckpointReader(fn);
    const body = r.envelope(checkpoint, kind);
    const config = r.object('config', body.config);
    const optimizer = optimizerFromState(fn, checkpoint.optimizer);
    let net: N;
    try {
      net = make({ ...config, optimizer } as unknown as C);
    } catch (error) {
      disposeOptimizer(optimizer);
      throw error;
    }
    net.ownsOptimizer = true;
    try {
      await net.restore(checkpoint);
    } catch (error) {
      net.dispose();
      throw error;
    }
    return net;
  }
}

/**
 * A `[rows, cols]` matrix with orthonormal columns (rows ≥ cols) or rows (rows < cols), from the QR factors of a
 * seeded Gaussian matrix (P3 Sec. IV-A: orthogonal initialisation).
 */
function orthogonal(rng: Rng, rows: number, cols: number): tf.Tensor2D {
  const tall = rows >= cols;
  const [a, b] = tall ? [rows, cols] : [cols, rows];
  const g: Matrix = { rows: a, cols: b, data: Float64Array.from({ length: a * b }, () => rng.normal()) };
  const { q, r } = qr(g);
  // Fix the sign of each column by diag(R) so the draw is uniform over orthogonal matrices.
  for (let j = 0; j < b; j++) {
    if (r.data[j * r.cols + j] < 0) for (let i = 0; i < a; i++) q.data[i * b + j] = -q.data[i * b + j];
  }
  const m = fromMatrix(q);
  if (tall) return m;
  const t = m.transpose() as tf.Tensor2D;
  m.dispose();
  return t;
}
