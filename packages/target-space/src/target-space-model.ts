/**
 * What every target-space network shares: its learnable matrices (the targets, plus any ordinary weight-space
 * parameters such as embeddings), the engine that differentiates the loss, the optimiser, divergence handling and
 * checkpoints of that state.
 */
import * as tf from '@tensorflow/tfjs';
import { BbpError, InvalidArgumentError, ShapeError, Tape, checkNumber, matrixVariable, type Matrix, type RidgePrecision } from '@beyond-backprop/core-linalg';
import type { StateSnapshots } from '@beyond-backprop/training';
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
  optimizer:
    | { kind: 'float64'; config: Required<TargetOptimizerConfig>; state: Float64OptimizerState }
    | { kind: 'tf'; className: string; config: tf.serialization.ConfigDict; weights: Array<{ name: string; shape: number[]; data: number[] }> };
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
    return this.params.slice(0, this.targetCount).map(copyMatrix);
  }

  /** Replaces the targets (shapes must match). */
  setTargets(targets: Matrix[]): void {
    this.assertLive('setTargets');
    this.pullParams();
    if (!Array.isArray(targets) || targets.length !== this.targetCount) {
      throw new InvalidArgumentError(`${this.fn}.setTargets`, 'targets', `must hold ${this.targetCount} matrices`, targets);
    }
    targets.forEach((t, i) => {
      const ref = this.params[i]!;
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
   * One update: evaluate, then apply the optimiser. Returns the loss, or NaN — without changing any parameter — when
   * the loss is not finite in float32 or a gradient is not finite, when the update would leave a parameter outside the
   * float32 range, or when a ridge solve
   * breaks down because targets outgrew the float range. The fit loop turns that NaN into `TrainingDivergedError`.
   */
  protected trainStep(build: LossBuilder): number {
    let result: { loss: number; gradients: Matrix[] };
    try {
      result = this.evaluate(build);
    } catch (error) {
      if (error instanceof BbpError && (error.code === 'not-positive-definite' || error.code === 'non-finite')) return Number.NaN;
      throw error;
    }
    const { loss, gradients } = result;
    // A loss past float32's range means the realised weights (and so predict(), which runs in float32) overflow it,
    // even though the float64 engine can still represent them: treat it as divergence.
    if (!(Math.abs(loss) <= FLOAT32_MAX) || !gradients.every((g) => allFinite(g.data))) return Number.NaN;
    const before = this.params.map(copyMatrix);
    this.applyGradients(gradients);
    this.pullParams();
    if (!this.params.every((p) => allFloat32(p.data))) {
      this.setParams(before, this.targetCount);
      return Number.NaN;
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
        return this.params.map(copyMatrix);
      },
      restore: (saved) => this.setParams(saved as Matrix[], this.targetCount),
    };
  }

  /** Learnable state for a checkpoint. */
  protected async parameterState(): Promise<ParameterState> {
    this.pullParams();
    let optimizer: ParameterState['optimizer'];
    if (this.f64Optimizer) {
      optimizer = { kind: 'float64', config: this.f64Optimizer.config, state: this.f64Optimizer.getState() };
    } else {
      const opt = this.tfOptimizer!;
      const named = await opt.getWeights();
      optimizer = {
        kind: 'tf',
        className: opt.getClassName(),
        config: opt.getConfig(),
        weights: named.map((w) => ({ name: w.name, shape: w.tensor.shape, data: Array.from(w.tensor.dataSync()) })),
      };
    }
    return { params: this.params.map((p) => ({ rows: p.rows, cols: p.cols, data: Array.from(p.data) })), optimizer, iterations: this.iterations };
  }

  /** Restores {@link parameterState} (the optimiser must be of the same kind). */
  protected async restoreParameterState(state: ParameterState): Promise<void> {
    this.setParams(
      state.params.map((p) => ({ rows: p.rows, cols: p.cols, data: Float64Array.from(p.data) })),
      this.targetCount,
    );
    if (state.optimizer.kind === 'float64') {
      if (!this.f64Optimizer) throw new InvalidArgumentError(`${this.fn}.fromCheckpoint`, 'checkpoint.optimizer', 'does not match the engine', state.optimizer.kind);
      this.f64Optimizer.setState(state.optimizer.state);
    } else {
      const weights = state.optimizer.weights.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape) }));
      await this.tfOptimizer!.setWeights(weights);
    }
    this.iterations = state.iterations;
  }

  /** The optimiser a checkpoint's optimiser state was saved from (to construct the restored network with). */
  protected static optimizerFromState(state: ParameterState['optimizer']): TargetOptimizer {
    if (state.kind === 'float64') return state.config;
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[state.className];
    if (!entry) throw new InvalidArgumentError('fromCheckpoint', 'checkpoint.optimizer.className', 'must name a registered tf.train optimiser', state.className);
    const [cls, fromConfig] = entry as unknown as [unknown, (cls: unknown, config: tf.serialization.ConfigDict) => tf.Optimizer];
    return fromConfig(cls, state.config);
  }

  /** Frees the tensors the network holds (tfjs engine, tf optimisers). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.vars) tf.dispose(this.vars);
    this.tfOptimizer?.dispose();
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
      named[v.name] = tf.tensor2d(Float32Array.from(gradients[i]!.data), v.shape as [number, number]);
    });
    this.tfOptimizer!.applyGradients(named);
    tf.dispose(Object.values(named));
  }
}

export function copyMatrix(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.slice() };
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i]! - values[i]! !== 0) return false;
  return true;
}

/** Largest finite float32 value. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Whether every value is finite and stays finite when rounded to float32. */
function allFloat32(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!(Math.abs(values[i]!) <= FLOAT32_MAX)) return false;
  return true;
}
