/**
 * LRA for recurrent networks (RNN-LRA-diff; P3 Sec. III, Algorithms 1–2): every time step gets a target state, formed
 * by K gradient steps on the next step's local loss with respect to the current pre-activation, and its weights learn
 * from that one-step local loss alone — optionally with the regulariser in the direction of the update.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, matMul } from '@beyond-backprop/core-linalg';
import { directionPenalty, penaltyFromParts } from './direction-regularizer.js';
import { ElmanRnn, type ElmanRnnConfig, type RnnCheckpoint, type RnnGradients } from './elman-rnn.js';
import { checkLocalLoss, localLoss, localLossGradient, type LocalLossName, type LossReduction } from './local-losses.js';
import { projectToBall } from './update-projection.js';

/** Which updates the direction regulariser is added to (P3 Eqs. 6–7 name W_hh and W_xh; the text of Sec. III-A also replaces Normalize at Alg. 1 lines 16–18 and 21). */
export interface RegularizeTargets {
  /** `∇W_hh` (default true). */
  whh?: boolean;
  /** `∇W_xh` (default true). */
  wxh?: boolean;
  /** `∇b_h` (default true). */
  bh?: boolean;
  /** Each target step `Δh` (default true). */
  target?: boolean;
  /** `∇W_hy` and the top target step, with `W_hy` in place of `W_hh` (the authors' code; default false). */
  output?: boolean;
}

/** Configuration of an {@link LraRnn}; defaults from P3 Sec. III–IV where it gives them. */
export interface LraRnnConfig extends ElmanRnnConfig {
  /** Inner target iterations K (P3 grid {10, 20, 30}). Default 10. */
  K?: number;
  /** Step of each target iteration (P3's γ, Eq. 4). Default 10. */
  targetStep?: number;
  /** Radius c₀ of the weight-gradient normalisation; 0 disables it. Default 1 (P3 Table II). */
  clipW?: number;
  /** Radius c₁ of the target-step normalisation; 0 disables it. Default 1. */
  clipTarget?: number;
  /** Always rescale to the radius (P3 Fig. 3 "forced" normalisation). Default false. */
  forceNormalize?: boolean;
  /** Local loss (P3 Eq. 8). Default `'mse'`. */
  localLoss?: LocalLossName;
  /** Reduction of the local loss. Default `'mean'` (P3). */
  lossReduction?: LossReduction;
  /**
   * Inner-loop reading (P3 Alg. 1 lines 21–25): `'intended'` (default) pulls every iteration toward the fixed target `ẑ_t`;
   * `'literal'` follows P3 Alg. 1 lines 24–25 as printed, where iterations after the first pull the re-prediction
   * toward the actual `z_t`. Identical at K = 1.
   */
  mode?: 'intended' | 'literal';
  /** λ of the direction regulariser (P3 Eqs. 6–7); 0 = the vanilla method. Default 0. P3's best: 0.1. */
  lambdaReg?: number;
  /** Which updates get the regulariser (when `lambdaReg > 0`). */
  regularize?: RegularizeTargets;
  /** Normalise `∇W_hy`, `∇b_y` and the top target steps too (the authors' code; P3 Alg. 1 does not). Default false. */
  normalizeOutput?: boolean;
  /** No weight gradient for the first step (P3 Alg. 1 and its code). Default false. */
  skipFirstStepUpdate?: boolean;
}

/** Per-step measurements of one LRA step (P3 Figs. 2–4). Index t−1 holds step t. */
export interface LraRnnDiagnostics {
  /** Local loss `ℒ(z_t, ẑ_t)`. */
  localLosses: number[];
  /** `‖ẑ_t − z_t‖`, how far each target moved the state. */
  targetDisplacements: number[];
  /** `‖∇W_hh^t‖` after regularisation and normalisation. */
  whhGradientNorms: number[];
}

/** What {@link LraRnn.computeUpdates} returns. Dispose `grads` when done. */
export interface LraRnnUpdates {
  loss: number;
  /** `null` when the loss is not finite (nothing to apply). */
  grads: RnnGradients | null;
  diagnostics?: LraRnnDiagnostics;
}

/**
 * An Elman RNN trained by LRA with optional gradient regularisation (P3 Alg. 1–2 and Eqs. 5–7, reconstructed
 * batch-first). Every derivative is one-step and closed form, so no autograd tape is built; the sweep over time is as
 * sequential as BPTT and K times its cost (P3 Sec. III-B).
 *
 * `x: [n, T, p]` float32 one-hot sequences, `y: [n]` int32 labels scored at the last step.
 *
 * @example
 * ```ts
 * const rnn = new LraRnn({ inputSize: 6, outputs: 4, lambdaReg: 0.1, seed: 1 });
 * await rnn.fit(x, y, { epochs: 3, batchSize: 20 });
 * rnn.dispose();
 * ```
 */
export class LraRnn extends ElmanRnn<LraRnnConfig> {
  private readonly lra: Required<Omit<LraRnnConfig, keyof ElmanRnnConfig | 'regularize'>> & { regularize: Required<RegularizeTargets> };

  constructor(config: LraRnnConfig) {
    super('LraRnn', config);
    const fn = 'LraRnn';
    const K = config.K ?? 10;
    checkNumber(fn, 'config.K', K, { min: 1, integer: true });
    const targetStep = config.targetStep ?? 10;
    checkNumber(fn, 'config.targetStep', targetStep, { min: 0 });
    const clipW = config.clipW ?? 1;
    checkNumber(fn, 'config.clipW', clipW, { min: 0 });
    const clipTarget = config.clipTarget ?? 1;
    checkNumber(fn, 'config.clipTarget', clipTarget, { min: 0 });
    const lambdaReg = config.lambdaReg ?? 0;
    checkNumber(fn, 'config.lambdaReg', lambdaReg, { min: 0 });
    const mode = config.mode ?? 'intended';
    if (mode !== 'intended' && mode !== 'literal') throw new InvalidArgumentError(fn, 'config.mode', "must be 'intended' or 'literal'", mode);
    const loss = config.localLoss ?? 'mse';
    const reduction = config.lossReduction ?? 'mean';
    checkLocalLoss(fn, loss, reduction);
    const r = config.regularize ?? {};
    this.lra = {
      K,
      targetStep,
      clipW,
      clipTarget,
      forceNormalize: config.forceNormalize ?? false,
      localLoss: loss,
      lossReduction: reduction,
      mode,
      lambdaReg,
      regularize: { whh: r.whh ?? true, wxh: r.wxh ?? true, bh: r.bh ?? true, target: r.target ?? true, output: r.output ?? false },
      normalizeOutput: config.normalizeOutput ?? false,
      skipFirstStepUpdate: config.skipFirstStepUpdate ?? false,
    };
  }

  /**
   * Rebuilds a trainer from {@link ElmanRnn.checkpoint}; continue with `fit(…, { initialEpoch })` for an exact resume.
   *
   * @example
   * ```ts
   * const again = await LraRnn.fromCheckpoint(await rnn.checkpoint());
   * ```
   */
  static async fromCheckpoint(checkpoint: RnnCheckpoint<LraRnnConfig>): Promise<LraRnn> {
    return ElmanRnn.rebuild('LraRnn', checkpoint, (config) => new LraRnn(config));
  }

  /**
   * The gradients of one LRA step (P3 Alg. 1, batch-first) without applying them; with `diagnostics`, the per-step
   * local losses and norms of P3 Figs. 2–4 too (reads values back, so slower).
   *
   * @example
   * ```ts
   * const { loss, grads, diagnostics } = rnn.computeUpdates(x, y, { diagnostics: true });
   * tf.dispose(Object.values(grads));
   * ```
   */
  computeUpdates(x: tf.Tensor3D, y: tf.Tensor, options: { diagnostics?: boolean } = {}): LraRnnUpdates {
    this.assertLive('computeUpdates');
    const targets = this.checkBatch('LraRnn.computeUpdates', x, y);
    try {
      return this.lraStep(x, targets, options.diagnostics ?? false);
    } finally {
      if (targets !== y) targets.dispose();
    }
  }

  protected gradients(x: tf.Tensor3D, y: tf.Tensor2D): { loss: number; grads: RnnGradients | null } {
    return this.lraStep(x, y, false);
  }

  private normalize(t: tf.Tensor, c: number): tf.Tensor {
    return projectToBall(t, c, { force: this.lra.forceNormalize });
  }

  private lraStep(x: tf.Tensor3D, y: tf.Tensor2D, diagnose: boolean): LraRnnUpdates {
    const { K, targetStep, clipW, clipTarget, lambdaReg, regularize, normalizeOutput, skipFirstStepUpdate, localLoss: lossName, lossReduction } = this.lra;
    const { h, z, inputs } = this.states(x);
    const T = h.length;
    const keep: tf.Tensor[] = [...h, ...z, ...inputs];
    try {
      const out = tf.tidy(() => this.readout(tf.add(matMul(z[T], this.why), this.by) as tf.Tensor2D));
      keep.push(out);
      const loss = tf.tidy(() => this.globalLoss(out, y).dataSync()[0]);
      if (!Number.isFinite(loss)) return { loss, grads: null };
      const reg = lambdaReg > 0;
      const diagnostics: LraRnnDiagnostics | undefined = diagnose ? { localLosses: [], targetDisplacements: [], whhGradientNorms: [] } : undefined;
      // Output layer (Alg. 1 line 7): the exact gradient of the global loss.
      const gO = this.outputGradient(out, y);
      keep.push(gO);
      const gWhy = tf.tidy(() => {
        let g = matMul(z[T], gO, true, false);
        if (reg && regularize.output)
          g = tf.add(
            g,
            tf.mul(
              lambdaReg,
              tf.tidy(() => directionPenalty(gO, this.why, h[T - 1]).dWDirect),
            ),
          );
        return normalizeOutput ? this.normalize(g, clipW) : g;
      });
      const gBy = tf.tidy(() => {
        const g = tf.sum(gO, 0);
        return normalizeOutput ? this.normalize(g, clipW) : g;
      });
      // Target for the last state (lines 8–13): K steps of the global loss on H_T, accumulated (P3 Alg. 1 line 13 prints `z_tmax`; the candidate `ẑ_tmax` is meant, and lines 8–13 lack the `h̄ ← ĥ` update line 26 has).
      let target = tf.tidy(() => {
        let hBar: tf.Tensor2D = h[T - 1];
        for (let k = 0; k < K; k++) {
          const next = tf.tidy(() => {
            const zBar = tf.tanh(hBar);
            const pBar = this.readout(tf.add(matMul(zBar, this.why), this.by) as tf.Tensor2D);
            const delta = this.outputGradient(pBar, y);
            let step = tf.mul(matMul(delta, this.why, false, true), tf.sub(1, tf.square(zBar)));
            if (reg && regularize.output) step = tf.add(step, tf.mul(lambdaReg, directionPenalty(delta, this.why, hBar).dH));
            if (normalizeOutput) step = this.normalize(step, clipTarget);
            return tf.sub(hBar, tf.mul(targetStep, step)) as tf.Tensor2D;
          });
          if (k > 0) hBar.dispose();
          hBar = next;
        }
        return tf.tanh(hBar) as tf.Tensor2D;
      });
      let gWhh: tf.Tensor = tf.zerosLike(this.whh);
      let gWxh: tf.Tensor = tf.zerosLike(this.wxh);
      let gBh: tf.Tensor = tf.zerosLike(this.bh);
      let deltaNext: tf.Tensor2D | null = null;
      // Backward sweep over time (lines 14–27), one step's tensors alive at a time.
      for (let t = T; t >= 1; t--) {
        const zt = z[t];
        const ht = h[t - 1];
        const zPrev = z[t - 1];
        const xt = inputs[t - 1];
        if (diagnostics) {
          diagnostics.localLosses[t - 1] = tf.tidy(() => localLoss(zt, target, lossName, lossReduction).dataSync()[0]);
          diagnostics.targetDisplacements[t - 1] = tf.tidy(() => tf.norm(tf.sub(target, zt)).dataSync()[0]);
        }
        const delta = tf.tidy(() => tf.mul(localLossGradient(zt, target, lossName, lossReduction), tf.sub(1, tf.square(zt))) as tf.Tensor2D);
        if (!(skipFirstStepUpdate && t === 1)) {
          const [dWhh, dWxh, dBh] = tf.tidy(() => {
            let a: tf.Tensor = matMul(zPrev, delta, true, false);
            let b: tf.Tensor = matMul(xt, delta, true, false);
            let c: tf.Tensor = tf.sum(delta, 0);
            if (reg && deltaNext) {
              const pen = directionPenalty(deltaNext, this.whh, ht);
              if (regularize.whh) a = tf.add(a, tf.mul(lambdaReg, tf.add(pen.dWDirect, matMul(zPrev, pen.dH, true, false))));
              if (regularize.wxh) b = tf.add(b, tf.mul(lambdaReg, matMul(xt, pen.dH, true, false)));
              if (regularize.bh) c = tf.add(c, tf.mul(lambdaReg, tf.sum(pen.dH, 0)));
            }
            return [this.normalize(a, clipW), this.normalize(b, clipW), this.normalize(c, clipW)];
          });
          if (diagnostics) diagnostics.whhGradientNorms[t - 1] = tf.tidy(() => tf.norm(dWhh!).dataSync()[0]);
          const sums = [tf.add(gWhh, dWhh!), tf.add(gWxh, dWxh!), tf.add(gBh, dBh!)];
          tf.dispose([gWhh, gWxh, gBh, dWhh!, dWxh!, dBh!]);
          [gWhh, gWxh, gBh] = sums as [tf.Tensor, tf.Tensor, tf.Tensor];
        } else if (diagnostics) {
          diagnostics.whhGradientNorms[t - 1] = 0;
        }
        if (t >= 2) {
          const previous = this.targetFor(h[t - 2], xt, zt, target);
          target.dispose();
          target = previous;
        }
        deltaNext?.dispose();
        deltaNext = delta;
      }
      deltaNext?.dispose();
      target.dispose();
      const grads: RnnGradients = {
        wxh: gWxh as tf.Tensor2D,
        whh: gWhh as tf.Tensor2D,
        bh: gBh as tf.Tensor1D,
        why: gWhy as tf.Tensor2D,
        by: gBy as tf.Tensor1D,
      };
      return { loss, grads, ...(diagnostics ? { diagnostics } : {}) };
    } finally {
      tf.dispose(keep);
    }
  }

  /**
   * Target `ẑ_{t−1}` for the state before step t (P3 Alg. 1 lines 19–26; Eq. 4 for K = 1): K normalised steps on
   * `H̄ = H_{t−1}` down the local loss of the re-predicted step t, with the regulariser of Alg. 2 when λ > 0.
   */
  private targetFor(hPrev: tf.Tensor2D, xt: tf.Tensor2D, zt: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor2D {
    const { K, targetStep, clipTarget, lambdaReg, regularize, mode, localLoss: lossName, lossReduction } = this.lra;
    return tf.tidy(() => {
      const drive = tf.add(matMul(xt, this.wxh), this.bh);
      let hBar: tf.Tensor2D = hPrev;
      for (let k = 0; k < K; k++) {
        const next = tf.tidy(() => {
          const zBar = tf.tanh(hBar);
          const hNext = tf.add(matMul(zBar, this.whh), drive);
          const zNext = tf.tanh(hNext);
          const goal = mode === 'intended' || k === 0 ? target : zt;
          const delta = tf.mul(localLossGradient(zNext, goal, lossName, lossReduction), tf.sub(1, tf.square(zNext))) as tf.Tensor2D;
          const u = matMul(delta, this.whh, false, true);
          const s = tf.sub(1, tf.square(zBar));
          let step: tf.Tensor = tf.mul(u, s);
          if (lambdaReg > 0 && regularize.target) {
            // Alg. 2 on the target step: only the path through H̄ (δ is a constant), G_Ω ⊙ u ⊙ tanh''(H̄).
            const { gOmega } = penaltyFromParts(delta, step);
            step = tf.add(step, tf.mul(lambdaReg, tf.mul(tf.mul(gOmega, u), tf.mul(-2, tf.mul(zBar, s)))));
          }
          return tf.sub(hBar, tf.mul(targetStep, this.normalize(step, clipTarget))) as tf.Tensor2D;
        });
        if (k > 0) hBar.dispose();
        hBar = next;
      }
      return tf.tanh(hBar) as tf.Tensor2D;
    });
  }
}
