/**
 * The playground page: controls ↔ URL hash ↔ two run panels, each training in its own worker.
 */
import './style.css';
import { MAX_CSV_BYTES, parsePointsCsv, type CsvPoints } from './csv-points.js';
import { dataParallelControlValues, dataParallelLinkEntries, showsDataParallelControls } from './data-parallel-controls.js';
import { DEMO_DATASETS, DEFAULT_STATE, formatHash, parseHash, type DemoState } from './hash-state.js';
import { RunPanel } from './run-panel.js';
import type { CatalogueEntry, ExperimentInfo, FromWorker, RunConfig } from './worker-protocol.js';

const GRID_SIZE = 72;

const createWorker = (): Worker => new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module', name: 'bbp-training' });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const controls = {
  dataset: $<HTMLSelectElement>('dataset'),
  methodA: $<HTMLSelectElement>('methodA'),
  methodB: $<HTMLSelectElement>('methodB'),
  backend: $<HTMLSelectElement>('backend'),
  hidden: $<HTMLInputElement>('hidden'),
  activation: $<HTMLSelectElement>('activation'),
  epochs: $<HTMLInputElement>('epochs'),
  lr: $<HTMLInputElement>('lr'),
  optimizer: $<HTMLSelectElement>('optimizer'),
  realisation: $<HTMLInputElement>('realisation'),
  noise: $<HTMLInputElement>('noise'),
  noiseValue: $<HTMLOutputElement>('noise-value'),
  seed: $<HTMLInputElement>('seed'),
  csv: $<HTMLInputElement>('csv'),
  dataParallel: $<HTMLFieldSetElement>('data-parallel-controls'),
  workers: $<HTMLInputElement>('workers'),
  codec: $<HTMLSelectElement>('codec'),
};
const message = $<HTMLParagraphElement>('message');
const panels = [new RunPanel('A', createWorker), new RunPanel('B', createWorker)];
$('panels').append(...panels.map((p) => p.element));

let methods: CatalogueEntry[] = [];
let experiments: ExperimentInfo[] = [];
let state: DemoState = { ...DEFAULT_STATE };
let csv: { points: CsvPoints; name: string } | null = null;

function showMessage(text: string, kind: 'error' | 'info'): void {
  message.textContent = text;
  message.className = kind;
  message.hidden = text === '';
}

/** The catalogue (methods, data-set defaults) comes from a worker, so the page itself never loads TensorFlow.js. */
function loadCatalogue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = createWorker();
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      if (event.data.type !== 'catalogue') return;
      methods = event.data.methods;
      experiments = event.data.experiments;
      worker.terminate();
      resolve();
    };
    worker.onerror = (event) => reject(new Error(`the training worker could not start: ${event.message || 'unknown error'}`));
    worker.postMessage({ type: 'catalogue' });
  });
}

function fillSelects(): void {
  controls.dataset.replaceChildren(...DEMO_DATASETS.map((d) => new Option(d, d)));
  const options = (withNone: boolean) => [...(withNone ? [new Option('— none —', '')] : []), ...methods.map((m) => new Option(m.name, m.name))];
  controls.methodA.replaceChildren(...options(false));
  controls.methodB.replaceChildren(...options(true));
  for (const select of [controls.methodA, controls.methodB]) {
    for (const option of Array.from(select.options)) option.title = methods.find((m) => m.name === option.value)?.description ?? '';
  }
}

function experiment(): ExperimentInfo {
  return experiments.find((e) => e.name === state.dataset)!;
}

/** Shows `state` in the controls, the hash and the panels (which go back to idle). */
function render(): void {
  const info = experiment();
  controls.dataset.value = state.dataset;
  controls.methodA.value = state.methods[0] ?? '';
  controls.methodB.value = state.methods[1] ?? '';
  controls.backend.value = state.backend;
  controls.hidden.value = state.hidden?.join(',') ?? '';
  controls.hidden.placeholder = info.hidden.join(',');
  controls.activation.value = state.activation ?? '';
  controls.activation.options[0].textContent = `data set's (${info.activation})`;
  controls.epochs.value = state.epochs === undefined ? '' : String(state.epochs);
  controls.epochs.placeholder = String(info.epochs);
  controls.lr.value = state.lr === undefined ? '' : String(state.lr);
  controls.optimizer.value = state.optimizer ?? '';
  controls.realisation.value = state.realisation === undefined ? '' : String(state.realisation);
  controls.noise.value = String(state.noise);
  controls.noiseValue.textContent = String(state.noise);
  controls.seed.value = String(state.seed);
  renderDataParallelControls();
  const hash = formatHash(state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
  panels.forEach((panel, i) => {
    panel.setMethod(state.methods[i] ?? '');
    panel.reset();
    const reason = unsupported(state.methods[i]);
    if (reason) panel.fail(reason);
    else panel.showPending([-1.2, 1.2, -1.2, 1.2], state.points);
  });
}

/** The replicas and codec controls: shown while either panel trains data-parallel. */
function renderDataParallelControls(): void {
  const values = dataParallelControlValues(state);
  controls.workers.value = values.workers;
  controls.codec.value = values.codec;
  controls.dataParallel.hidden = !showsDataParallelControls(state.methods);
}

function unsupported(method: string | undefined): string | null {
  if (!method || csv) return null;
  const entry = methods.find((m) => m.name === method);
  if (!entry) return `unknown method '${method}'`;
  if (!entry.datasets.includes(state.dataset) && !entry.withoutShortcuts.includes(state.dataset))
    return `${method} cannot train ${state.dataset}: it trains ${[...entry.datasets, ...entry.withoutShortcuts].join(', ')}`;
  return null;
}

/** The state the controls describe, validated the same way as a link. */
function readControls(): { state: DemoState; errors: string[] } {
  const draft = new URLSearchParams();
  draft.set('dataset', controls.dataset.value);
  if (controls.methodB.value === '') draft.set('method', controls.methodA.value);
  else {
    draft.set('methodA', controls.methodA.value);
    draft.set('methodB', controls.methodB.value);
  }
  const optional: Array<[string, string]> = [
    ['epochs', controls.epochs.value],
    ['hidden', controls.hidden.value.replace(/\s/g, '')],
    ['activation', controls.activation.value],
    ['lr', controls.lr.value.trim()],
    ['optimizer', controls.optimizer.value],
    ['realisation', controls.realisation.value],
    ...dataParallelLinkEntries({ workers: controls.workers.value, codec: controls.codec.value }),
  ];
  for (const [key, value] of optional) if (value !== '') draft.set(key, value);
  draft.set('seed', controls.seed.value);
  draft.set('noise', controls.noise.value);
  draft.set('backend', controls.backend.value);
  if (state.autorun) draft.set('autorun', '1');
  const parsed = parseHash(
    draft.toString(),
    methods.map((m) => m.name),
  );
  parsed.state.points = state.points;
  return parsed;
}

function onControlsChanged(): void {
  const { state: next, errors } = readControls();
  if (errors.length > 0) {
    showMessage(`Not applied: ${errors.join('; ')}.`, 'error');
    return;
  }
  if (next.dataset !== state.dataset) next.points = [];
  state = next;
  showMessage(csv ? `Training on ${csv.name} (uploaded data are not part of the link).` : '', csv ? 'info' : 'error');
  render();
}

/** Reads the hash; an invalid value shows every problem and marks both panels as errors instead of running. */
function onHash(): void {
  const { state: next, errors } = parseHash(
    location.hash,
    methods.map((m) => m.name),
  );
  state = next;
  render();
  if (errors.length > 0) {
    const text = `Invalid link: ${errors.join('; ')}.`;
    showMessage(text, 'error');
    panels.forEach((panel, i) => {
      if (i < Math.max(1, state.methods.length)) panel.fail(text);
    });
    return;
  }
  showMessage('', 'error');
  if (state.autorun) run(false);
}

function config(startPaused: boolean): Omit<RunConfig, 'method'> {
  return {
    dataset: state.dataset,
    ...(state.epochs === undefined ? {} : { epochs: state.epochs }),
    seed: state.seed,
    ...(state.hidden === undefined ? {} : { hidden: state.hidden }),
    ...(state.activation === undefined ? {} : { activation: state.activation }),
    ...(state.lr === undefined ? {} : { lr: state.lr }),
    ...(state.optimizer === undefined ? {} : { optimizer: state.optimizer }),
    noise: state.noise,
    ...(state.realisation === undefined ? {} : { realisation: state.realisation }),
    backend: state.backend,
    points: state.points,
    ...(csv ? { csv: csv.points } : {}),
    gridSize: GRID_SIZE,
    startPaused,
    ...(state.workers === undefined ? {} : { workers: state.workers }),
    ...(state.codec === undefined ? {} : { codec: state.codec }),
  };
}

function activePanels(): RunPanel[] {
  return panels.filter((_, i) => state.methods[i] !== undefined && !unsupported(state.methods[i]));
}

function run(startPaused: boolean): void {
  for (const panel of activePanels()) panel.start(config(startPaused));
}

let firstSurfaceRecorded = false;
for (const panel of panels) {
  panel.onFirstSurface = () => {
    if (firstSurfaceRecorded) return;
    firstSurfaceRecorded = true;
    // Time from navigation start to the first decision surface on screen (read by the bench).
    document.documentElement.dataset.firstSurfaceMs = String(Math.round(performance.now()));
  };
  panel.onSurfaceClick = (x, y) => {
    if (csv) {
      showMessage('Points cannot be added to an uploaded CSV; clear the upload first.', 'error');
      return;
    }
    const label = Number((document.querySelector('input[name="click-class"]:checked') as HTMLInputElement | null)?.value ?? 0);
    state = { ...state, points: [...state.points, [x, y, label]] };
    render();
    showMessage(`Added a point of class ${label} at (${x.toFixed(2)}, ${y.toFixed(2)}); press Run to train with it.`, 'info');
  };
}

$('run').addEventListener('click', () => run(false));
$('pause').addEventListener('click', () => {
  const running = activePanels().filter((p) => p.status === 'running');
  const anyActive = running.some((p) => !p.isPaused);
  for (const p of running) {
    if (anyActive) p.pause();
    else p.resume();
  }
  $('pause').textContent = anyActive ? 'Resume' : 'Pause';
});
$('step').addEventListener('click', () => {
  for (const panel of activePanels()) {
    if (panel.status === 'running') {
      if (panel.isPaused) panel.step();
      else panel.pause();
    } else panel.start(config(true));
  }
  $('pause').textContent = 'Resume';
});
$('reset').addEventListener('click', () => {
  $('pause').textContent = 'Pause';
  render();
});
$('clear-data').addEventListener('click', () => {
  csv = null;
  controls.csv.value = '';
  state = { ...state, points: [] };
  showMessage('', 'error');
  render();
});
controls.noise.addEventListener('input', () => (controls.noiseValue.textContent = controls.noise.value));
for (const control of [
  controls.dataset,
  controls.methodA,
  controls.methodB,
  controls.backend,
  controls.hidden,
  controls.activation,
  controls.epochs,
  controls.lr,
  controls.optimizer,
  controls.realisation,
  controls.noise,
  controls.seed,
  controls.workers,
  controls.codec,
]) {
  control.addEventListener('change', onControlsChanged);
}
controls.csv.addEventListener('change', async () => {
  const file = controls.csv.files?.[0];
  if (!file) return;
  if (file.size > MAX_CSV_BYTES) {
    showMessage(`CSV not loaded: ${file.name} is ${file.size} bytes; the demo reads at most ${MAX_CSV_BYTES} bytes. The previous data are kept.`, 'error');
    controls.csv.value = '';
    return;
  }
  const parsed = parsePointsCsv(await file.text());
  controls.csv.value = '';
  if (!parsed.ok) {
    showMessage(`${file.name}: ${parsed.message}`, 'error');
    return;
  }
  csv = { points: parsed.points, name: file.name };
  render();
  showMessage(
    `Loaded ${parsed.points.y.length} points in ${parsed.points.numClasses} classes from ${file.name}; press Run (uploaded data are not part of the link).`,
    'info',
  );
});
window.addEventListener('hashchange', onHash);

loadCatalogue()
  .then(() => {
    fillSelects();
    onHash();
    document.documentElement.dataset.ready = '1';
  })
  .catch((error: unknown) => showMessage(error instanceof Error ? error.message : String(error), 'error'));
