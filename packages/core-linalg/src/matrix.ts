/**
 * The float64 matrix type used by every CPU kernel in this package, and the dense products the kernels share.
 *
 * Matrices are row-major `Float64Array`s: element (i, j) of an `r × c` matrix is `data[i * c + j]`. This matches
 * the batch-first layout of TensorFlow.js (one row per example), so a tensor's `dataSync()` can be wrapped without a
 * copy-transpose.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from './errors.js';

/** A dense row-major float64 matrix. `data.length === rows * cols`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/**
 * Creates a `rows × cols` matrix, zero-filled or wrapping/copying `data` (row-major).
 *
 * @example
 * ```ts
 * const a = matrix(2, 2, [4, 2, 2, 3]);
 * ```
 */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || rows < 0) throw new InvalidArgumentError('matrix', 'rows', 'must be a non-negative integer', rows);
  if (!Number.isInteger(cols) || cols < 0) throw new InvalidArgumentError('matrix', 'cols', 'must be a non-negative integer', cols);
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  if (data.length !== rows * cols) {
    throw new ShapeError('matrix', 'data', [rows * cols], [data.length], `a ${rows} × ${cols} matrix needs ${rows * cols} values`);
  }
  return { rows, cols, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/**
 * Builds a matrix from nested rows, e.g. `fromRows([[1, 2], [3, 4]])`. All rows must have the same length.
 */
export function fromRows(rows: ReadonlyArray<ArrayLike<number>>): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const row = rows[i];
    if (row.length !== c) throw new ShapeError('fromRows', `rows[${i}]`, [c], [row.length], 'all rows must have the same length');
    for (let j = 0; j < c; j++) out[i * c + j] = row[j];
  }
  return { rows: r, cols: c, data: out };
}

/** Nested-array copy of a matrix, handy in tests and JSON. */
export function toRows(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** The `n × n` identity. */
export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** A deep copy. */
export function cloneMatrix(a: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/** `Aᵀ`. Copied in 32 × 32 tiles, so both the reads and the strided writes stay within a few cache lines. */
export function transpose(a: Matrix): Matrix {
  return { rows: a.cols, cols: a.rows, data: transposeData(a.data, a.rows, a.cols) };
}

/** Row-major `cols × rows` transpose of a row-major `rows × cols` array, tiled. */
function transposeData(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const o = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[o + j];
      }
    }
  }
  return out;
}

/**
 * Dense product `op(A) · op(B)` where `op` optionally transposes. Shapes: `op(A)` is `n × k`, `op(B)` is `k × m`,
 * the result `n × m`.
 *
 * @example
 * ```ts
 * const c = matmulF64(a, b);                       // A·B
 * const g = matmulF64(a, a, { transposeA: true }); // AᵀA (prefer gram(a), which exploits symmetry)
 * ```
 */
export function matmulF64(a: Matrix, b: Matrix, options: { transposeA?: boolean; transposeB?: boolean } = {}): Matrix {
  const ta = options.transposeA ?? false;
  const tb = options.transposeB ?? false;
  const n = ta ? a.cols : a.rows;
  const k = ta ? a.rows : a.cols;
  const kb = tb ? b.cols : b.rows;
  const m = tb ? b.rows : b.cols;
  if (k !== kb) {
    throw new ShapeError('matmulF64', 'b', tb ? [null, k] : [k, null], [b.rows, b.cols], `inner dimension must match op(A)'s ${k} columns`);
  }
  // Every case runs as a dot-product kernel on rows that are contiguous in memory: C = A·Bᵀ with both operands
  // row-major, after one tiled transposed copy of whichever operand is stored the other way (O(n·k + k·m) copies
  // against 2·n·k·m flops). Four rows of A × two rows of Bᵀ per pass — eight independent accumulators, six loads per
  // eight multiply-adds — at about twice the speed of the strided i-p-j loop on large operands (AᵀB of 5000 × 257
  // matrices read a column of B per output before). Each output is still one sequential sum over the shared
  // dimension, so results are bitwise those of the textbook loop.
  if (n < 4 && !tb) {
    // A few rows: the transposed copy of B would cost as much as the product.
    return { rows: n, cols: m, data: kernelNN(ta ? transposeData(a.data, a.rows, a.cols) : a.data, b.data, n, k, m) };
  }
  const A = ta ? transposeData(a.data, a.rows, a.cols) : a.data;
  const Bt = tb ? b.data : transposeData(b.data, b.rows, b.cols);
  return { rows: n, cols: m, data: kernelNT(A, Bt, n, k, m) };
}

/** `C = A·B` for row-major `A: n × k`, `B: k × m`, one output at a time (for very few rows). */
function kernelNN(A: Float64Array, B: Float64Array, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const ao = i * k;
    for (let j = 0; j < m; j++) {
      let s0 = 0;
      for (let p = 0; p < k; p++) s0 += A[ao + p] * B[p * m + j];
      out[i * m + j] = s0;
    }
  }
  return out;
}

/**
 * `C = A·Bᵀ` for row-major `A: n × k`, `B: m × k`: 4 × 2 output blocks, each a sequential dot product over `k`.
 * Rows of B are taken in panels of {@link NT_PANEL} so the panel stays in cache while every block of four A rows
 * streams past it.
 */
function kernelNT(A: Float64Array, B: Float64Array, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  const panel = Math.max(2, Math.floor(NT_PANEL_DOUBLES / Math.max(k, 1)) & ~1);
  for (let j0 = 0; j0 < m; j0 += panel) {
    const j1 = Math.min(m, j0 + panel);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const a0 = i * k;
      const a1 = a0 + k;
      const a2 = a1 + k;
      const a3 = a2 + k;
      let j = j0;
      for (; j + 1 < j1; j += 2) {
        const b0 = j * k;
        const b1 = b0 + k;
        let c00 = 0;
        let c01 = 0;
        let c10 = 0;
        let c11 = 0;
        let c20 = 0;
        let c21 = 0;
        let c30 = 0;
        let c31 = 0;
        for (let p = 0; p < k; p++) {
          const y0 = B[b0 + p];
          const y1 = B[b1 + p];
          const x0 = A[a0 + p];
          const x1 = A[a1 + p];
          const x2 = A[a2 + p];
          const x3 = A[a3 + p];
          c00 += x0 * y0;
          c01 += x0 * y1;
          c10 += x1 * y0;
          c11 += x1 * y1;
          c20 += x2 * y0;
          c21 += x2 * y1;
          c30 += x3 * y0;
          c31 += x3 * y1;
        }
        const o = i * m + j;
        out[o] = c00;
        out[o + 1] = c01;
        out[o + m] = c10;
        out[o + m + 1] = c11;
        out[o + 2 * m] = c20;
        out[o + 2 * m + 1] = c21;
        out[o + 3 * m] = c30;
        out[o + 3 * m + 1] = c31;
      }
      for (; j < j1; j++) {
        const b0 = j * k;
        let c0 = 0;
        let c1 = 0;
        let c2 = 0;
        let c3 = 0;
        for (let p = 0; p < k; p++) {
          const y = B[b0 + p];
          c0 += A[a0 + p] * y;
          c1 += A[a1 + p] * y;
          c2 += A[a2 + p] * y;
          c3 += A[a3 + p] * y;
        }
        out[i * m + j] = c0;
        out[(i + 1) * m + j] = c1;
        out[(i + 2) * m + j] = c2;
        out[(i + 3) * m + j] = c3;
      }
    }
    for (; i < n; i++) {
      const a0 = i * k;
      for (let j = j0; j < j1; j++) {
        const b0 = j * k;
        let c0 = 0;
        for (let p = 0; p < k; p++) c0 += A[a0 + p] * B[b0 + p];
        out[i * m + j] = c0;
      }
    }
  }
  return out;
}

/** Doubles of B per panel in {@link kernelNT}: 256 KiB, half a typical L2 cache. */
const NT_PANEL_DOUBLES = 32768;

/**
 * The Gram matrix `AᵀA` (`f × f` for `A: n × f`), computed on the upper triangle and mirrored. `shift` is added to
 * the diagonal, giving the ridge matrix `AᵀA + λI` in one pass.
 *
 * Works on a column-major copy of A, so every entry is a dot product of two contiguous columns, four columns × two
 * columns per pass (about twice as fast as row-wise rank-4 updates once A outgrows the cache). Each entry is summed
 * over rows in groups of four, `((a₀b₀ + a₁b₁) + a₂b₂) + a₃b₃`, exactly as the row-wise version did, so results are
 * bitwise unchanged.
 */
export function gram(a: Matrix, shift = 0): Matrix {
  const { rows: n, cols: f } = a;
  const C = transposeData(a.data, n, f); // column j of A at C[j·n …]
  const g = new Float64Array(f * f);
  const n4 = n - (n % 4);
  let i = 0;
  for (; i + 3 < f; i += 4) {
    const x0 = i * n;
    const x1 = x0 + n;
    const x2 = x1 + n;
    const x3 = x2 + n;
    // Columns j ≥ i, two at a time; the few entries below the diagonal inside the 4 × 4 block are overwritten by
    // the mirror below.
    let j = i;
    for (; j + 1 < f; j += 2) {
      const y0 = j * n;
      const y1 = y0 + n;
      let c00 = 0;
      let c01 = 0;
      let c10 = 0;
      let c11 = 0;
      let c20 = 0;
      let c21 = 0;
      let c30 = 0;
      let c31 = 0;
      let r = 0;
      for (; r < n4; r += 4) {
        const p0 = C[y0 + r];
        const p1 = C[y0 + r + 1];
        const p2 = C[y0 + r + 2];
        const p3 = C[y0 + r + 3];
        const q0 = C[y1 + r];
        const q1 = C[y1 + r + 1];
        const q2 = C[y1 + r + 2];
        const q3 = C[y1 + r + 3];
        let u0 = C[x0 + r];
        let u1 = C[x0 + r + 1];
        let u2 = C[x0 + r + 2];
        let u3 = C[x0 + r + 3];
        c00 += u0 * p0 + u1 * p1 + u2 * p2 + u3 * p3;
        c01 += u0 * q0 + u1 * q1 + u2 * q2 + u3 * q3;
        u0 = C[x1 + r];
        u1 = C[x1 + r + 1];
        u2 = C[x1 + r + 2];
        u3 = C[x1 + r + 3];
        c10 += u0 * p0 + u1 * p1 + u2 * p2 + u3 * p3;
        c11 += u0 * q0 + u1 * q1 + u2 * q2 + u3 * q3;
        u0 = C[x2 + r];
        u1 = C[x2 + r + 1];
        u2 = C[x2 + r + 2];
        u3 = C[x2 + r + 3];
        c20 += u0 * p0 + u1 * p1 + u2 * p2 + u3 * p3;
        c21 += u0 * q0 + u1 * q1 + u2 * q2 + u3 * q3;
        u0 = C[x3 + r];
        u1 = C[x3 + r + 1];
        u2 = C[x3 + r + 2];
        u3 = C[x3 + r + 3];
        c30 += u0 * p0 + u1 * p1 + u2 * p2 + u3 * p3;
        c31 += u0 * q0 + u1 * q1 + u2 * q2 + u3 * q3;
      }
      for (; r < n; r++) {
        const p0 = C[y0 + r];
        const q0 = C[y1 + r];
        c00 += C[x0 + r] * p0;
        c01 += C[x0 + r] * q0;
        c10 += C[x1 + r] * p0;
        c11 += C[x1 + r] * q0;
        c20 += C[x2 + r] * p0;
        c21 += C[x2 + r] * q0;
        c30 += C[x3 + r] * p0;
        c31 += C[x3 + r] * q0;
      }
      const o = i * f + j;
      g[o] = c00;
      g[o + 1] = c01;
      g[o + f] = c10;
      g[o + f + 1] = c11;
      g[o + 2 * f] = c20;
      g[o + 2 * f + 1] = c21;
      g[o + 3 * f] = c30;
      g[o + 3 * f + 1] = c31;
    }
    for (; j < f; j++) for (let t = 0; t < 4; t++) g[(i + t) * f + j] = gramEntry(C, (i + t) * n, j * n, n, n4);
  }
  for (; i < f; i++) for (let j = i; j < f; j++) g[i * f + j] = gramEntry(C, i * n, j * n, n, n4);
  for (let d = 0; d < f; d++) {
    g[d * f + d] += shift;
    for (let j = d + 1; j < f; j++) g[j * f + d] = g[d * f + j];
  }
  return { rows: f, cols: f, data: g };
}

/** One Gram entry: the dot product of two contiguous columns, grouped by four rows like {@link gram}'s blocks. */
function gramEntry(C: Float64Array, x: number, y: number, n: number, n4: number): number {
  let s = 0;
  let r = 0;
  for (; r < n4; r += 4) s += C[x + r] * C[y + r] + C[x + r + 1] * C[y + r + 1] + C[x + r + 2] * C[y + r + 2] + C[x + r + 3] * C[y + r + 3];
  for (; r < n; r++) s += C[x + r] * C[y + r];
  return s;
}

/**
 * The outer Gram matrix `AAᵀ` (`n × n` for `A: n × f`) plus `shift` on the diagonal: the dual (kernel) form of the
 * ridge system. Row dot products are unrolled four ways.
 */
export function outerGram(a: Matrix, shift = 0): Matrix {
  const { rows: n, cols: f, data: A } = a;
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * f;
    for (let j = i; j < n; j++) {
      const oj = j * f;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p + 3 < f; p += 4) {
        s0 += A[oi + p] * A[oj + p];
        s1 += A[oi + p + 1] * A[oj + p + 1];
        s2 += A[oi + p + 2] * A[oj + p + 2];
        s3 += A[oi + p + 3] * A[oj + p + 3];
      }
      for (; p < f; p++) s0 += A[oi + p] * A[oj + p];
      const s = s0 + s1 + s2 + s3;
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
    g[i * n + i] += shift;
  }
  return { rows: n, cols: n, data: g };
}

/** Elementwise `A + s·B` (same shapes). */
export function addScaled(a: Matrix, b: Matrix, s = 1): Matrix {
  assertSameShape('addScaled', a, b);
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + s * b.data[i];
  return { rows: a.rows, cols: a.cols, data: out };
}

/** `s·A`. */
export function scale(a: Matrix, s: number): Matrix {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = s * a.data[i];
  return { rows: a.rows, cols: a.cols, data: out };
}

/** Frobenius norm `‖A‖_F`, computed with scaling so huge or tiny entries do not overflow or underflow. */
export function frobeniusNorm(a: Matrix): number {
  let scaleV = 0;
  let ssq = 1;
  for (const v of a.data) {
    if (v === 0) continue;
    const x = Math.abs(v);
    if (scaleV < x) {
      ssq = 1 + ssq * (scaleV / x) ** 2;
      scaleV = x;
    } else {
      ssq += (x / scaleV) ** 2;
    }
  }
  return scaleV * Math.sqrt(ssq);
}

/** `max |A_ij − B_ij|`. */
export function maxAbsDiff(a: Matrix, b: Matrix): number {
  assertSameShape('maxAbsDiff', a, b);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/**
 * Validates that `value` is a well-formed {@link Matrix} of float64 values: a `Float64Array` of `rows·cols` finite
 * numbers. Used by every public kernel; throws {@link ShapeError} or {@link NonFiniteError} naming `argument`.
 */
export function checkMatrix(fn: string, argument: string, value: Matrix, options: { finite?: boolean } = {}): void {
  if (value === null || typeof value !== 'object' || !(value.data instanceof Float64Array)) {
    throw new InvalidArgumentError(fn, argument, 'must be a Matrix {rows, cols, data: Float64Array}', value);
  }
  if (!Number.isInteger(value.rows) || !Number.isInteger(value.cols) || value.rows < 0 || value.cols < 0) {
    throw new InvalidArgumentError(fn, argument, 'must have non-negative integer rows and cols', `${value.rows} × ${value.cols}`);
  }
  if (value.data.length !== value.rows * value.cols) {
    throw new ShapeError(fn, argument, [value.rows * value.cols], [value.data.length], `data length of a ${value.rows} × ${value.cols} matrix`);
  }
  if (options.finite ?? true) {
    const d = value.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v - v !== 0) throw new NonFiniteError(fn, argument, i, v, [value.rows, value.cols]);
    }
  }
}

/** Throws unless `a` is square. */
export function checkSquare(fn: string, argument: string, a: Matrix): void {
  if (a.rows !== a.cols) throw new ShapeError(fn, argument, ['n', 'n'], [a.rows, a.cols], 'a square matrix is required');
}

function assertSameShape(fn: string, a: Matrix, b: Matrix): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new ShapeError(fn, 'b', [a.rows, a.cols], [b.rows, b.cols]);
}
