/**
 * `@beyond-backprop/core-linalg` — the shared tensor core of beyond-backprop.
 *
 * - **Backend selection**: {@link initBackend} picks tfjs-node-gpu, tfjs-node, wasm or cpu (webgpu/webgl in browsers)
 *   and patches the wasm backend's gaps ({@link installWasmKernels}).
 * - **Float64 kernels** on row-major {@link Matrix} values: {@link cholesky}, {@link solveTriangular},
 *   {@link cholSolve}, {@link qr}, {@link svd}, {@link symEig}, {@link pinvF64}, {@link lstsqF64}, {@link ridgeSolveF64}.
 * - **Differentiable tfjs ops**: {@link ridgeSolve} (gradients wrt both inputs), {@link pinv}, {@link lstsq},
 *   {@link extractPatches} (im2col), {@link matMul} (fast transposes on wasm).
 * - **Testing and plumbing**: {@link gradCheck}, seeded {@link Rng}, typed errors and argument checks.
 *
 * @packageDocumentation
 */
export {
  ACTIVATIONS,
  ACTIVATION_NAMES,
  LEAKY_RELU_ALPHA,
  activation,
  type ActivationName,
  type ActivationSpec,
} from './activations.js';
export {
  BBP_ERROR_MARKER,
  BbpError,
  BackendUnavailableError,
  ConvergenceError,
  DTypeError,
  InvalidArgumentError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  formatShape,
} from './errors.js';
export {
  addScaled,
  checkMatrix,
  checkSquare,
  cloneMatrix,
  frobeniusNorm,
  fromRows,
  gram,
  identity,
  matmulF64,
  matrix,
  maxAbsDiff,
  outerGram,
  scale,
  toRows,
  transpose,
  type Matrix,
} from './matrix.js';
export { cholesky } from './cholesky.js';
export { cholSolve, solveTriangular, type TriangularSolveOptions } from './triangular-solve.js';
export { qr, type QrResult } from './qr.js';
export { svd, type SvdResult } from './svd.js';
export { symEig, type SymEigResult } from './symmetric-eigen.js';
export { lstsqF64, pinvF64, type LstsqResult, type RankCutoff } from './pseudo-inverse.js';
export { ridgeSolveF64, type RidgeForm, type RidgeFormOption, type RidgeSolution } from './ridge-solve.js';
export { RIDGE_FLOAT64_WORK_LIMIT, ridgeSolve, ridgeSolvePlan, type RidgePrecision, type RidgeSolveOptions } from './ridge-solve-op.js';
export { lstsq, pinv } from './pseudo-inverse-op.js';
export { matMul } from './fast-matmul.js';
export { extractPatches, type ExtractPatchesOptions } from './extract-patches.js';
export {
  gradCheck,
  type GradCheckF64Options,
  type GradCheckInputReport,
  type GradCheckOptions,
  type GradCheckResult,
  type GradCheckTensorOptions,
} from './grad-check.js';
export {
  BROWSER_BACKEND_ORDER,
  NODE_BACKEND_ORDER,
  initBackend,
  type BackendChoice,
  type BackendInfo,
  type InitBackendOptions,
} from './backend.js';
export { installWasmKernels } from './wasm-kernels.js';
export { wasmExportsOnBackend } from './wasm-module.js';
export { ARRAY_BACKENDS, registerOnArrayBackends, runOnBackendArrays } from './kernel-arrays.js';
export { Rng, createRng } from './random.js';
export { checkClassLabels, checkFiniteValues, checkNumber, checkTensor, type DimBindings, type DimSpec, type TensorSpec } from './tensor-checks.js';
export { fromMatrix, matrixVariable, readValues, toMatrix } from './tensor-bridge.js';
export { Tape, TapeNode, type TapeActivation } from './float64-tape.js';
