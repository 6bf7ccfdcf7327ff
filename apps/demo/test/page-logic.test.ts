import { describe, expect, it } from 'vitest';
import { MAX_CSV_ROWS, parsePointsCsv } from '../src/csv-points.js';
import { DEFAULT_STATE, formatHash, parseHash } from '../src/hash-state.js';
import { surfaceBounds, surfaceFromScores, surfaceGrid } from '../src/surface-grid.js';
import { formatWire } from '../src/wire-meter.js';

const METHODS = ['backprop', 'target-space', 'platonic', 'rec-lra'];

describe('the URL hash', () => {
  it('reads every contract key', () => {
    const { state, errors } = parseHash(
      '#dataset=two-moons&methodA=rec-lra&methodB=platonic&epochs=40&seed=7&hidden=8,4&lr=0.05&backend=wasm&autorun=1',
      METHODS,
    );
    expect(errors).toEqual([]);
    expect(state).toMatchObject({
      dataset: 'two-moons',
      methods: ['rec-lra', 'platonic'],
      epochs: 40,
      seed: 7,
      hidden: [8, 4],
      lr: 0.05,
      backend: 'wasm',
      autorun: true,
    });
    expect(parseHash('method=platonic', METHODS).state.methods).toEqual(['platonic']);
  });

  it('round-trips a state through formatHash', () => {
    const state = {
      ...DEFAULT_STATE,
      dataset: 'blobs' as const,
      methods: ['backprop'],
      epochs: 12,
      hidden: [3],
      activation: 'relu' as const,
      optimizer: 'sgd' as const,
      noise: 0.1,
      realisation: 50,
      points: [[0.25, -1.5, 2] as const],
    };
    const hash = formatHash(state);
    expect(hash).toContain('points=0.25:-1.5:2');
    expect(parseHash(hash, METHODS)).toEqual({ state, errors: [] });
  });

  it('names each invalid value and keeps the default for it', () => {
    const { state, errors } = parseHash('epochs=-5&methodA=nope&hidden=5,x&lr=0&backend=tpu&dataset=mnist&autorun=yes&colour=red', METHODS);
    expect(errors).toEqual([
      "unknown setting 'colour' (known: dataset, method, methodA, methodB, epochs, seed, hidden, activation, lr, optimizer, noise, realisation, backend, autorun, points, workers, codec)",
      "dataset must be one of two-spirals, two-moons, xor, checkerboard, blobs, sinusoid-boundary, got 'mnist'",
      "unknown method 'nope': must be one of backprop, target-space, platonic, rec-lra",
      "epochs must be a whole number from 1 to 100000, got '-5'",
      "hidden must be 1 to 8 comma-separated widths, each a whole number from 1 to 512, got '5,x'",
      "lr must be a number > 0 and ≤ 100, got '0'",
      "backend must be one of auto, webgpu, webgl, wasm, cpu, got 'tpu'",
      "autorun must be 1 or 0, got 'yes'",
    ]);
    expect(state).toEqual({ ...DEFAULT_STATE, points: [] });
  });
});

describe('CSV uploads', () => {
  it('reads x,y,label rows with or without a header', () => {
    const result = parsePointsCsv('x,y,label\n0.5,-1,0\n\n2;3;1\n');
    expect(result).toEqual({ ok: true, points: { x: new Float32Array([0.5, -1, 2, 3]), y: new Int32Array([0, 1]), numClasses: 2 } });
    expect(parsePointsCsv('1\t2\t0\n3\t4\t2').ok).toBe(true);
  });

  it.each([
    ['', /no points/],
    ['x,y,label\n', /no points/],
    ['1,2\n', /line 1 has 2 columns; expected 3/],
    ['1,2,0,5\n', /line 1 has 4 columns/],
    ['1,2,0\nNaN,1,1\n', /line 2: x 'NaN' is not a finite number/],
    ['1,2,0\n1,Infinity,1\n', /line 2: y 'Infinity' is not a finite number/],
    ['1,2,0\n1,2,0.5\n', /line 2: label '0.5' must be a whole number from 0 to 9/],
    ['1,2,1\n3,4,1\n', /every point has label 1; a classifier needs at least two classes/],
  ])('rejects %j with a message that says what is wrong', (text, pattern) => {
    const result = parsePointsCsv(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(pattern);
      expect(result.message).toMatch(/^CSV not loaded: .*The previous data are kept\.$/);
    }
  });

  it(`rejects more than ${MAX_CSV_ROWS} rows before reading any of them`, () => {
    const result = parsePointsCsv('0,0,0\n'.repeat(MAX_CSV_ROWS) + '1,1,1\n');
    expect(result).toEqual({
      ok: false,
      message: `CSV not loaded: the file has ${MAX_CSV_ROWS + 1} rows; the demo takes at most ${MAX_CSV_ROWS}. The previous data are kept.`,
    });
  });
});

describe('the decision-surface grid', () => {
  it('spans a square box around the points, top row first', () => {
    const bounds = surfaceBounds({ train: { x: new Float32Array([0, 0, 2, 1]) }, test: { x: new Float32Array([1, 0.5]) } });
    expect(bounds.map((v) => Number(v.toFixed(6)))).toEqual([-0.1, 2.1, -0.6, 1.6]);
    const grid = surfaceGrid([0, 2, 0, 2], 2);
    expect(Array.from(grid)).toEqual([0.5, 1.5, 1.5, 1.5, 0.5, 0.5, 1.5, 0.5]);
  });

  it('takes probabilities as they are and puts other scores through a softmax', () => {
    const probs = surfaceFromScores(new Float32Array([0.2, 0.8, 0.9, 0.1, 0.3, 0.7, 0, 1]), 2, 2);
    expect(Array.from(probs.classes)).toEqual([1, 0, 1, 1]);
    expect(Array.from(probs.confidence).map((v) => v.toFixed(3))).toEqual(['0.800', '0.900', '0.700', '1.000']);
    const logits = surfaceFromScores(new Float32Array([0, Math.log(3), 5, 5, -2, 0, 3, -1]), 2, 2);
    expect(Array.from(logits.classes)).toEqual([1, 0, 1, 0]);
    expect(Array.from(logits.confidence).map((v) => v.toFixed(3))).toEqual(['0.750', '0.500', '0.881', '0.982']);
  });

  it('refuses scores of the wrong length', () => {
    expect(() => surfaceFromScores(new Float32Array(5), 2, 2)).toThrow(/expected 8 scores \(4 cells × 2 classes\), got 5/);
  });
});

describe('the bytes-on-the-wire meter', () => {
  it('prints sizes in B, kB and MB and the saving against float32', () => {
    expect(formatWire({ bytesSent: 500, bytesSentFloat32: 2000 })).toBe('on the wire: 500 B (float32 would be 2.0 kB: 4.0× less)');
    expect(formatWire({ bytesSent: 1_234_567, bytesSentFloat32: 4_400_000 })).toBe('on the wire: 1.2 MB (float32 would be 4.4 MB: 3.6× less)');
    expect(formatWire({ bytesSent: 0, bytesSentFloat32: 0 })).toBe('on the wire: 0 B (float32 would be 0 B)');
    expect(formatWire({ bytesSent: 417, bytesSentFloat32: 204 })).toBe('on the wire: 417 B (float32 would be 204 B: 2.0× more, headers dominate tiny layers)');
  });
});
