/**
 * Renders an SVG scatter plot of every 2-D synthetic data set (and the sine-fit curve) into `docs/guides/images/`,
 * for the data-set guide. Deterministic: the same seed gives byte-identical files.
 * Run: `pnpm --filter @beyond-backprop/datasets pictures`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkerboard,
  gaussianBlobs,
  mixedFrequency,
  sampledTwoSpirals,
  sineFit,
  sinusoidBoundary,
  twoMoons,
  twoSpirals,
  xor,
  type Split,
} from '../src/index.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'guides', 'images');
const COLOURS = ['#1f6fb4', '#d1492e', '#2a9d4a', '#e39b16'];
const SIZE = 260;
const PAD = 24;

interface Layer {
  split: Split<Int32Array | Float32Array>;
  hollow?: boolean;
  /** Plot only the first this many points (the random sets are in random order), to keep the files small. */
  max?: number;
}

function bounds(layers: Layer[]): [number, number, number, number] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const { split } of layers) {
    for (let i = 0; i < split.x.length; i += 2) {
      x0 = Math.min(x0, split.x[i]);
      x1 = Math.max(x1, split.x[i]);
      y0 = Math.min(y0, split.x[i + 1]);
      y1 = Math.max(y1, split.x[i + 1]);
    }
  }
  const mx = (x1 - x0) * 0.05 || 0.5;
  const my = (y1 - y0) * 0.05 || 0.5;
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}

function scatter(title: string, layers: Layer[], radius = 1.6): string {
  const [x0, x1, y0, y1] = bounds(layers);
  const w = SIZE - 2 * PAD;
  const sx = (v: number) => (PAD + ((v - x0) / (x1 - x0)) * w).toFixed(1);
  const sy = (v: number) => (PAD + w - ((v - y0) / (y1 - y0)) * w).toFixed(1);
  const parts: string[] = [];
  for (const { split, hollow, max } of layers) {
    const n = Math.min(split.xShape[0], max ?? Infinity);
    if (n > 500 && !hollow) {
      // Dense sets: one path of small squares per class keeps the file a third the size of circles.
      const paths = new Map<number, string[]>();
      for (let i = 0; i < n; i++) {
        const d = `M${sx(split.x[2 * i])} ${sy(split.x[2 * i + 1])}h1.7v1.7h-1.7z`;
        (paths.get(split.y[i]) ?? paths.set(split.y[i], []).get(split.y[i])!).push(d);
      }
      for (const [label, d] of [...paths.entries()].sort((a, b) => a[0] - b[0]))
        parts.push(`<path fill="${COLOURS[label % COLOURS.length]}" d="${d.join('')}"/>`);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const c = COLOURS[split.y[i] % COLOURS.length];
      const style = hollow ? `fill="none" stroke="${c}" stroke-width="0.8"` : `fill="${c}"`;
      parts.push(`<circle cx="${sx(split.x[2 * i])}" cy="${sy(split.x[2 * i + 1])}" r="${radius}" ${style}/>`);
    }
  }
  return frame(title, parts.join('\n'));
}

function frame(title: string, body: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" font-family="sans-serif">`,
    `<rect width="${SIZE}" height="${SIZE}" fill="#fff"/>`,
    `<rect x="${PAD}" y="${PAD}" width="${SIZE - 2 * PAD}" height="${SIZE - 2 * PAD}" fill="none" stroke="#999" stroke-width="0.6"/>`,
    `<text x="${SIZE / 2}" y="16" font-size="12" text-anchor="middle">${title}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function curve(title: string, split: Split<Float32Array>): string {
  const n = split.xShape[0];
  const w = SIZE - 2 * PAD;
  const sx = (v: number) => (PAD + ((v + 1.05) / 2.1) * w).toFixed(1);
  const sy = (v: number) => (PAD + w - ((v + 1.15) / 2.3) * w).toFixed(1);
  const points: string[] = [];
  for (let i = 0; i < n; i += 25) points.push(`${sx(split.x[i])},${sy(split.y[i])}`);
  const axis = `<line x1="${PAD}" y1="${sy(0)}" x2="${SIZE - PAD}" y2="${sy(0)}" stroke="#ccc" stroke-width="0.6"/>`;
  return frame(title, `${axis}\n<polyline points="${points.join(' ')}" fill="none" stroke="${COLOURS[0]}" stroke-width="1.5"/>`);
}

const pictures: Record<string, string> = {
  'two-spirals': scatter('two-spirals (train filled, test hollow)', [{ split: twoSpirals().train }, { split: twoSpirals().test, hollow: true }], 2.2),
  'sampled-two-spirals': scatter('sampled-two-spirals, τ = 1.5', [{ split: sampledTwoSpirals().train, max: 3000 }]),
  checkerboard: scatter('checkerboard, 8×8', [{ split: checkerboard().train, max: 3000 }]),
  'sinusoid-boundary': scatter('sinusoid-boundary, f = 2', [{ split: sinusoidBoundary({ frequency: 2 }).train }]),
  'mixed-frequency': scatter('mixed-frequency, 8×8 | 2×2', [{ split: mixedFrequency().train, max: 3000 }]),
  xor: scatter('xor (noisy copies of the corners)', [{ split: xor({ samplesPerCorner: 25, noise: 0.08 }).train }], 2.2),
  'two-moons': scatter('two-moons, noise 0.1', [{ split: twoMoons().train }]),
  blobs: scatter('blobs, 3 classes', [{ split: gaussianBlobs().train }], 2),
  'sine-fit': curve('sine-fit: y = sin(2πx)', sineFit().train),
};

mkdirSync(out, { recursive: true });
for (const [name, svg] of Object.entries(pictures)) {
  writeFileSync(join(out, `${name}.svg`), svg);
  console.log(JSON.stringify({ picture: `docs/guides/images/${name}.svg`, bytes: svg.length }));
}
