#!/usr/bin/env node
/**
 * Writes `packages/core-linalg/src/wasm-gemm.wat`, the float32 matrix product that `wasm-gemm.ts` embeds, and prints
 * the module as base64 for `GEMM_WASM` when wabt is at hand:
 *
 *   node scripts/wasm-gemm-wat.mjs && npx -y -p wabt@1.0.39 wat2wasm --enable-simd \
 *     packages/core-linalg/src/wasm-gemm.wat -o /tmp/gemm.wasm && base64 -w0 /tmp/gemm.wasm
 *
 * `gemm(a, b, c, bias, M, K, N, rowStepA, kStepA)` computes `C[M, N] = bias + A·B` over byte offsets into the
 * imported memory: `B` is row-major `[K, N]`, `C` row-major `[M, N]`, and `A[i, k]` lies at
 * `a + i·rowStepA + k·kStepA` (row-major `[M, K]`: `4K, 4`; stored transposed, `[K, M]`: `4, 4M`). `bias` is the
 * byte offset of `N` floats added first, or 0 for none. Every output is one sum in ascending `k`, a multiply then an
 * add per term, each rounded to float32 — the order of XNNPACK's wasm SIMD kernels — computed in register blocks
 * of 4 rows × 8 columns (then 4, then 1 column; then single rows) that read `A` and `B` in place, with no packing.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROWS = 4;
const VECTORS = 2;

/** A kernel of `rows` × `4·vectors` outputs (`vectors = 0`: one scalar column). */
function kernel(rows, vectors) {
  const simd = vectors > 0;
  const lanes = Math.max(1, vectors);
  const type = simd ? 'v128' : 'f32';
  const lines = [
    `(func $k${rows}x${simd ? vectors * 4 : 1} (param $a i32) (param $b i32) (param $c i32) (param $bias i32) (param $k i32) (param $sa i32) (param $ka i32) (param $sb i32) (param $sc i32)`,
  ];
  for (let r = 0; r < rows; r++) for (let v = 0; v < lanes; v++) lines.push(`  (local $c${r}_${v} ${type})`);
  for (let v = 0; v < lanes; v++) lines.push(`  (local $b${v} ${type})`);
  lines.push(`  (local $x ${type})`);
  // The accumulators start at the bias (one value per column) or at +0.
  for (let v = 0; v < lanes; v++) {
    lines.push(
      simd
        ? `  (local.set $b${v} (if (result v128) (local.get $bias) (then (v128.load offset=${v * 16} align=4 (local.get $bias))) (else (v128.const i32x4 0 0 0 0))))`
        : '  (local.set $b0 (if (result f32) (local.get $bias) (then (f32.load (local.get $bias))) (else (f32.const 0))))',
    );
    for (let r = 0; r < rows; r++) lines.push(`  (local.set $c${r}_${v} (local.get $b${v}))`);
  }
  lines.push('  (block $done (loop $next', '    (br_if $done (i32.eqz (local.get $k)))');
  for (let v = 0; v < lanes; v++) {
    lines.push(simd ? `    (local.set $b${v} (v128.load offset=${v * 16} align=4 (local.get $b)))` : '    (local.set $b0 (f32.load (local.get $b)))');
  }
  for (let r = 0; r < rows; r++) {
    const at = r === 0 ? '(local.get $a)' : `(i32.add (local.get $a) (i32.mul (local.get $sa) (i32.const ${r})))`;
    lines.push(simd ? `    (local.set $x (f32x4.splat (f32.load ${at})))` : `    (local.set $x (f32.load ${at}))`);
    for (let v = 0; v < lanes; v++) {
      const c = `$c${r}_${v}`;
      lines.push(
        simd
          ? `    (local.set ${c} (f32x4.add (local.get ${c}) (f32x4.mul (local.get $x) (local.get $b${v}))))`
          : `    (local.set ${c} (f32.add (local.get ${c}) (f32.mul (local.get $x) (local.get $b0))))`,
      );
    }
  }
  lines.push(
    '    (local.set $a (i32.add (local.get $a) (local.get $ka)))',
    '    (local.set $b (i32.add (local.get $b) (local.get $sb)))',
    '    (local.set $k (i32.sub (local.get $k) (i32.const 1)))',
    '    (br $next)))',
  );
  for (let r = 0; r < rows; r++) {
    const at = r === 0 ? '(local.get $c)' : `(i32.add (local.get $c) (i32.mul (local.get $sc) (i32.const ${r})))`;
    for (let v = 0; v < lanes; v++) {
      lines.push(simd ? `  (v128.store offset=${v * 16} align=4 ${at} (local.get $c${r}_${v}))` : `  (f32.store ${at} (local.get $c${r}_0))`);
    }
  }
  lines.push(')');
  return lines.join('\n');
}

/** Column panels `width` wide, left to right while they fit; within each, blocks of `ROWS` rows, then single rows. */
function panels(width) {
  const call = (rows) =>
    `(call $k${rows}x${width} (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) ` +
    `(i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $sc))) (i32.shl (local.get $j) (i32.const 2))) ` +
    '(if (result i32) (local.get $bias) (then (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))) (else (i32.const 0))) ' +
    '(local.get $K) (local.get $sa) (local.get $ka) (local.get $sc) (local.get $sc))';
  return [
    `  (block $panels${width} (loop $panel${width}`,
    `    (br_if $panels${width} (i32.gt_u (i32.add (local.get $j) (i32.const ${width})) (local.get $N)))`,
    '    (local.set $i (i32.const 0))',
    `    (block $blocks${width} (loop $block${width}`,
    `      (br_if $blocks${width} (i32.gt_u (i32.add (local.get $i) (i32.const ${ROWS})) (local.get $M)))`,
    `      ${call(ROWS)}`,
    `      (local.set $i (i32.add (local.get $i) (i32.const ${ROWS})))`,
    `      (br $block${width})))`,
    `    (block $rows${width} (loop $row${width}`,
    `      (br_if $rows${width} (i32.ge_u (local.get $i) (local.get $M)))`,
    `      ${call(1)}`,
    '      (local.set $i (i32.add (local.get $i) (i32.const 1)))',
    `      (br $row${width})))`,
    `    (local.set $j (i32.add (local.get $j) (i32.const ${width})))`,
    `    (br $panel${width})))`,
  ].join('\n');
}

const shapes = [
  [ROWS, VECTORS],
  [1, VECTORS],
  [ROWS, 1],
  [1, 1],
  [ROWS, 0],
  [1, 0],
];
const wat = [
  ';; Generated by scripts/wasm-gemm-wat.mjs: C[M, N] = bias + A·B in float32 (see that script).',
  '(module',
  '(import "env" "memory" (memory 1))',
  ...shapes.map(([r, v]) => kernel(r, v)),
  '(func (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $bias i32) (param $M i32) (param $K i32) (param $N i32) (param $sa i32) (param $ka i32)',
  '  (local $i i32) (local $j i32) (local $sc i32)',
  '  (local.set $sc (i32.shl (local.get $N) (i32.const 2)))',
  panels(4 * VECTORS),
  panels(4),
  panels(1),
  ')',
  ')',
  '',
].join('\n');
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core-linalg', 'src', 'wasm-gemm.wat');
writeFileSync(out, wat);
console.log(`wrote ${out}`);
