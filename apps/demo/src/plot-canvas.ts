/**
 * Drawing on canvases: a decision surface with its train (filled) and test (ringed) points, and line curves.
 */
import type { PlotData, Surface } from './worker-protocol.js';

/** Class colours (colour-blind friendly first two: blue and orange). */
export const CLASS_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

function colour(k: number, alpha = 1): string {
  const [r, g, b] = CLASS_COLOURS[k % CLASS_COLOURS.length];
  return `rgba(${r},${g},${b},${alpha})`;
}

/** Canvas pixel → data coordinates under `bounds`. */
export function toData(bounds: PlotData['bounds'], width: number, height: number, px: number, py: number): [number, number] {
  const [x0, x1, y0, y1] = bounds;
  return [x0 + (px / width) * (x1 - x0), y1 - (py / height) * (y1 - y0)];
}

/**
 * Paints the surface (each cell its class colour, paler where the model is less sure), then the points. Without a
 * surface only the points are drawn.
 */
export function drawSurface(
  canvas: HTMLCanvasElement,
  data: PlotData | null,
  surface: Surface | null,
  extra: ReadonlyArray<readonly [number, number, number]> = [],
): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.fillStyle = '#fafafa';
  ctx.fillRect(0, 0, width, height);
  if (surface) {
    const image = new ImageData(surface.size, surface.size);
    const k = data?.numClasses ?? 2;
    for (let i = 0; i < surface.size * surface.size; i++) {
      const [r, g, b] = CLASS_COLOURS[surface.classes[i] % CLASS_COLOURS.length];
      // Certainty from 1/k (a coin toss: white) to 1 (full class colour, kept pale so points stand out).
      const t = Math.max(0, Math.min(1, (surface.confidence[i] - 1 / k) / (1 - 1 / k))) * 0.55;
      image.data[i * 4] = Math.round(255 + (r - 255) * t);
      image.data[i * 4 + 1] = Math.round(255 + (g - 255) * t);
      image.data[i * 4 + 2] = Math.round(255 + (b - 255) * t);
      image.data[i * 4 + 3] = 255;
    }
    const cells = new OffscreenCanvas(surface.size, surface.size);
    cells.getContext('2d')!.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(cells, 0, 0, width, height);
  }
  if (!data) return;
  const [x0, x1, y0, y1] = data.bounds;
  const px = (x: number) => ((x - x0) / (x1 - x0)) * width;
  const py = (y: number) => ((y1 - y) / (y1 - y0)) * height;
  const radius = Math.max(1.5, Math.min(4, 600 / Math.sqrt(data.trainY.length + data.testY.length + 1)));
  const dot = (x: number, y: number, k: number, filled: boolean) => {
    ctx.beginPath();
    ctx.arc(px(x), py(y), radius, 0, 2 * Math.PI);
    if (filled) {
      ctx.fillStyle = colour(k);
      ctx.fill();
      ctx.strokeStyle = 'rgba(0,0,0,0.6)';
      ctx.lineWidth = 0.7;
    } else {
      ctx.strokeStyle = colour(k);
      ctx.lineWidth = 1.5;
    }
    ctx.stroke();
  };
  for (let i = 0; i < data.testY.length; i++) dot(data.testX[2 * i], data.testX[2 * i + 1], data.testY[i], false);
  for (let i = 0; i < data.trainY.length; i++) dot(data.trainX[2 * i], data.trainX[2 * i + 1], data.trainY[i], true);
  for (const [x, y, k] of extra) dot(x, y, k, true);
}

/** Points drawn before any run has started (the clicked ones), on an empty box `bounds`. */
export function drawPendingPoints(canvas: HTMLCanvasElement, bounds: PlotData['bounds'], points: ReadonlyArray<readonly [number, number, number]>): void {
  drawSurface(
    canvas,
    { trainX: new Float32Array(), trainY: new Int32Array(), testX: new Float32Array(), testY: new Int32Array(), numClasses: 2, bounds },
    null,
    points,
  );
}

/** One line of a chart. */
export interface Series {
  label: string;
  colour: string;
  /** `[x, y]` pairs; non-finite y values are skipped. */
  points: Array<[number, number]>;
}

/**
 * A small line chart with a y range (`log` plots log10 of positive values) and the x range `[0, xMax]`; the legend
 * shows each series' last value.
 */
export function drawCurves(
  canvas: HTMLCanvasElement,
  title: string,
  series: Series[],
  options: { xMax: number; yMin?: number; yMax?: number; log?: boolean; format: (v: number) => string },
): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = { left: 40, right: 8, top: 18, bottom: 16 };
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const f = (v: number) => (options.log ? Math.log10(v) : v);
  const ys = series
    .flatMap((s) => s.points.map((p) => p[1]))
    .filter((v) => Number.isFinite(v) && (!options.log || v > 0))
    .map(f);
  let lo = options.yMin !== undefined ? f(options.yMin) : Math.min(...ys);
  let hi = options.yMax !== undefined ? f(options.yMax) : Math.max(...ys);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const X = (x: number) => pad.left + (x / Math.max(1, options.xMax)) * (width - pad.left - pad.right);
  const Y = (y: number) => pad.top + (1 - (f(y) - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = '#ccc';
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(title, pad.left, 12);
  ctx.fillStyle = '#666';
  const tick = (v: number) => (options.log ? 10 ** v : v);
  ctx.fillText(options.format(tick(hi)), 2, pad.top + 8);
  ctx.fillText(options.format(tick(lo)), 2, height - pad.bottom);
  let legendX = width - pad.right;
  for (const s of [...series].reverse()) {
    const last = s.points.at(-1);
    const text = `${s.label}${last ? ` ${options.format(last[1])}` : ''}`;
    legendX -= ctx.measureText(text).width + 14;
    ctx.fillStyle = s.colour;
    ctx.fillText(text, legendX, 12);
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y) || (options.log && y <= 0)) continue;
      if (started) ctx.lineTo(X(x), Y(y));
      else ctx.moveTo(X(x), Y(y));
      started = true;
    }
    ctx.stroke();
  }
}
