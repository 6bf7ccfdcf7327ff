/**
 * What every target-space network shares: its learnable matrices (the targets, plus any ordinary weight-space
 * parameters such as embeddings), the engine that differentiates the loss, the optimiser, divergence handling and
 * checkpoints of that state.
 */
import * as tf from '@tensorflow/tfjs';
import {
  BbpError,
  InvalidArgumentError,
  cloneMatrix,
  ShapeError,
  Tape,
  checkNumber,
  matrixVariable,
  type Matrix,
  type RidgePrecision,
} from '@beyond-backprop/core-linalg';
import {
  CheckpointReader,
  disposeOptimizer,
  optimizerFromState,
  restoreOptimizerState,
  saveOptimizerState,
  type OptimizerState,
  type StateSnapshots,
} from '@beyond-backprop/training';
import { Float64Ops, TfOps, type Ops } from './tensor-ops.js';
import {
  createFloat64Optimizer,
  resolveOptimizerConfig,
  tfOptimizerFor,
  type Float64Optimizer,
  type Float64OptimizerState,
  type TargetOptimizer,
  type TargetOptimizerConfig,
} from './target-optimizer.js';

/**
 * Which arithmetic trains the network.
 * - `'float64'`: every step on the CPU in float64 with the tape — exact gradients and no per-op dispatch cost; the
 *   fastest choice for small networks such as two-spirals and the bit-stream RNNs.
 * - `'tfjs'`: on the active TensorFlow.js backend (GPU with tfjs-node-gpu); ridge solves still factorise in float64.
 * - `'auto'` (default): float64 while a step costs under {@link FLOAT64_ENGINE_WORK_LIMIT} multiply-adds, tfjs beyond.
 */
export type TargetSpaceEngine = 'auto' | 'float64' | 'tfjs';

/** Multiply-adds per step up to which `engine: 'auto'` trains in float64 on the CPU. */
export const FLOAT64_ENGINE_WORK_LIMIT = 2e7;

/** Serialised learnable state shared by every target-space checkpoint. */
export interface ParameterState {
  params: Array<{ rows: number; cols: number; data: number[] }>;
  optimizer: { kind: 'float64'; config: Required<TargetOptimizerConfig>; state: Float64OptimizerState } | ({ kind: 'tf' } & OptimizerState);
  iterations: number;
}

/** A loss written against {@link Ops}: receives the learnable matrices (targets first) and returns a scalar. */
export type LossBuilder = <T>(ops: Ops<T>, params: T[]) => T;

/** `instanceof tf.Optimizer` throws on `undefined` (its hasInstance reads a property), so test the shape first. */
export function isTfOptimizer(value: unknown): value is tf.Optimizer {
  return value !== null && typeof value === 'object' && value instanceof tf.Optimizer;
}

let variableCounter = 0;

/** Base of the target-space networks. Subclasses define the architecture, the data handling and the loss. */
export abstract class TargetSpaceModel {
  readonly engine: 'float64' | 'tfjs';
  readonly precision: RidgePrecision;
  readonly seed: number;
  /** Updates applied so far, across `fit` calls (drives dropout masks and similar draws, so resuming is exact). */
  iterations = 0;
  /** Learnable matrices: the targets first (`targetCount` of them), then weight-space parameters. */
  protected params: Matrix[] = [];
  protected targetCount = 0;
  private vars: tf.Variable[] | null = null;
  private f64Optimizer: Float64Optimizer | null = null;
  private tfOptimizer: tf.Optimizer | null = null;
  private disposed = false;

  protected constructor(
    protected readonly fn: string,
    options: { engine?: TargetSpaceEngine; precision?: RidgePrecision; seed?: number; optimizer?: TargetOptimizer },
    estimatedWork: number,
  ) {
    this.seed = options.seed ?? 0;
    checkNumber(fn, 'options.seed', this.seed, { integer: true });
    this.precision = options.precision ?? 'auto';
    const engine = options.engine ?? 'auto';
    if (!['auto', 'float64', 'tfjs'].includes(engine)) throw new InvalidArgumentError(fn, 'options.engine', "must be 'auto', 'float64' or 'tfjs'", engine);
    this.engine = engine === 'auto' ? (estimatedWork <= FLOAT64_ENGINE_WORK_LIMIT ? 'float64' : 'tfjs') : engine;
    if (isTfOptimizer(options.optimizer)) {
      this.tfOptimizer = options.optimizer;
    } else {
      const config = resolveOptimizerConfig(fn, options.optimizer);
      if (this.engine === 'float64') this.f64Optimizer = createFloat64Optimizer(config);
      else this.tfOptimizer = tfOptimizerFor(config);
    }
  }

  /** Installs the learnable matrices (targets first). */
  protected setParams(params: Matrix[], targetCount: number): void {
    this.params = params.map((p) => ({ rows: p.rows, cols: p.cols, data: Float64Array.from(p.data) }));
    this.targetCount = targetCount;
    this.syncVariables();
  }

  /** A copy of the target matrices (float64). */
  getTargets(): Matrix[] {
    this.assertLive('getTargets');
    this.pullParams();
    return this.params.slice(0, this.targetCount).map(cloneMatrix);
  }

  /** Replaces the targets (shapes must match). */
  setTargets(targets: Matrix[]): void {
    this.assertLive('setTargets');
    this.pullParams();
    if (!Array.isArray(targets) || targets.length !== this.targetCount) {
      throw new InvalidArgumentError(`${this.fn}.setTargets`, 'targets', `must hold ${this.targetCount} matrices`, targets);
    }
    targets.forEach((t, i) => {
      const ref = this.params[i];
      if (t.rows !== ref.rows || t.cols !== ref.cols) throw new ShapeError(`${this.fn}.setTargets`, `targets[${i}]`, [ref.rows, ref.cols], [t.rows, t.cols]);
    });
    this.setParams([...targets, ...this.params.slice(this.targetCount)], this.targetCount);
  }

  /** Loss and gradients of every learnable matrix for a loss built against {@link Ops}, on the active engine. */
  protected evaluate(build: LossBuilder): { loss: number; gradients: Matrix[] } {
    if (this.engine === 'float64') {
      this.pullParams();
      const ops = new Float64Ops(new Tape());
      const nodes = this.params.map((p) => ops.variable(p));
      const loss = build(ops, nodes);
      return { loss: loss.scalar(), gradients: ops.tape.gradients(loss, nodes) };
    }
    const ops = new TfOps(this.precision);
    const vars = this.vars!;
    // variableGrads runs the loss in its own scope: only the value and the gradients survive it.
    const { value, grads } = tf.variableGrads(() => tf.reshape(build(ops, vars as tf.Tensor2D[]), []) as tf.Scalar, vars);
    // A parameter the loss does not reach gets no entry: its gradient is zero.
    const gradients = vars.map((v) => {
      const g = grads[v.name];
      return { rows: v.shape[0]!, cols: v.shape[1]!, data: g ? Float64Array.from(g.dataSync()) : new Float64Array(v.size) };
    });
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, gradients };
  }

  /**
   * One update: evaluate, then apply the optimiser. Returns the loss, or — without changing any parameter — a
   * non-finite value when the loss is not finite in float32 (+∞ when float64 still holds it), a gradient is not finite
   * (NaN), the update would leave a parameter outside the float32 range (+∞), or a ridge solve breaks down because
   * targets outgrew the float range (NaN). The fit loop turns that value into `TrainingDivergedError`.
   */
  protected trainStep(build: LossBuilder): number {
    let result: { loss: number; gradients: Matrix[] };
    try {
      result = this.evaluate(build);
    } catch (error) {
      if (BbpError.isInstance(error) && (error.code === 'not-positive-definite' || error.code === 'non-finite')) return Number.NaN;
      throw error;
    }
    const { loss, gradients } = result;
    // A loss past float32's range means the realised weights (and so predict(), which runs in float32) overflow it,
    // even though the float64 engine can still represent them: treat it as divergence.
    // The value reported is what the error message shows: the loss itself when it is NaN or ±∞, +∞ when it (or an
    // updated parameter) is finite in float64 but past float32's range, NaN when only a gradient is not finite.
    if (Number.isNaN(loss)) return Number.NaN;
    if (!(Math.abs(loss) <= FLOAT32_MAX)) return Number.POSITIVE_INFINITY;
    if (!gradients.every((g) => allFinite(g.data))) return Number.NaN;
    const before = this.params.map(cloneMatrix);
    this.applyGradients(gradients);
    this.pullParams();
    if (!this.params.every((p) => allFloat32(p.data))) {
      this.setParams(before, this.targetCount);
      return Number.POSITIVE_INFINITY;
    }
    this.iterations++;
    return loss;
  }

  /**
   * Copies of the learnable matrices for `runFitLoop`'s `state`, so divergence leaves the last finite-loss parameters.
   * The optimiser's moments are not rolled back.
   */
  protected parameterSnapshots(): StateSnapshots {
    return {
      save: () => {
        this.pullParams();
        return this.params.map(cloneMatrix);
      },
      restore: (saved) => this.setParams(saved as Matrix[], this.targetCount),
    };
  }

  /** Learnable state for a checkpoint (the optimiser through training's shared serialiser, β-powers included). */
  protected async parameterState(): Promise<ParameterState> {
    this.pullParams();
    const optimizer: ParameterState['optimizer'] = this.f64Optimizer
      ? { kind: 'float64', config: this.f64Optimizer.config, state: this.f64Optimizer.getState() }
      : { kind: 'tf', ...(await saveOptimizerState(this.tfOptimizer!)) };
    return { params: this.params.map((p) => ({ rows: p.rows, cols: p.cols, data: Array.from(p.data) })), optimizer, iterations: this.iterations };
  }

  /**
   * Restores {@link parameterState} after validating all of it against this network (field `state`): every matrix's
   * shape against the architecture, finite values, the optimiser's kind, slots and counters, the iteration count.
   * Nothing changes unless everything is valid.
   */
  protected async restoreParameterState(fn: string, raw: unknown): Promise<void> {
    const r = new CheckpointReader(fn);
    const state = r.object('state', raw);
    const params = r
      .array('state.params', state.params, this.params.length)
      .map((m, i) => r.matrix(`state.params[${i}]`, m, this.params[i].rows, this.params[i].cols));
    const iterations = r.integer('state.iterations', state.iterations);
    const optimizer = r.object('state.optimizer', state.optimizer);
    const kind = r.string('state.optimizer.kind', optimizer.kind, [this.f64Optimizer ? 'float64' : 'tf'] as const);
    let f64State: Float64OptimizerState | null = null;
    if (kind === 'float64') {
      const s = r.object('state.optimizer.state', optimizer.state);
      const sizes = this.params.map((p) => p.rows * p.cols);
      const slots = r.array('state.optimizer.state.slots', s.slots, 2).map((slot, k) => {
        const arrays = r.array(`state.optimizer.state.slots[${k}]`, slot);
        if (arrays.length !== 0 && arrays.length !== sizes.length) r.fail(`state.optimizer.state.slots[${k}]`, `must hold 0 or ${sizes.length} arrays`, arrays);
        return arrays.map((a, i) => r.finiteArray(`state.optimizer.state.slots[${k}][${i}]`, a, sizes[i]));
      });
      f64State = {
        kind: r.string('state.optimizer.state.kind', s.kind, [this.f64Optimizer!.config.kind]),
        step: r.integer('state.optimizer.state.step', s.step),
        slots,
      };
    }
    this.setParams(params, this.targetCount);
    if (f64State) this.f64Optimizer!.setState(f64State);
    else
      await restoreOptimizerState(
        fn,
        this.tfOptimizer!,
        optimizer as unknown as OptimizerState,
        this.vars!.map((v) => v.shape),
        'state.optimizer',
      );
    this.iterations = iterations;
  }

  /**
   * Rebuilds a network of class `kind` from a checkpoint: checks the envelope, creates the saved optimiser, calls
   * `build` (the subclass constructor, which validates the architecture and options), then restores and validates
   * the learnable state; on any failure frees everything built so far and rethrows (`CheckpointError` naming the
   * field, or the constructor's typed error).
   */
  protected static async rebuild<N extends TargetSpaceModel>(
    kind: string,
    checkpoint: unknown,
    build: (body: Record<string, unknown>, optimizer: TargetOptimizer) => N,
  ): Promise<N> {
    const fn = `${kind}.fromCheckpoint`;
    const r = new CheckpointReader(fn);
    const body = r.envelope(checkpoint, kind);
    r.object('architecture', body.architecture);
    r.object('options', body.options);
    r.object('realisationInputs', body.realisationInputs);
    const saved = r.object('state.optimizer', r.object('state', body.state).optimizer);
    const optimizerKind = r.string('state.optimizer.kind', saved.kind, ['float64', 'tf'] as const);
    const optimizer: TargetOptimizer =
      optimizerKind === 'float64'
        ? (r.object('state.optimizer.config', saved.config) as unknown as TargetOptimizerConfig)
        : optimizerFromState(fn, saved as unknown as OptimizerState, 'state.optimizer');
    let net: N;
    try {
      net = build(body, optimizer);
    } catch (error) {
      if (isTfOptimizer(optimizer)) disposeOptimizer(optimizer);
      throw error;
    }
    try {
      await net.restoreParameterState(fn, body.state);
    } catch (error) {
      net.dispose();
      throw error;
    }
    return net;
  }

  /** Frees the tensors the network holds (tfjs engine, tf optimisers). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.vars) tf.dispose(this.vars);
    if (this.tfOptimizer) disposeOptimizer(this.tfOptimizer);
    this.vars = null;
    this.disposeExtra();
  }

  /** Subclass hook for tensors of its own. */
  protected disposeExtra(): void {}

  protected assertLive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.fn}.${method}`, 'this', 'must not be disposed', 'a disposed network');
  }

  /** Variables mirror the parameters whenever updates run through tfjs (tfjs engine or a tf.train optimiser). */
  private syncVariables(): void {
    if (this.engine !== 'tfjs' && !this.tfOptimizer) return;
    if (this.vars) tf.dispose(this.vars);
    this.vars = this.params.map((p, i) => matrixVariable(p, `${this.fn}_param_${i}_${variableCounter++}`));
  }

  /** Brings the float64 parameters up to date with the variables after tfjs-side updates. */
  protected pullParams(): void {
    if (!this.vars) return;
    this.params = this.vars.map((v) => ({ rows: v.shape[0]!, cols: v.shape[1]!, data: Float64Array.from(v.dataSync()) }));
  }

  private applyGradients(gradients: Matrix[]): void {
    if (this.f64Optimizer) {
      this.f64Optimizer.apply(
        this.params.map((p) => p.data),
        gradients.map((g) => g.data),
      );
      return;
    }
    const vars = this.vars!;
    const named: Record<string, tf.Tensor> = {};
    vars.forEach((v, i) => {
      named[v.name] = tf.tensor2d(Float32Array.from(gradients[i].data), v.shape as [number, number]);
    });
    this.tfOptimizer!.applyGradients(named);
    tf.dispose(Object.values(named));
  }
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return false;
  return true;
}

/** Largest finite float32 value. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Whether every value is finite and stays finite when rounded to float32. */
function allFloat32(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!(Math.abs(values[i]) <= FLOAT32_MAX)) return false;
  return true;
}
