/**
 * One side of the race: a `[data-run-panel]` element with its decision surface, curves and numbers, driving its own
 * training worker. The element's `data-*` attributes are the page's testable contract and always reflect the run.
 */
import type { RunResult } from '@beyond-backprop/experiments';
import { drawCurves, drawPendingPoints, drawSurface, toData, type Series } from './plot-canvas.js';
import { recordUnitEpoch, renderUnitTable, unitAttributes, type UnitTable } from './unit-table.js';
import { formatWire } from './wire-meter.js';
import type { FromWorker, PlotData, RunConfig, Surface, ToWorker, WireMeter } from './worker-protocol.js';

export type PanelStatus = 'idle' | 'running' | 'done' | 'error';

/** Creates a training worker (a function so the page and each reset get a fresh one). */
export type WorkerFactory = () => Worker;

interface Curves {
  loss: Array<[number, number]>;
  train: Array<[number, number]>;
  test: Array<[number, number]>;
}

const SURFACE_PX = 360;

export class RunPanel {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly statusLine: HTMLElement;
  /** Bytes on the wire, for methods that exchange encoded weights (hidden otherwise). */
  private readonly wireLine: HTMLElement;
  private readonly surfaceCanvas: HTMLCanvasElement;
  private readonly lossCanvas: HTMLCanvasElement;
  private readonly accuracyCanvas: HTMLCanvasElement;
  private readonly numbers: HTMLElement;
  /** Accuracy per unit of a layer-wise run (hidden otherwise). */
  private readonly unitList: HTMLElement;
  private readonly exportJson: HTMLButtonElement;
  private readonly exportPng: HTMLButtonElement;
  private worker: Worker | null = null;
  private data: PlotData | null = null;
  private surface: Surface | null = null;
  private curves: Curves = { loss: [], train: [], test: [] };
  private epochs = 0;
  private result: RunResult | null = null;
  private paused = false;
  private drawQueued = false;
  private label = '';
  private lastMsPerIteration: number | null = null;
  private units: UnitTable | null = null;
  /** Called the first time a decision surface is drawn after a start. */
  onFirstSurface: (() => void) | null = null;
  /** Called with data coordinates when the user clicks the surface. */
  onSurfaceClick: ((x: number, y: number) => void) | null = null;
  /** Called whenever the status changes. */
  onStatus: (() => void) | null = null;

  constructor(
    private readonly name: string,
    private readonly createWorker: WorkerFactory,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'panel';
    this.element.setAttribute('data-run-panel', '');
    this.element.setAttribute('aria-label', `run ${name}`);
    this.title = this.add('h2', 'panel-title');
    this.statusLine = this.add('p', 'panel-status');
    this.statusLine.setAttribute('role', 'status');
    this.wireLine = this.add('p', 'panel-wire');
    this.wireLine.hidden = true;
    this.surfaceCanvas = this.add('canvas', 'surface') as HTMLCanvasElement;
    this.surfaceCanvas.width = SURFACE_PX;
    this.surfaceCanvas.height = SURFACE_PX;
    this.surfaceCanvas.title = 'click to add a point of the selected class';
    this.surfaceCanvas.addEventListener('click', (event) => {
      if (!this.data || !this.onSurfaceClick) return;
      const rect = this.surfaceCanvas.getBoundingClientRect();
      const [x, y] = toData(this.data.bounds, rect.width, rect.height, event.clientX - rect.left, event.clientY - rect.top);
      this.onSurfaceClick(x, y);
    });
    this.lossCanvas = this.add('canvas', 'curve') as HTMLCanvasElement;
    this.accuracyCanvas = this.add('canvas', 'curve') as HTMLCanvasElement;
    for (const c of [this.lossCanvas, this.accuracyCanvas]) {
      c.width = SURFACE_PX;
      c.height = 110;
    }
    this.numbers = this.add('dl', 'numbers');
    this.unitList = this.add('ol', 'panel-units');
    const buttons = this.add('div', 'panel-buttons');
    this.exportJson = document.createElement('button');
    this.exportJson.textContent = 'Export JSON';
    this.exportJson.addEventListener('click', () => this.downloadJson());
    this.exportPng = document.createElement('button');
    this.exportPng.textContent = 'Export PNG';
    this.exportPng.addEventListener('click', () => this.downloadPng());
    buttons.append(this.exportJson, this.exportPng);
    this.setMethod('');
    this.reset();
  }

  private add(tag: string, className: string): HTMLElement {
    const node = document.createElement(tag);
    node.className = className;
    this.element.append(node);
    return node;
  }

  get status(): PanelStatus {
    return (this.element.dataset.status ?? 'idle') as PanelStatus;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The method shown, or `''` for a hidden panel. */
  setMethod(method: string): void {
    this.label = method;
    this.element.dataset.method = method;
    this.element.hidden = method === '';
    this.title.textContent = `${this.name}: ${method}`;
  }

  /** The box clicked points are drawn in before a run has data of its own. */
  showPending(bounds: PlotData['bounds'], points: ReadonlyArray<readonly [number, number, number]>): void {
    if (this.data) return;
    drawPendingPoints(this.surfaceCanvas, bounds, points);
  }

  /** Stops any run and clears the panel. */
  reset(): void {
    this.worker?.terminate();
    this.worker = null;
    this.data = null;
    this.surface = null;
    this.result = null;
    this.paused = false;
    this.lastMsPerIteration = null;
    this.curves = { loss: [], train: [], test: [] };
    this.epochs = 0;
    this.setAttributes({
      status: 'idle',
      epoch: '0',
      trainAccuracy: '',
      testAccuracy: '',
      backend: '',
      error: '',
      trainPoints: '',
      msPerIteration: '',
      bytesSent: '',
      bytesSentFloat32: '',
    });
    this.element.dataset.workers = '';
    this.element.dataset.replicaBackend = '';
    this.wireLine.hidden = true;
    this.setUnits(null);
    this.statusLine.textContent = 'idle: press Run (or Step)';
    this.exportJson.disabled = true;
    this.exportPng.disabled = true;
    this.draw();
  }

  /** Shows an error without running (e.g. an invalid setting in the link). */
  fail(message: string): void {
    this.reset();
    this.setAttributes({ status: 'error', error: message });
    this.statusLine.textContent = message;
    this.onStatus?.();
  }

  start(config: Omit<RunConfig, 'method'>): void {
    this.reset();
    this.paused = config.startPaused;
    this.setAttributes({ status: 'running' });
    this.statusLine.textContent = 'starting: loading the backend…';
    const worker = this.createWorker();
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      if (this.worker === worker) this.receive(event.data);
    };
    worker.onerror = (event) => {
      if (this.worker === worker)
        this.receive({ type: 'error', message: `the training worker failed: ${event.message || 'unknown error'}`, divergedAtEpoch: null });
    };
    this.send({ type: 'start', config: { ...config, method: this.label } });
    this.onStatus?.();
  }

  pause(): void {
    if (this.status !== 'running' || this.paused) return;
    this.paused = true;
    this.send({ type: 'pause' });
    this.statusLine.textContent = `paused at epoch ${this.element.dataset.epoch}`;
  }

  resume(): void {
    if (this.status !== 'running' || !this.paused) return;
    this.paused = false;
    this.send({ type: 'resume' });
  }

  /** One more epoch of a paused run. */
  step(): void {
    if (this.status === 'running' && this.paused) this.send({ type: 'step' });
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private setAttributes(
    values: Partial<
      Record<
        'status' | 'epoch' | 'trainAccuracy' | 'testAccuracy' | 'backend' | 'error' | 'trainPoints' | 'msPerIteration' | 'bytesSent' | 'bytesSentFloat32',
        string
      >
    >,
  ): void {
    for (const [key, value] of Object.entries(values)) this.element.dataset[key] = value;
  }

  /** Shows the bytes-on-the-wire meter and keeps `data-bytes-sent` / `data-bytes-sent-float32` current. */
  private setWire(wire: WireMeter | undefined): void {
    if (!wire) return;
    this.setAttributes({ bytesSent: String(wire.bytesSent), bytesSentFloat32: String(wire.bytesSentFloat32) });
    if (wire.workers !== undefined) this.element.dataset.workers = String(wire.workers);
    if (wire.replicaBackend !== undefined) this.element.dataset.replicaBackend = wire.replicaBackend;
    this.wireLine.hidden = false;
    const replicas = this.element.dataset.replicaBackend ? `; replicas on ${this.element.dataset.replicaBackend}` : '';
    this.wireLine.textContent = `${formatWire(wire)}${replicas}`;
  }

  /** Shows the per-unit list and keeps `data-unit`, `data-units` and `data-unit-accuracies` current (`''` without units). */
  private setUnits(table: UnitTable | null): void {
    this.units = table;
    Object.assign(this.element.dataset, unitAttributes(table));
    renderUnitTable(this.unitList, table);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'started':
        this.data = message.data;
        this.epochs = message.epochs;
        this.setAttributes({ backend: message.backend, trainPoints: String(message.data.trainY.length) });
        this.statusLine.textContent = `training on ${message.backend}${message.note ? ` (${message.note})` : ''}`;
        this.element.title = message.skipped.length > 0 ? `backends skipped: ${message.skipped.join('; ')}` : '';
        break;
      case 'epoch': {
        this.curves.loss.push([message.epoch, message.loss]);
        if (message.trainAccuracy !== undefined) this.curves.train.push([message.epoch, message.trainAccuracy]);
        if (message.testAccuracy !== undefined) this.curves.test.push([message.epoch, message.testAccuracy]);
        this.lastMsPerIteration = message.msPerIteration;
        this.setAttributes({
          epoch: String(message.epoch),
          ...(message.trainAccuracy === undefined ? {} : { trainAccuracy: String(message.trainAccuracy) }),
          ...(message.testAccuracy === undefined ? {} : { testAccuracy: String(message.testAccuracy) }),
        });
        if (message.surface) this.setSurface(message.surface);
        this.setWire(message.wire);
        if (message.unit) {
          this.epochs = message.unit.units * message.unit.epochsInUnit;
          this.setUnits(recordUnitEpoch(this.units, message.unit, message.trainAccuracy, message.testAccuracy));
        }
        this.statusLine.textContent = this.paused
          ? `paused at epoch ${message.epoch}`
          : `training on ${this.element.dataset.backend}: epoch ${message.epoch} of ${this.epochs}`;
        break;
      }
      case 'paused':
        break;
      case 'done': {
        const r = message.result;
        this.result = r;
        this.lastMsPerIteration = r.msPerIteration;
        this.setSurface(message.surface);
        this.setAttributes({
          status: 'done',
          epoch: String(r.epochs),
          trainAccuracy: String(r.trainAccuracy ?? ''),
          testAccuracy: String(r.testAccuracy ?? ''),
          msPerIteration: String(r.msPerIteration),
        });
        const fields = r as unknown as Record<string, unknown>;
        if (typeof fields.bytesSent === 'number' && typeof fields.bytesSentFloat32 === 'number') {
          const workers = typeof fields.workers === 'number' ? { workers: fields.workers } : {};
          const replicas = message.replicaBackend === undefined ? {} : { replicaBackend: message.replicaBackend };
          this.setWire({ bytesSent: fields.bytesSent, bytesSentFloat32: fields.bytesSentFloat32, ...workers, ...replicas });
        }
        this.statusLine.textContent = `done: ${r.epochs} epoch${r.epochs === 1 ? '' : 's'} in ${r.wallSeconds.toFixed(1)} s on ${r.backend}`;
        this.exportJson.disabled = false;
        this.exportPng.disabled = false;
        this.worker?.terminate();
        this.worker = null;
        this.onStatus?.();
        break;
      }
      case 'error':
        this.setAttributes({ status: 'error', error: message.message });
        this.statusLine.textContent =
          message.divergedAtEpoch !== null ? `${message.message} (the loss stopped being finite; try a lower learning rate)` : message.message;
        this.exportPng.disabled = this.data === null;
        this.worker?.terminate();
        this.worker = null;
        this.onStatus?.();
        break;
    }
    // A finished or failed run draws now: its final surface must be on the canvas when data-status changes (the PNG
    // export and the end-to-end tests read it straight away), not one animation frame later.
    if (message.type === 'done' || message.type === 'error') this.draw();
    else this.queueDraw();
  }

  private setSurface(surface: Surface): void {
    const first = this.surface === null;
    this.surface = surface;
    if (first) this.onFirstSurface?.();
  }

  private queueDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.draw();
    });
  }

  private draw(): void {
    if (this.data || this.surface) drawSurface(this.surfaceCanvas, this.data, this.surface);
    else drawSurface(this.surfaceCanvas, null, null);
    const xMax = Math.max(this.epochs, this.curves.loss.at(-1)?.[0] ?? 1);
    const loss: Series[] = [{ label: 'loss', colour: '#333', points: this.curves.loss }];
    drawCurves(this.lossCanvas, 'training loss (log scale)', loss, { xMax, log: true, format: (v) => v.toPrecision(2) });
    const accuracy: Series[] = [
      { label: 'train', colour: '#1f77b4', points: this.curves.train },
      { label: 'test', colour: '#ff7f0e', points: this.curves.test },
    ];
    drawCurves(this.accuracyCanvas, 'accuracy', accuracy, { xMax, yMin: 0, yMax: 1, format: (v) => `${(v * 100).toFixed(1)}%` });
    const d = this.element.dataset;
    const pct = (v: string | undefined) => (v ? `${(Number(v) * 100).toFixed(1)}%` : '–');
    const rows: Array<[string, string]> = [
      ['epoch', `${d.epoch ?? 0}${this.epochs ? ` / ${this.epochs}` : ''}`],
      ['train accuracy', pct(d.trainAccuracy)],
      ['test accuracy', pct(d.testAccuracy)],
      [
        this.result ? 'ms per iteration (training step)' : 'ms per iteration (wall, with evaluation)',
        this.lastMsPerIteration === null ? '–' : this.lastMsPerIteration.toFixed(2),
      ],
      ['backend', d.backend || '–'],
    ];
    this.numbers.replaceChildren(
      ...rows.flatMap(([k, v]) => [
        Object.assign(document.createElement('dt'), { textContent: k }),
        Object.assign(document.createElement('dd'), { textContent: v }),
      ]),
    );
  }

  private fileStem(): string {
    const r = this.result;
    return r ? `${r.experiment}-${r.method}-seed${r.seed}` : `${this.label}-run`;
  }

  private downloadJson(): void {
    if (!this.result) return;
    download(new Blob([`${JSON.stringify(this.result, null, 2)}\n`], { type: 'application/json' }), `${this.fileStem()}.json`);
  }

  /** The panel's picture: title, surface and both curves, stacked. */
  renderPng(): HTMLCanvasElement {
    const header = 28;
    const out = document.createElement('canvas');
    out.width = SURFACE_PX;
    out.height = header + SURFACE_PX + this.lossCanvas.height + this.accuracyCanvas.height;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = '#000';
    ctx.font = '14px system-ui, sans-serif';
    ctx.fillText(`${this.title.textContent ?? ''} — ${this.statusLine.textContent ?? ''}`.slice(0, 60), 6, 18);
    ctx.drawImage(this.surfaceCanvas, 0, header);
    ctx.drawImage(this.lossCanvas, 0, header + SURFACE_PX);
    ctx.drawImage(this.accuracyCanvas, 0, header + SURFACE_PX + this.lossCanvas.height);
    return out;
  }

  private downloadPng(): void {
    this.renderPng().toBlob((blob) => {
      if (blob) download(blob, `${this.fileStem()}.png`);
    }, 'image/png');
  }
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
