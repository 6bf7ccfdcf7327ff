import { Tape, createRng, gram, matmulF64, ridgeSolveF64 } from '@beyond-backprop/core-linalg';
const rng = createRng(1);
const A = { rows: 5200, cols: 7, data: Float64Array.from({ length: 5200 * 7 }, () => rng.normal()) };
const T = { rows: 5200, cols: 5, data: Float64Array.from({ length: 5200 * 5 }, () => rng.normal()) };
function time(name: string, fn: () => unknown, reps = 200) { for (let i = 0; i < 50; i++) fn(); const t = performance.now(); for (let i = 0; i < reps; i++) fn(); console.log(name, ((performance.now() - t) / reps).toFixed(3), 'ms'); }
time('gram 5200x7', () => gram(A, 0.1));
time('AtT', () => matmulF64(A, T, { transposeA: true }));
time('AW', () => matmulF64(A, { rows: 7, cols: 5, data: new Float64Array(35).fill(0.1) }));
time('ridgeSolveF64', () => ridgeSolveF64(A, T, 0.1));
time('tape ridgeProject', () => { const t = new Tape(); t.ridgeProject(t.variable(A), t.variable(T), 0.1); });
time('tape ridgeProject+grad', () => { const t = new Tape(); const a = t.variable(A), b = t.variable(T); const r = t.ridgeProject(a, b, 0.1); t.gradients(t.sum(r.s), [a, b]); });
