/**
 * The demo's whole configuration as a URL hash (`#dataset=two-spirals&methodA=target-space&methodB=backprop&…`), so
 * any configuration is a shareable link. Parsing never throws: each invalid value becomes a message naming the key,
 * and the default is kept for it.
 */

/** The 2-D classification data sets the demo trains on (registry names of `@beyond-backprop/experiments`). */
export const DEMO_DATASETS = ['two-spirals', 'two-moons', 'xor', 'checkerboard', 'blobs', 'sinusoid-boundary'] as const;
export type DemoDataset = (typeof DEMO_DATASETS)[number];

/** Backends a user may pick; `auto` tries WebGPU, WebGL, wasm, then cpu. */
export const DEMO_BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type DemoBackend = (typeof DEMO_BACKENDS)[number];

export const DEMO_ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'leakyRelu'] as const;
export type DemoActivation = (typeof DEMO_ACTIVATIONS)[number];

/** Weight codecs of the data-parallel method (`codec=`). */
export const DEMO_CODECS = ['none', 'fixed8', 'huffman'] as const;
export type DemoCodec = (typeof DEMO_CODECS)[number];
/** Most data-parallel replicas (Web Workers) a link may ask for. */
export const MAX_WORKERS = 8;

/** A point added by clicking on a decision surface: inputs and class. */
export type AddedPoint = readonly [x: number, y: number, label: number];

/** Everything that defines a demo run. Unset optional values fall back to the experiment's defaults. */
export interface DemoState {
  dataset: DemoDataset;
  /** One method (`method=`) or two side by side (`methodA=`, `methodB=`). */
  methods: string[];
  epochs?: number;
  seed: number;
  hidden?: number[];
  activation?: DemoActivation;
  lr?: number;
  optimizer?: 'adam' | 'sgd';
  /** Std of Gaussian jitter added to every generated point (0 = the data set as published). */
  noise: number;
  /** Rows of target space's realisation batch X̄ (`--realisation-size`). */
  realisation?: number;
  backend: DemoBackend;
  autorun: boolean;
  /** Points added by clicking, appended to the training set. */
  points: AddedPoint[];
  /** data-parallel: replicas, each in its own Web Worker (default 2). */
  workers?: number;
  /** data-parallel: the weight codec (default huffman). */
  codec?: DemoCodec;
}

/** The configuration a fresh page shows. */
export const DEFAULT_STATE: DemoState = {
  dataset: 'two-spirals',
  methods: ['target-space', 'backprop'],
  seed: 1,
  noise: 0,
  backend: 'auto',
  autorun: false,
  points: [],
};

/** Largest epoch count the demo accepts (a tab left open should not train for days). */
export const MAX_EPOCHS = 100_000;
/** Largest hidden width and depth the demo accepts. */
export const MAX_WIDTH = 512;
export const MAX_DEPTH = 8;
/** Most points a link may carry. */
export const MAX_ADDED_POINTS = 500;

const KEYS = [
  'dataset',
  'method',
  'methodA',
  'methodB',
  'epochs',
  'seed',
  'hidden',
  'activation',
  'lr',
  'optimizer',
  'noise',
  'realisation',
  'backend',
  'autorun',
  'points',
  'workers',
  'codec',
];

/**
 * Reads a hash (with or without the leading `#`) against the known method names. Returns the state, with defaults
 * wherever a value is missing or invalid, and one message per invalid value.
 */
export function parseHash(hash: string, knownMethods: readonly string[]): { state: DemoState; errors: string[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const errors: string[] = [];
  const state: DemoState = { ...DEFAULT_STATE, methods: [...DEFAULT_STATE.methods], points: [] };
  for (const key of params.keys()) if (!KEYS.includes(key)) errors.push(`unknown setting '${key}' (known: ${KEYS.join(', ')})`);

  const dataset = params.get('dataset');
  if (dataset !== null) {
    if ((DEMO_DATASETS as readonly string[]).includes(dataset)) state.dataset = dataset as DemoDataset;
    else errors.push(`dataset must be one of ${DEMO_DATASETS.join(', ')}, got '${dataset}'`);
  }

  const single = params.get('method');
  const pair = [params.get('methodA'), params.get('methodB')];
  if (single !== null && (pair[0] !== null || pair[1] !== null)) errors.push("give either 'method' or 'methodA'/'methodB', not both");
  const asked = single !== null ? [single] : pair[0] !== null || pair[1] !== null ? pair.filter((m): m is string => m !== null) : null;
  if (asked !== null) {
    const unknown = asked.filter((m) => !knownMethods.includes(m));
    for (const m of unknown) errors.push(`unknown method '${m}': must be one of ${knownMethods.join(', ')}`);
    if (unknown.length === 0) state.methods = asked;
  }

  const epochs = readInteger(params, 'epochs', 1, MAX_EPOCHS, errors);
  if (epochs !== undefined) state.epochs = epochs;
  const seed = readInteger(params, 'seed', 0, 2 ** 31 - 1, errors);
  if (seed !== undefined) state.seed = seed;
  const realisation = readInteger(params, 'realisation', 1, 100_000, errors);
  if (realisation !== undefined) state.realisation = realisation;

  const hidden = params.get('hidden');
  if (hidden !== null) {
    const widths = hidden.split(',').map((w) => w.trim());
    const parsed = widths.map(Number);
    if (widths.length > MAX_DEPTH || parsed.some((w, i) => widths[i] === '' || !Number.isInteger(w) || w < 1 || w > MAX_WIDTH)) {
      errors.push(`hidden must be 1 to ${MAX_DEPTH} comma-separated widths, each a whole number from 1 to ${MAX_WIDTH}, got '${hidden}'`);
    } else state.hidden = parsed;
  }

  const lr = params.get('lr');
  if (lr !== null) {
    const v = Number(lr);
    if (lr.trim() === '' || !Number.isFinite(v) || v <= 0 || v > 100) errors.push(`lr must be a number > 0 and ≤ 100, got '${lr}'`);
    else state.lr = v;
  }
  const noise = params.get('noise');
  if (noise !== null) {
    const v = Number(noise);
    if (noise.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) errors.push(`noise must be a number from 0 to 1, got '${noise}'`);
    else state.noise = v;
  }

  const activation = params.get('activation');
  if (activation !== null) {
    if ((DEMO_ACTIVATIONS as readonly string[]).includes(activation)) state.activation = activation as DemoActivation;
    else errors.push(`activation must be one of ${DEMO_ACTIVATIONS.join(', ')}, got '${activation}'`);
  }
  const optimizer = params.get('optimizer');
  if (optimizer !== null) {
    if (optimizer === 'adam' || optimizer === 'sgd') state.optimizer = optimizer;
    else errors.push(`optimizer must be adam or sgd, got '${optimizer}'`);
  }
  const backend = params.get('backend');
  if (backend !== null) {
    if ((DEMO_BACKENDS as readonly string[]).includes(backend)) state.backend = backend as DemoBackend;
    else errors.push(`backend must be one of ${DEMO_BACKENDS.join(', ')}, got '${backend}'`);
  }
  const autorun = params.get('autorun');
  if (autorun !== null) {
    if (autorun === '1' || autorun === '0') state.autorun = autorun === '1';
    else errors.push(`autorun must be 1 or 0, got '${autorun}'`);
  }

  const workers = readInteger(params, 'workers', 1, MAX_WORKERS, errors);
  if (workers !== undefined) state.workers = workers;
  const codec = params.get('codec');
  if (codec !== null) {
    if ((DEMO_CODECS as readonly string[]).includes(codec)) state.codec = codec as DemoCodec;
    else errors.push(`codec must be one of ${DEMO_CODECS.join(', ')}, got '${codec}'`);
  }

  const points = params.get('points');
  if (points !== null && points !== '') {
    const parsed = points.split(';').map((p) => p.split(':').map(Number));
    if (
      parsed.length > MAX_ADDED_POINTS ||
      parsed.some((p) => p.length !== 3 || !p.every(Number.isFinite) || !Number.isInteger(p[2]) || p[2] < 0 || p[2] > 9)
    ) {
      errors.push(`points must be up to ${MAX_ADDED_POINTS} entries x:y:class separated by ';' (class 0–9), got '${points.slice(0, 60)}'`);
    } else state.points = parsed.map((p) => [p[0], p[1], p[2]] as const);
  }
  return { state, errors };
}

/** The hash for `state`: only values that differ from the defaults, in a stable order. */
export function formatHash(state: DemoState): string {
  const params = new URLSearchParams();
  params.set('dataset', state.dataset);
  if (state.methods.length === 1) params.set('method', state.methods[0]);
  else {
    params.set('methodA', state.methods[0]);
    params.set('methodB', state.methods[1]);
  }
  if (state.epochs !== undefined) params.set('epochs', String(state.epochs));
  params.set('seed', String(state.seed));
  if (state.hidden !== undefined) params.set('hidden', state.hidden.join(','));
  if (state.activation !== undefined) params.set('activation', state.activation);
  if (state.lr !== undefined) params.set('lr', String(state.lr));
  if (state.optimizer !== undefined) params.set('optimizer', state.optimizer);
  if (state.noise !== 0) params.set('noise', String(state.noise));
  if (state.realisation !== undefined) params.set('realisation', String(state.realisation));
  if (state.backend !== 'auto') params.set('backend', state.backend);
  if (state.autorun) params.set('autorun', '1');
  if (state.workers !== undefined) params.set('workers', String(state.workers));
  if (state.codec !== undefined) params.set('codec', state.codec);
  if (state.points.length > 0) params.set('points', state.points.map((p) => `${round(p[0])}:${round(p[1])}:${p[2]}`).join(';'));
  return `#${params.toString().replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%3B/g, ';')}`;
}

function readInteger(params: URLSearchParams, key: string, min: number, max: number, errors: string[]): number | undefined {
  const raw = params.get(key);
  if (raw === null) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    errors.push(`${key} must be a whole number from ${min} to ${max}, got '${raw}'`);
    return undefined;
  }
  return v;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
