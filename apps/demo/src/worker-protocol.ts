/**
 * Messages between the page and a training worker (one worker per panel, so a method that diverges or hangs never
 * stops the other). Types only: nothing here pulls TensorFlow.js into the page's bundle.
 */
import type { RunResult, UnitProgress } from '@beyond-backprop/experiments';
import type { CsvPoints } from './csv-points.js';
import type { AddedPoint, DemoActivation, DemoBackend, DemoDataset } from './hash-state.js';

/** One panel's run, fully resolved from the page state. */
export interface RunConfig {
  dataset: DemoDataset;
  method: string;
  epochs?: number;
  seed: number;
  hidden?: number[];
  activation?: DemoActivation;
  lr?: number;
  optimizer?: 'adam' | 'sgd';
  noise: number;
  realisation?: number;
  backend: DemoBackend;
  points: AddedPoint[];
  /** Uploaded points replacing the data set (split 70/30 into train/test with the seed). */
  csv?: CsvPoints;
  /** Cells per side of the decision-surface grid. */
  gridSize: number;
  /** Start paused (the "step" button on an idle panel): run one epoch, then wait. */
  startPaused: boolean;
  /** data-parallel: replicas (Web Workers) and weight codec. */
  workers?: number;
  codec?: string;
}

/** What every method of the catalogue can train, for the page's selects and hash validation. */
export interface CatalogueEntry {
  name: string;
  description: string;
  source?: string;
  /** Data sets it trains as the experiment defines them. */
  datasets: string[];
  /** Data sets it trains only without shortcut connections (the panel then drops them and says so). */
  withoutShortcuts: string[];
}

export interface ExperimentInfo {
  name: string;
  description: string;
  epochs: number;
  hidden: number[];
  activation: string;
  shortcuts: boolean;
  learningRate: number;
  optimizer: string;
  batchSize: number | null;
}

/** Inputs and labels of both splits, for drawing. */
export interface PlotData {
  trainX: Float32Array;
  trainY: Int32Array;
  testX: Float32Array;
  testY: Int32Array;
  numClasses: number;
  /** `[xMin, xMax, yMin, yMax]` of the surface. */
  bounds: [number, number, number, number];
}

/** A decision surface: per grid cell (row-major, y from top), the arg-max class and its probability. */
export interface Surface {
  size: number;
  classes: Uint8Array;
  confidence: Float32Array;
}

/** Payload bytes a method exchanged so far (methods that synchronise encoded weights, e.g. `compressed-sync`). */
export interface WireMeter {
  /** Bytes actually sent (encoded weights). */
  bytesSent: number;
  /** What the same exchanges cost as raw float32. */
  bytesSentFloat32: number;
  /** Replicas exchanging them (data-parallel). */
  workers?: number;
  /** The backends the data-parallel replicas loaded (`cpu`; `webgl,wasm` when some fell back). */
  replicaBackend?: string;
}

export type ToWorker = { type: 'catalogue' } | { type: 'start'; config: RunConfig } | { type: 'pause' } | { type: 'resume' } | { type: 'step' };

export type FromWorker =
  | { type: 'catalogue'; methods: CatalogueEntry[]; experiments: ExperimentInfo[] }
  | { type: 'started'; backend: string; skipped: string[]; note: string | null; epochs: number; data: PlotData }
  | {
      type: 'epoch';
      epoch: number;
      loss: number;
      trainAccuracy?: number;
      testAccuracy?: number;
      msPerIteration: number;
      surface?: Surface;
      wire?: WireMeter;
      unit?: UnitProgress;
    }
  | { type: 'paused'; paused: boolean }
  | { type: 'done'; result: RunResult; surface: Surface; replicaBackend?: string }
  | { type: 'error'; message: string; divergedAtEpoch: number | null };
