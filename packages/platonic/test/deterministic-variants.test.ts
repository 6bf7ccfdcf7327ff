import { describe, expect, it } from 'vitest';
import { createRng, matmulF64, type Matrix } from '@beyond-backprop/core-linalg';
import {
  fitPlatonic,
  fullyDeterministicConfig,
  platonicPCAProjection,
  roundHalfEven,
  sortedPCASelection,
  sortedPCAWeights,
  stableArgsort,
  type PlatonicConfig,
} from '../src/index.js';
import { signFixColumns } from '../src/principal-components.js';
import { accuracy, blobs, relErr, spirals, withOnes } from './problems.js';

function oneHot(labels: Int32Array, k: number): Matrix {
  const d = new Float64Array(labels.length * k);
  labels.forEach((l, i) => (d[i * k + l] = 1));
  return { rows: labels.length, cols: k, data: d };
}

function standardised(x: Matrix): Matrix {
  const { rows: m, cols: n } = x;
  const out = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    let mu = 0;
    for (let i = 0; i < m; i++) mu += x.data[i * n + j];
    mu /= m;
    let v = 0;
    for (let i = 0; i < m; i++) v += (x.data[i * n + j] - mu) ** 2;
    const sd = Math.sqrt(v / m) || 1;
    for (let i = 0; i < m; i++) out[i * n + j] = (x.data[i * n + j] - mu) / sd;
  }
  return { rows: m, cols: n, data: out };
}

describe('Sorted PCA (§7.8.2, Fig. 7.14)', () => {
  const { x } = blobs(40, 3, 5, 2);

  it('picks h distinct rows evenly along the first principal component, starting at its minimum', () => {
    const { indices, projections, repeated } = sortedPCASelection(x, 30);
    expect(indices).toHaveLength(30);
    expect(new Set(indices).size).toBe(30);
    expect(repeated).toBe(false);
    for (let j = 1; j < 30; j++) expect(projections[indices[j]]).toBeGreaterThanOrEqual(projections[indices[j - 1]]);
    const argmin = projections.indexOf(Math.min(...projections));
    expect(indices[0]).toBe(argmin);
    // Positions j·m/h = j·4 for m = 120, h = 30.
    const order = stableArgsort(projections);
    expect(Array.from(indices)).toEqual(Array.from({ length: 30 }, (_, j) => order[4 * j]));
  });

  it('rounds the listing’s positions with ties to even, like torch.round (m = 60000, h = 3136, j = 147)', () => {
    expect((147 * 60000) / 3136).toBe(2812.5);
    expect(roundHalfEven((147 * 60000) / 3136)).toBe(2812);
    expect(Math.round(2812.5)).toBe(2813);
    expect([0.5, 1.5, 2.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, -2, 2, 3]);
    expect(Array.from(stableArgsort([3, 1, 3, 0, 1]))).toEqual([3, 1, 4, 0, 2]);
  });

  it('selects the same set of rows when the examples are permuted', () => {
    const perm = createRng(4).permutation(x.rows);
    const permuted = { rows: x.rows, cols: x.cols, data: new Float64Array(x.data.length) };
    perm.forEach((src, dst) => permuted.data.set(x.data.subarray(src * x.cols, (src + 1) * x.cols), dst * x.cols));
    const original = new Set(sortedPCASelection(x, 25).indices);
    const after = new Set(Array.from(sortedPCASelection(permuted, 25).indices, (i) => perm[i]));
    expect(after).toEqual(original);
  });

  it('fixes eigenvector signs so that a flipped component gives the same result', () => {
    const a = { rows: 3, cols: 2, data: Float64Array.from([0.6, -0.1, -0.8, 0.2, 0, -0.9]) };
    const b = { ...a, data: a.data.map((v) => -v) };
    signFixColumns(a);
    signFixColumns(b);
    expect(b.data).toEqual(a.data);
    expect(a.data[2]).toBeCloseTo(0.8, 15); // column 0: largest magnitude −0.8 made positive
    expect(a.data[5]).toBeCloseTo(0.9, 15);
  });

  it('uses input rows as unscaled weight vectors with zero biases', () => {
    const w = sortedPCAWeights(x, 7);
    const { indices } = sortedPCASelection(x, 7);
    expect([w.rows, w.cols]).toEqual([6, 7]);
    for (let j = 0; j < 7; j++) {
      expect(w.data[j]).toBe(0);
      for (let i = 0; i < 5; i++) expect(w.data[(i + 1) * 7 + j]).toBe(x.data[indices[j] * 5 + i]);
    }
  });

  it('with source XY and a large β, orders by class first and picks the classes in proportion', () => {
    const two = blobs(50, 2, 4, 7, 4);
    const y = { rows: 100, cols: 1, data: Float64Array.from(two.labels, (l) => (l ? 1 : -1)) };
    const { indices } = sortedPCASelection(two.x, 20, { source: 'XY', y, beta: 1e4 });
    const counts = [0, 0];
    for (const i of indices) counts[two.labels[i]]++;
    expect(counts).toEqual([10, 10]);
    // The first half of the sorted order is one class, the second half the other.
    expect(new Set(Array.from(indices.slice(0, 10), (i) => two.labels[i]))).toHaveProperty('size', 1);
  });
});

describe('Platonic PCA (§7.8.1)', () => {
  const { x, labels } = blobs(60, 3, 4, 3);
  const zb = withOnes(x);
  const y = oneHot(labels, 3);

  it('returns orthonormal sign-fixed components and refuses more than p + k of them', () => {
    const { projection, eigenvalues } = platonicPCAProjection(zb, y, 8, { beta: 2 });
    expect([projection.rows, projection.cols]).toEqual([8, 8]);
    const gram = matmulF64(projection, projection, { transposeA: true });
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(gram.data[i * 8 + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    for (let i = 1; i < eigenvalues.length; i++) expect(eigenvalues[i]).toBeLessThanOrEqual(eigenvalues[i - 1]);
    expect(() => platonicPCAProjection(zb, y, 9)).toThrow(/must be ≤ p \+ k = 5 \+ 3 = 8/);
  });

  it('pulls the leading k − 1 components into the label block when β is large', () => {
    const { projection } = platonicPCAProjection(zb, y, 2, { beta: 1e4 });
    for (let c = 0; c < 2; c++) {
      let inY = 0;
      for (let r = 5; r < 8; r++) inY += projection.data[r * 2 + c] ** 2;
      expect(inY).toBeGreaterThan(1 - 1e-6);
    }
  });

  it('warns when a layer asks for more components than the numerical rank', async () => {
    // Centred [1 | X | βY]: the bias column has no variance and centred one-hot Y has rank k − 1, so rank ≤ n + k − 1.
    const model = await fitPlatonic(x, labels, { hiddenWidths: [8], activation: 'relu', projection: { kind: 'platonicPCA' } });
    expect(model.diagnostics.warnings.join()).toMatch(/asks for 8 components but .* numerical rank 6/);
    await expect(fitPlatonic(x, labels, { hiddenWidths: [9], projection: { kind: 'platonicPCA' } })).rejects.toThrow(
      /hiddenWidths\[0\]' must have shape \[≤ 8\], got \[9\]/,
    );
  });
});

describe('determinism of the PCA variants (§7.8)', () => {
  const { x, labels } = spirals(300, 12);
  const variants: Record<string, PlatonicConfig> = {
    'Platonic PCA': { hiddenWidths: [4, 6], activation: 'tanh', beta: 10, projection: { kind: 'platonicPCA' } },
    'Sorted PCA + ridge': {
      hiddenWidths: [40],
      activation: 'tanh',
      firstLayer: { kind: 'sortedPCA' },
      standardize: 'per-feature',
      solver: { kind: 'ridge', lambda: 1e-6 },
    },
    'fully deterministic, re-weighted': fullyDeterministicConfig([40, 30, 30], { activation: 'tanh', beta: 1e4, lambda: 1e-6, lambdaEma: 0.2 }),
    'fully deterministic, XY source, weighted targets': {
      ...fullyDeterministicConfig([30, 20], { activation: 'relu', beta: 100, sortedSource: 'XY', solver: { kind: 'pinv' } }),
      projection: { kind: 'platonicPCA', reweight: { lambdaEma: 0.02, weightTargets: true } },
    },
  };
  for (const [name, config] of Object.entries(variants)) {
    it(`${name}: bit-identical weights on every run, whatever the seed`, async () => {
      const runs = await Promise.all([0, 0, 1, 98765].map((seed) => fitPlatonic(x, labels, config, { seed })));
      const reference = runs[0];
      for (const run of runs.slice(1)) {
        expect(run.weights.map((w) => w.data)).toEqual(reference.weights.map((w) => w.data));
        expect(run.readout.data).toEqual(reference.readout.data);
      }
    });
  }

  it('the random variants do depend on the seed', async () => {
    for (const firstLayer of [{ kind: 'gaussian' as const }, { kind: 'randomW' as const }]) {
      const cfg: PlatonicConfig = { hiddenWidths: [10], firstLayer };
      const a = await fitPlatonic(x, labels, cfg, { seed: 0 });
      const b = await fitPlatonic(x, labels, cfg, { seed: 1 });
      expect(b.weights[0].data).not.toEqual(a.weights[0].data);
    }
  });

  it('the fully deterministic pipeline fits the spirals', async () => {
    const model = await fitPlatonic(x, labels, fullyDeterministicConfig([64], { activation: 'tanh', solver: { kind: 'pinv' } }));
    expect(accuracy(model.predictClasses(x), labels)).toBeGreaterThan(0.97);
  });
});

describe('re-weighted samples (§7.9.3)', () => {
  const { x, labels } = blobs(50, 3, 6, 5, 3);
  const base = fullyDeterministicConfig([30, 12], { activation: 'relu', beta: 1e3, lambda: 1e-3, lambdaEma: null });

  it('with λ_EMA = 1 equals the unweighted pipeline', async () => {
    const plain = await fitPlatonic(x, labels, base);
    const weighted = await fitPlatonic(x, labels, { ...base, projection: { kind: 'platonicPCA', reweight: { lambdaEma: 1 } } });
    expect(weighted.weights.map((w) => w.data)).toEqual(plain.weights.map((w) => w.data));
    expect(Array.from(weighted.diagnostics.rowWeights!)).toEqual(Array.from({ length: 150 }, () => 1));
  });

  it('updates r_j = λ_EMA·r_j + (1 − λ_EMA)·‖y_j − ŷ_j‖² after a layer, and changes the next projection', async () => {
    const lambdaEma = 0.2;
    const oneLayer = await fitPlatonic(x, labels, { ...base, hiddenWidths: [30], projection: { kind: 'platonicPCA', reweight: { lambdaEma } } });
    const yhat = oneLayer.predictMatrix(x);
    const r = oneLayer.diagnostics.rowWeights!;
    for (let j = 0; j < 150; j++) {
      let e = 0;
      for (let c = 0; c < 3; c++) e += ((labels[j] === c ? 1 : 0) - yhat.data[j * 3 + c]) ** 2;
      expect(r[j]).toBeCloseTo(lambdaEma + (1 - lambdaEma) * e, 10);
      expect(r[j]).toBeGreaterThanOrEqual(0);
    }
    const plain = await fitPlatonic(x, labels, base);
    const weighted = await fitPlatonic(x, labels, { ...base, projection: { kind: 'platonicPCA', reweight: { lambdaEma } } });
    expect(weighted.weights[0].data).toEqual(plain.weights[0].data);
    expect(weighted.weights[1].data).not.toEqual(plain.weights[1].data);
  });
});

describe('input standardisation', () => {
  it('is folded into W₁: the network on raw inputs equals the one fitted on standardised inputs', async () => {
    const { x, labels } = blobs(40, 2, 3, 9, 2);
    const shifted = { ...x, data: x.data.map((v, i) => (i % 3 === 0 ? 100 + 7 * v : v)) };
    const cfg: PlatonicConfig = { hiddenWidths: [16], activation: 'relu', firstLayer: { kind: 'sortedPCA' }, solver: { kind: 'ridge', lambda: 1e-4 } };
    const folded = await fitPlatonic(shifted, labels, { ...cfg, standardize: 'per-feature' });
    const manual = await fitPlatonic(standardised(shifted), labels, cfg);
    expect(relErr(folded.predictMatrix(shifted), manual.predictMatrix(standardised(shifted)))).toBeLessThan(1e-9);
  });
});
