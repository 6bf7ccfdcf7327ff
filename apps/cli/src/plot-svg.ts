/**
 * Self-contained SVG figures of a run: the loss and accuracy curves, and for 2-D inputs the decision surface with
 * the training and test points. No plotting dependency; the output opens in any browser.
 */
import type { Dataset } from '@beyond-backprop/datasets';
import type { RunResult } from '@beyond-backprop/experiments';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

/** Nice tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function lossPanel(result: RunResult, box: Box): string {
  const parts: string[] = [];
  const h = result.history;
  const epochs = Math.max(1, h.length);
  const regression = result.task === 'regression';
  const curveValues = regression ? h.flatMap((e) => [e.loss, e.trainMse, e.testMse]).filter((v): v is number => v !== undefined) : h.map((e) => e.loss);
  const losses = curveValues.filter((v) => Number.isFinite(v) && v > 0);
  const logScale = losses.length === curveValues.length && losses.length > 0;
  const lossLo = logScale ? Math.log10(Math.min(...losses)) : Math.min(0, ...curveValues);
  const lossHi = logScale ? Math.log10(Math.max(...losses)) : Math.max(...curveValues, 1e-12);
  const lo = logScale ? Math.floor(lossLo) : lossLo;
  const hi = logScale ? Math.max(Math.ceil(lossHi), lo + 1) : lossHi;
  const X = (e: number) => box.x + (box.w * e) / Math.max(1, epochs - 1);
  const Y = (v: number) => box.y + box.h - (box.h * ((logScale ? Math.log10(v) : v) - lo)) / (hi - lo || 1);
  const A = (a: number) => box.y + box.h - box.h * a;
  parts.push(`<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="#fff" stroke="#999"/>`);
  // Grid and axes.
  const yTicks = logScale ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : ticks(lo, hi);
  for (const t of yTicks) {
    const y = logScale ? box.y + box.h - (box.h * (t - lo)) / (hi - lo) : Y(t);
    parts.push(`<line x1="${box.x}" x2="${box.x + box.w}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${box.x - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11" ${FONT}>${logScale ? `1e${t}` : fmt(t)}</text>`);
  }
  for (const t of ticks(0, epochs - 1)) {
    parts.push(`<text x="${X(t).toFixed(1)}" y="${box.y + box.h + 16}" text-anchor="middle" font-size="11" ${FONT}>${t + 1}</text>`);
  }
  for (const a of regression ? [] : [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<text x="${box.x + box.w + 6}" y="${(A(a) + 4).toFixed(1)}" font-size="11" fill="#555" ${FONT}>${a * 100}%</text>`);
  }
  const line = (points: Array<[number, number]>, colour: string, dash = '') =>
    points.length > 0
      ? `<polyline fill="none" stroke="${colour}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`
      : '';
  parts.push(
    line(
      h.filter((e) => Number.isFinite(e.loss) && (!logScale || e.loss > 0)).map((e, i) => [X(i), Y(e.loss)]),
      '#222',
    ),
  );
  const metric = (key: 'trainAccuracy' | 'testAccuracy' | 'trainMse' | 'testMse') =>
    h.flatMap(
      (e, i): Array<[number, number]> =>
        e[key] === undefined || (regression && logScale && !(e[key] > 0)) ? [] : [[X(i), regression ? Y(e[key]) : A(e[key])]],
    );
  parts.push(line(metric(regression ? 'trainMse' : 'trainAccuracy'), PALETTE[0], '5 3'));
  parts.push(line(metric(regression ? 'testMse' : 'testAccuracy'), PALETTE[1], '2 2'));
  parts.push(`<text x="${box.x + box.w / 2}" y="${box.y + box.h + 32}" text-anchor="middle" font-size="12" ${FONT}>epoch</text>`);
  const legend = [
    ['#222', '', `loss${logScale ? ' (log scale)' : ''}`],
    [PALETTE[0], '5 3', regression ? 'train MSE' : 'train accuracy (right)'],
    [PALETTE[1], '2 2', regression ? 'test MSE' : 'test accuracy (right)'],
  ];
  // One legend row above the panel, clear of the curves.
  let lx = box.x;
  const ly = box.y - 10;
  for (const [colour, dash, label] of legend) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    parts.push(`<text x="${lx + 27}" y="${ly}" font-size="11" ${FONT}>${esc(label!)}</text>`);
    lx += 34 + 6 * label!.length;
  }
  return parts.join('\n');
}

function mix(hex: string, toward: string, t: number): string {
  const p = (h: string, i: number) => parseInt(h.slice(1 + 2 * i, 3 + 2 * i), 16);
  const c = [0, 1, 2].map((i) => Math.round(p(hex, i) * (1 - t) + p(toward, i) * t));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function surfacePanel(
  data: Dataset<Int32Array | Float32Array>,
  predict: (x: Float32Array, shape: number[]) => Float32Array,
  box: Box,
  resolution: number,
): string {
  const parts: string[] = [];
  const k = data.numClasses ?? 2;
  const all = [data.train, data.test];
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const s of all) {
    for (let i = 0; i < s.xShape[0]; i++) {
      xmin = Math.min(xmin, s.x[2 * i]);
      xmax = Math.max(xmax, s.x[2 * i]);
      ymin = Math.min(ymin, s.x[2 * i + 1]);
      ymax = Math.max(ymax, s.x[2 * i + 1]);
    }
  }
  const padX = 0.08 * (xmax - xmin || 1);
  const padY = 0.08 * (ymax - ymin || 1);
  [xmin, xmax, ymin, ymax] = [xmin - padX, xmax + padX, ymin - padY, ymax + padY];
  const G = resolution;
  const grid = new Float32Array(G * G * 2);
  for (let r = 0; r < G; r++) {
    for (let c = 0; c < G; c++) {
      grid[2 * (r * G + c)] = xmin + ((c + 0.5) / G) * (xmax - xmin);
      grid[2 * (r * G + c) + 1] = ymax - ((r + 0.5) / G) * (ymax - ymin);
    }
  }
  const scores = predict(grid, [G * G, 2]);
  const cellW = box.w / G;
  const cellH = box.h / G;
  const levels = 12;
  // Colour = predicted class, lightness = confidence (softmax of the scores), quantised so runs of equal colour
  // merge into one rectangle and the file stays small.
  const colourOf = (i: number): string => {
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < k; j++) {
      const v = scores[i * k + j];
      if (v > max) {
        max = v;
        arg = j;
      }
    }
    let z = 0;
    for (let j = 0; j < k; j++) z += Math.exp(scores[i * k + j] - max);
    const confidence = 1 / z; // softmax probability of the arg-max class
    const t = Math.round(((confidence - 1 / k) / (1 - 1 / k)) * (levels - 1)) / (levels - 1);
    return mix(PALETTE[arg % PALETTE.length], '#ffffff', 0.9 - 0.6 * t);
  };
  for (let r = 0; r < G; r++) {
    let start = 0;
    let current = colourOf(r * G);
    for (let c = 1; c <= G; c++) {
      const next = c < G ? colourOf(r * G + c) : '';
      if (next !== current) {
        parts.push(
          `<rect x="${(box.x + start * cellW).toFixed(2)}" y="${(box.y + r * cellH).toFixed(2)}" width="${((c - start) * cellW + 0.3).toFixed(2)}" height="${(cellH + 0.3).toFixed(2)}" fill="${current}"/>`,
        );
        start = c;
        current = next;
      }
    }
  }
  const px = (v: number) => box.x + ((v - xmin) / (xmax - xmin)) * box.w;
  const py = (v: number) => box.y + ((ymax - v) / (ymax - ymin)) * box.h;
  for (let i = 0; i < data.train.xShape[0]; i++) {
    const colour = PALETTE[data.train.y[i] % PALETTE.length];
    parts.push(
      `<circle cx="${px(data.train.x[2 * i]).toFixed(1)}" cy="${py(data.train.x[2 * i + 1]).toFixed(1)}" r="3" fill="${colour}" stroke="#000" stroke-width="0.5"/>`,
    );
  }
  for (let i = 0; i < data.test.xShape[0]; i++) {
    const colour = PALETTE[data.test.y[i] % PALETTE.length];
    parts.push(
      `<circle cx="${px(data.test.x[2 * i]).toFixed(1)}" cy="${py(data.test.x[2 * i + 1]).toFixed(1)}" r="2.6" fill="none" stroke="${colour}" stroke-width="1.2"/>`,
    );
  }
  parts.push(`<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="none" stroke="#999"/>`);
  for (const t of ticks(xmin, xmax))
    parts.push(`<text x="${px(t).toFixed(1)}" y="${box.y + box.h + 16}" text-anchor="middle" font-size="11" ${FONT}>${fmt(t)}</text>`);
  for (const t of ticks(ymin, ymax))
    parts.push(`<text x="${box.x - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" ${FONT}>${fmt(t)}</text>`);
  parts.push(
    `<text x="${box.x + box.w / 2}" y="${box.y + box.h + 32}" text-anchor="middle" font-size="12" ${FONT}>filled: train · hollow: test · shade: predicted class and confidence</text>`,
  );
  return parts.join('\n');
}

function curvePanel(data: Dataset<Int32Array | Float32Array>, predict: (x: Float32Array, shape: number[]) => Float32Array, box: Box): string {
  const parts: string[] = [];
  const all = [data.train, data.test];
  const xs = all.flatMap((s) => Array.from(s.x));
  const ys = all.flatMap((s) => Array.from(s.y));
  const G = 400;
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const grid = new Float32Array(G).map((_, i) => x0 + ((x1 - x0) * i) / (G - 1));
  const pred = Array.from(predict(grid, [G, 1]));
  const [y0, y1] = [Math.min(...ys, ...pred), Math.max(...ys, ...pred)];
  const padY = 0.05 * (y1 - y0 || 1);
  const px = (v: number) => box.x + ((v - x0) / (x1 - x0 || 1)) * box.w;
  const py = (v: number) => box.y + ((y1 + padY - v) / (y1 - y0 + 2 * padY)) * box.h;
  parts.push(`<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="#fff" stroke="#999"/>`);
  const dots = (split: typeof data.train, filled: boolean) => {
    const stride = Math.max(1, Math.floor(split.x.length / 600));
    for (let i = 0; i < split.x.length; i += stride) {
      parts.push(
        `<circle cx="${px(split.x[i]).toFixed(1)}" cy="${py(split.y[i]).toFixed(1)}" r="2" ${filled ? `fill="${PALETTE[0]}"` : `fill="none" stroke="${PALETTE[1]}"`}/>`,
      );
    }
  };
  dots(data.train, true);
  dots(data.test, false);
  parts.push(
    `<polyline fill="none" stroke="#222" stroke-width="1.8" points="${pred.map((v, i) => `${px(grid[i]).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>`,
  );
  for (const t of ticks(x0, x1))
    parts.push(`<text x="${px(t).toFixed(1)}" y="${box.y + box.h + 16}" text-anchor="middle" font-size="11" ${FONT}>${fmt(t)}</text>`);
  for (const t of ticks(y0, y1)) parts.push(`<text x="${box.x - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" ${FONT}>${fmt(t)}</text>`);
  parts.push(
    `<text x="${box.x + box.w / 2}" y="${box.y + box.h + 32}" text-anchor="middle" font-size="12" ${FONT}>line: prediction · filled: train · hollow: test</text>`,
  );
  return parts.join('\n');
}

/** Options of {@link renderRunSvg}. */
export interface PlotOptions {
  /** Grid cells per axis of the decision surface. Default 120. */
  resolution?: number;
}

/** In place of the loss panel for a one-shot fit (one loss, no curve): what was fitted and how well. */
function oneShotPanel(result: RunResult, box: Box): string {
  const lines = [
    'One-shot closed-form fit: no epochs, so no loss curve.',
    `${result.iterations} least-squares solves in ${((result.msPerIteration * result.iterations) / 1000).toFixed(3)} s on ${result.engine}`,
    `fit loss (train MSE of the readout) ${fmt(result.finalLoss)}`,
    result.trainAccuracy !== null
      ? `train accuracy ${(100 * result.trainAccuracy).toFixed(1)}% · test accuracy ${(100 * (result.testAccuracy ?? 0)).toFixed(1)}%`
      : `train MSE ${fmt(result.trainMse ?? Number.NaN)} · test MSE ${fmt(result.testMse ?? Number.NaN)}`,
  ];
  return [
    `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="#fff" stroke="#999"/>`,
    ...lines.map((text, i) => `<text x="${box.x + 16}" y="${box.y + 32 + 22 * i}" font-size="${i === 0 ? 13 : 12}" ${FONT}>${esc(text)}</text>`),
  ].join('\n');
}

/**
 * The figure for a finished run as an SVG document: the loss curve (log scale) with train/test accuracy (or MSE), and,
 * when `predict` is given, the decision surface for 2-D classification data or the fitted curve for 1-D regression
 * data, with the training (filled) and test (hollow) points. A one-shot (closed-form) fit has no loss curve: with a
 * surface or curve to draw, the figure is that panel alone; otherwise a text panel states the fit.
 *
 * @example
 * ```ts
 * writeFileSync('spirals.svg', renderRunSvg(result, data, run.predict));
 * ```
 */
export function renderRunSvg(
  result: RunResult,
  data: Dataset<Int32Array | Float32Array>,
  predict?: (x: Float32Array, shape: number[]) => Float32Array,
  options: PlotOptions = {},
): string {
  const flat = data.train.xShape.length === 2 && data.train.yShape.length === 1;
  const surface = predict !== undefined && flat && data.train.xShape[1] === 2 && data.train.y instanceof Int32Array;
  const curve = predict !== undefined && flat && data.train.xShape[1] === 1 && data.train.y instanceof Float32Array;
  const twoD = surface || curve;
  const oneShot = result.oneShot === true;
  // A one-shot fit with a surface or curve drops the (empty) loss panel.
  const lossShown = !(oneShot && twoD);
  const panelW = 420;
  const panelH = 360;
  const margin = { left: 60, top: 76, gap: 90, bottom: 50 };
  const width = margin.left + (lossShown ? panelW : 0) + (twoD ? (lossShown ? margin.gap : 0) + panelH : 0) + 60;
  const height = margin.top + panelH + margin.bottom;
  const title = `${result.experiment} · ${result.method} · seed ${result.seed} · ${oneShot ? 'one-shot fit' : `${result.epochs} epochs`} · ${result.backend}`;
  const quality =
    result.trainAccuracy !== null
      ? `train ${(100 * result.trainAccuracy).toFixed(1)}% · test ${(100 * (result.testAccuracy ?? 0)).toFixed(1)}%`
      : `train MSE ${fmt(result.trainMse ?? Number.NaN)} · test MSE ${fmt(result.testMse ?? Number.NaN)}`;
  const subtitle = oneShot
    ? `${quality} · fit loss ${fmt(result.finalLoss)} · fitted in ${((result.msPerIteration * result.iterations) / 1000).toFixed(3)} s`
    : `${quality} · final loss ${fmt(result.finalLoss)} · ${result.msPerIteration.toFixed(3)} ms/iteration`;
  const left = { x: margin.left, y: margin.top, w: panelW, h: panelH };
  const body = [
    `<text x="${margin.left}" y="22" font-size="15" font-weight="600" ${FONT}>${esc(title)}</text>`,
    `<text x="${margin.left}" y="40" font-size="12" fill="#444" ${FONT}>${esc(subtitle)}</text>`,
    ...(lossShown ? [oneShot ? oneShotPanel(result, left) : lossPanel(result, left)] : []),
  ];
  const box = { x: lossShown ? margin.left + panelW + margin.gap : margin.left, y: margin.top, w: panelH, h: panelH };
  if (surface) body.push(surfacePanel(data, predict!, box, options.resolution ?? 120));
  if (curve) body.push(curvePanel(data, predict!, box));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="100%" height="100%" fill="#fafafa"/>\n${body.join('\n')}\n</svg>\n`;
}
