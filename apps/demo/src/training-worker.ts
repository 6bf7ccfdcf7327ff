/**
 * One panel's training, off the page's thread: loads the chosen TensorFlow.js backend, builds the data set (plus
 * clicked or uploaded points), runs `runExperiment` from `@beyond-backprop/experiments` and streams epochs, decision
 * surfaces and the final `bbp run --json` result back to the page. Pausing waits between epochs.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BROWSER_BACKEND_ORDER, createRng, initBackend, type BackendChoice } from '@beyond-backprop/core-linalg';
import type { Dataset } from '@beyond-backprop/datasets';
import { getExperiment, runExperiment, type DenseArchitecture, type Experiment, type Method, type MethodRun } from '@beyond-backprop/experiments';
import { dataParallelMethodOptions, demoMethods, registerDemoMethods, replicaBackendsInUse } from './data-parallel-method.js';
import { DEMO_DATASETS } from './hash-state.js';
import { surfaceBounds, surfaceGrid, surfaceFromScores } from './surface-grid.js';
import type { CatalogueEntry, ExperimentInfo, FromWorker, PlotData, RunConfig, Surface, ToWorker, WireMeter } from './worker-protocol.js';
import { loadWebGpu } from './webgpu-loader.js';

/** The worker's global scope (typed by hand: the DOM and WebWorker libraries cannot share one program). */
const scope = self as unknown as {
  postMessage(message: FromWorker, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  navigator: Navigator;
};

// The .wasm files are bundled assets of this app, so they load from its own origin, never from a CDN.
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlainUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl });

/** Wall time between two surface redraws while training, in ms (the last epoch always draws). */
const SURFACE_EVERY_MS = 150;

let paused = false;
let stepsAllowed = 0;
let wake: (() => void) | null = null;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'catalogue') post(catalogue());
  else if (message.type === 'start') void train(message.config);
  else if (message.type === 'pause') {
    paused = true;
    post({ type: 'paused', paused: true });
  } else if (message.type === 'resume') {
    paused = false;
    release();
    post({ type: 'paused', paused: false });
  } else if (message.type === 'step') {
    if (paused) stepsAllowed++;
    release();
  }
};

function release(): void {
  const resume = wake;
  wake = null;
  resume?.();
}

/** Waits at an epoch boundary while paused; a step lets exactly one more epoch run. */
async function gate(): Promise<void> {
  while (paused) {
    if (stepsAllowed > 0) {
      stepsAllowed--;
      return;
    }
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

/**
 * The bytes-on-the-wire meter of a run whose result fields report them (`bytesSent`, `bytesSentFloat32`), with the
 * backend its data-parallel replicas loaded.
 */
function wireMeter(fields: Record<string, unknown> | undefined): WireMeter | undefined {
  if (typeof fields?.bytesSent !== 'number' || typeof fields.bytesSentFloat32 !== 'number') return undefined;
  const workers = typeof fields.workers === 'number' ? { workers: fields.workers } : {};
  const replicaBackend = replicaBackendsInUse();
  return { bytesSent: fields.bytesSent, bytesSentFloat32: fields.bytesSentFloat32, ...workers, ...(replicaBackend ? { replicaBackend } : {}) };
}

function withoutShortcuts(experiment: Experiment): Experiment {
  return experiment.architecture.kind === 'dense' ? { ...experiment, architecture: { ...experiment.architecture, shortcuts: false } } : experiment;
}

function catalogue(): FromWorker {
  registerDemoMethods();
  const experiments = DEMO_DATASETS.map((name) => getExperiment(name));
  const methods: CatalogueEntry[] = demoMethods
    .map((m: Method) => ({
      name: m.name,
      description: m.description,
      ...(m.source === undefined ? {} : { source: m.source }),
      datasets: experiments.filter((e) => m.supports(e)).map((e) => e.name),
      withoutShortcuts: experiments.filter((e) => !m.supports(e) && m.supports(withoutShortcuts(e))).map((e) => e.name),
    }))
    .filter((m) => m.datasets.length + m.withoutShortcuts.length > 0);
  const infos: ExperimentInfo[] = experiments.map((e) => {
    const arch = e.architecture as DenseArchitecture;
    return {
      name: e.name,
      description: e.description,
      epochs: e.defaults.epochs,
      hidden: arch.hidden,
      activation: arch.activation,
      shortcuts: arch.shortcuts,
      learningRate: e.defaults.learningRate ?? 0.01,
      optimizer: e.defaults.optimizer ?? 'adam',
      batchSize: e.defaults.batchSize ?? null,
    };
  });
  return { type: 'catalogue', methods, experiments: infos };
}

function backendOrder(choice: RunConfig['backend']): BackendChoice[] {
  return choice === 'auto' ? [...BROWSER_BACKEND_ORDER] : [choice];
}

/** The data set of a run: generated with the seed, jittered by `noise`, plus clicked points; or an uploaded CSV. */
async function buildData(config: RunConfig, experiment: Experiment): Promise<Dataset<Int32Array>> {
  if (config.csv) {
    const { x, y, numClasses } = config.csv;
    const n = y.length;
    const order = createRng(`csv-split:${config.seed}`).permutation(n);
    const nTrain = Math.max(1, Math.round(n * 0.7));
    const pick = (rows: number[]) => ({
      x: Float32Array.from(rows.flatMap((r) => [x[2 * r], x[2 * r + 1]])),
      xShape: [rows.length, 2],
      y: Int32Array.from(rows.map((r) => y[r])),
      yShape: [rows.length],
    });
    const testRows = order.slice(nTrain);
    return {
      name: 'csv',
      source: 'uploaded CSV',
      numClasses,
      train: pick(order.slice(0, nTrain)),
      test: pick(testRows.length > 0 ? testRows : order.slice(0, 1)),
    };
  }
  const base = (await experiment.load(config.seed, {})) as Dataset<Int32Array>;
  const rng = createRng(`noise:${config.seed}`);
  const jitter = (xs: Float32Array) => (config.noise > 0 ? xs.map((v) => v + rng.normal(0, config.noise)) : Float32Array.from(xs));
  const added = config.points;
  const trainX = new Float32Array(base.train.x.length + added.length * 2);
  trainX.set(jitter(base.train.x));
  added.forEach((p, i) => trainX.set([p[0], p[1]], base.train.x.length + 2 * i));
  const trainY = Int32Array.from([...base.train.y, ...added.map((p) => p[2])]);
  const numClasses = Math.max(base.numClasses ?? 2, ...added.map((p) => p[2] + 1));
  return {
    ...base,
    numClasses,
    train: { x: trainX, xShape: [trainY.length, 2], y: trainY, yShape: [trainY.length] },
    test: { ...base.test, x: jitter(base.test.x) },
  };
}

async function train(config: RunConfig): Promise<void> {
  paused = config.startPaused;
  stepsAllowed = 0;
  let lastEpoch = 0;
  try {
    const info = await initBackend({
      preference: backendOrder(config.backend),
      log: false,
      loaders: { webgpu: loadWebGpu, webgl: async () => undefined, wasm: async () => undefined, cpu: async () => undefined },
    });
    registerDemoMethods();
    const base = getExperiment(config.dataset);
    const method = demoMethods.find((m) => m.name === config.method);
    if (!method) throw new Error(`unknown method '${config.method}'`);
    const arch = base.architecture as DenseArchitecture;
    let architecture: DenseArchitecture = { ...arch, hidden: config.hidden ?? arch.hidden, activation: config.activation ?? arch.activation };
    let note: string | null = null;
    const variantOf = (a: DenseArchitecture): Experiment => ({ ...base, architecture: a });
    if (!method.supports(variantOf(architecture))) {
      const plain = { ...architecture, shortcuts: false };
      if (!method.supports(variantOf(plain))) throw new Error(`${method.name} cannot train ${base.name}`);
      architecture = plain;
      note = `${method.name} trains without the shortcut connections of ${base.name}`;
    }
    const data = await buildData(config, base);
    const variant: Experiment = { ...variantOf(architecture), load: () => data };
    const nTrain = data.train.y.length;
    const closedForm = method.name.startsWith('platonic');
    const epochs = closedForm ? 1 : (config.epochs ?? base.defaults.epochs);
    const bounds = surfaceBounds(data);
    const grid = surfaceGrid(bounds, config.gridSize);
    const plot: PlotData = {
      trainX: data.train.x,
      trainY: data.train.y,
      testX: data.test.x,
      testY: data.test.y,
      numClasses: data.numClasses ?? 2,
      bounds,
    };
    post({ type: 'started', backend: info.choice, skipped: info.skipped.map((s) => `${s.backend}: ${s.error}`), note, epochs, data: plot });

    const surfaceOf = (run: MethodRun): Surface => surfaceFromScores(run.predict(grid, [grid.length / 2, 2]), config.gridSize, plot.numClasses);
    let trainingMs = 0;
    let resumedAt = performance.now();
    let lastSurfaceAt = 0;
    const batchSize = Math.min(base.defaults.batchSize ?? nTrain, nTrain);
    const iterationsPerEpoch = Math.ceil(nTrain / batchSize);
    const methodOptions = {
      ...(config.realisation !== undefined && method.name.startsWith('target-space') ? { realisationSize: Math.min(config.realisation, nTrain) } : {}),
      ...dataParallelMethodOptions(method.name, config, info.choice),
    };
    const { result, run } = await runExperiment({
      experiment: variant,
      method: method.name,
      epochs,
      seed: config.seed,
      ...(config.lr === undefined ? {} : { learningRate: config.lr }),
      ...(config.optimizer === undefined ? {} : { optimizer: config.optimizer }),
      methodOptions,
      keepBackend: true,
      onEpoch: async (epoch, logs, current) => {
        trainingMs += performance.now() - resumedAt;
        lastEpoch = epoch + 1;
        const now = performance.now();
        // A layer-wise run reports units × epochs in all (`totalEpochs`): live surfaces follow every unit, not only the first.
        const surface = now - lastSurfaceAt > SURFACE_EVERY_MS && epoch < (current.totalEpochs ?? epochs) - 1 ? surfaceOf(current) : undefined;
        if (surface) lastSurfaceAt = performance.now();
        const wire = wireMeter(current.resultFields?.());
        const unit = current.unitProgress?.(epoch);
        post(
          {
            type: 'epoch',
            epoch: epoch + 1,
            loss: logs.loss,
            ...(logs.trainAccuracy === undefined ? {} : { trainAccuracy: logs.trainAccuracy }),
            ...(logs.testAccuracy === undefined ? {} : { testAccuracy: logs.testAccuracy }),
            msPerIteration: trainingMs / (lastEpoch * iterationsPerEpoch),
            ...(surface ? { surface } : {}),
            ...(wire ? { wire } : {}),
            ...(unit ? { unit } : {}),
          },
          surface ? [surface.classes.buffer, surface.confidence.buffer] : [],
        );
        await gate();
        resumedAt = performance.now();
      },
    });
    const surface = surfaceOf(run);
    run.dispose();
    const replicaBackend = method.name === 'data-parallel' ? replicaBackendsInUse() : '';
    post({ type: 'done', result, surface, ...(replicaBackend ? { replicaBackend } : {}) }, [surface.classes.buffer, surface.confidence.buffer]);
  } catch (error) {
    const diverged = (error as { code?: string }).code === 'diverged';
    const epoch = (error as { epoch?: number }).epoch;
    post({
      type: 'error',
      message: diverged ? `diverged at epoch ${(epoch ?? lastEpoch) + 1}` : error instanceof Error ? error.message : String(error),
      divergedAtEpoch: diverged ? (epoch ?? lastEpoch) + 1 : null,
    });
  }
}
