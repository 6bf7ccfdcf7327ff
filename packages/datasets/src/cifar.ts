/**
 * CIFAR-10 and CIFAR-100 from their binary batches (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny
 * Images"; the "binary version" files). Browser-safe: the Node.js loaders `loadCifar10` / `loadCifar100` in
 * `@beyond-backprop/datasets/node` find and read the files.
 */
import { DatasetFileError } from './dataset-errors.js';
import { pixelsToFloat, type ImageLayoutOptions } from './mnist.js';
import type { Dataset, Split } from './split.js';

/** Which CIFAR binary format. */
export type CifarVariant = 'cifar-10' | 'cifar-100';

/** One parsed CIFAR binary batch. */
export interface CifarBatch {
  /** Images as bytes, NHWC `[count, 32, 32, 3]` (converted from the file's planar R, G, B layout). */
  images: Uint8Array;
  /** Labels: CIFAR-10 classes 0–9, or CIFAR-100 fine (0–99) / coarse (0–19) labels, per `label`. */
  labels: Int32Array;
  count: number;
}

/** Options of {@link parseCifarBatch}. */
export interface CifarBatchOptions {
  /** `'cifar-10'`: records `<label><3072 pixels>`; `'cifar-100'`: `<coarse><fine><3072 pixels>`. Default `'cifar-10'`. */
  variant?: CifarVariant;
  /** CIFAR-100 only: which label to return. Default `'fine'` (100 classes). */
  label?: 'fine' | 'coarse';
  /** File name for messages. */
  file?: string;
}

/** CIFAR-10's class names, as in `batches.meta.txt`. */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const PIXELS = 32 * 32;

/**
 * Parses one CIFAR binary batch (`data_batch_1.bin` … `test_batch.bin`, or CIFAR-100's `train.bin` / `test.bin`).
 * Throws {@link DatasetFileError} naming the file when it is empty, when its length is not a whole number of records
 * (truncated or another format) or when a label is out of range.
 *
 * @example
 * ```ts
 * const batch = parseCifarBatch(bytes, { file: 'data_batch_1.bin' });   // 10000 images
 * batch.images.length;   // 10000·32·32·3
 * ```
 */
export function parseCifarBatch(bytes: Uint8Array, options: CifarBatchOptions = {}): CifarBatch {
  const variant = options.variant ?? 'cifar-10';
  const file = options.file ?? '<bytes>';
  if (!(bytes instanceof Uint8Array)) throw new DatasetFileError(file, 'expected the file contents as a Uint8Array');
  const labelBytes = variant === 'cifar-100' ? 2 : 1;
  const record = labelBytes + 3 * PIXELS;
  if (bytes.length === 0) throw new DatasetFileError(file, 'is empty');
  if (bytes.length % record !== 0) {
    throw new DatasetFileError(
      file,
      `truncated or not a ${variant} binary batch: ${bytes.length} bytes is not a whole number of ${record}-byte records ` +
        `(${Math.floor(bytes.length / record)} records and ${bytes.length % record} bytes left over)`,
    );
  }
  const count = bytes.length / record;
  const labelAt = variant === 'cifar-100' && (options.label ?? 'fine') === 'fine' ? 1 : 0;
  const labels = new Int32Array(count);
  const images = new Uint8Array(count * 3 * PIXELS);
  for (let r = 0; r < count; r++) {
    const at = r * record;
    for (let k = 0; k < labelBytes; k++) {
      const limit = variant === 'cifar-10' ? 10 : k === 0 ? 20 : 100;
      if (bytes[at + k] >= limit) {
        throw new DatasetFileError(
          file,
          `record ${r} has ${variant === 'cifar-10' ? 'label' : k === 0 ? 'coarse label' : 'fine label'} ${bytes[at + k]}, outside 0–${limit - 1}: corrupt, or not a ${variant} batch`,
        );
      }
    }
    labels[r] = bytes[at + labelAt];
    // Planar (1024 R, 1024 G, 1024 B, each row-major) to interleaved HWC.
    const src = at + labelBytes;
    const dst = r * 3 * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      images[dst + 3 * p] = bytes[src + p];
      images[dst + 3 * p + 1] = bytes[src + PIXELS + p];
      images[dst + 3 * p + 2] = bytes[src + 2 * PIXELS + p];
    }
  }
  return { images, labels, count };
}

/** Options of {@link cifarFromBatches}. */
export interface CifarFromBatchesOptions extends ImageLayoutOptions {
  variant?: CifarVariant;
  /** CIFAR-100 only. Default `'fine'`. */
  label?: 'fine' | 'coarse';
  /** Class names (index = label); default CIFAR-10's names, none for CIFAR-100. */
  classNames?: string[];
  /** File names for messages, in the order of `files.train`, then the test file. */
  names?: { train?: string[]; test?: string };
}

/**
 * A CIFAR data set from the bytes of its binary batches: `train` is the list of training batches in order
 * (CIFAR-10: `data_batch_1.bin` … `data_batch_5.bin`; CIFAR-100: `train.bin`), `test` the test batch. Every batch is
 * validated before the data set is built.
 *
 * `x: [n, 32, 32, 3]` NHWC (or `[n, 3072]` with `flatten`, HWC order), float32 in [0, 1] (0–255 with
 * `scale: false`); `y: [n]`. CIFAR-10: 50000 / 10000 images, 10 classes; CIFAR-100: 50000 / 10000, 100 fine or 20
 * coarse classes.
 *
 * @example
 * ```ts
 * const cifar = cifarFromBatches({ train: [b1, b2, b3, b4, b5], test: t });
 * ```
 */
export function cifarFromBatches(files: { train: Uint8Array[]; test: Uint8Array }, options: CifarFromBatchesOptions = {}): Dataset<Int32Array> {
  const variant = options.variant ?? 'cifar-10';
  const label = options.label ?? 'fine';
  const trainNames = options.names?.train ?? (variant === 'cifar-10' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['train.bin']);
  const testName = options.names?.test ?? (variant === 'cifar-10' ? 'test_batch.bin' : 'test.bin');
  if (!Array.isArray(files?.train) || files.train.length === 0)
    throw new DatasetFileError(trainNames[0] ?? 'train', 'missing: pass the training batches as files.train');
  const train = files.train.map((bytes, i) => parseCifarBatch(bytes, { variant, label, file: trainNames[i] ?? `train batch ${i + 1}` }));
  const test = parseCifarBatch(files.test, { variant, label, file: testName });
  const classes = variant === 'cifar-10' ? 10 : label === 'fine' ? 100 : 20;
  const toSplit = (batches: CifarBatch[]): Split<Int32Array> => {
    const n = batches.reduce((s, b) => s + b.count, 0);
    const bytes = new Uint8Array(n * 3 * PIXELS);
    const y = new Int32Array(n);
    let at = 0;
    for (const b of batches) {
      bytes.set(b.images, at * 3 * PIXELS);
      y.set(b.labels, at);
      at += b.count;
    }
    return { x: pixelsToFloat(bytes, options.scale ?? true), xShape: options.flatten ? [n, 3 * PIXELS] : [n, 32, 32, 3], y, yShape: [n] };
  };
  const classNames = options.classNames ?? (variant === 'cifar-10' ? [...CIFAR10_CLASSES] : undefined);
  return {
    name: variant === 'cifar-10' ? 'cifar-10' : `cifar-100-${label}`,
    train: toSplit(train),
    test: toSplit([test]),
    numClasses: classes,
    ...(classNames ? { classNames } : {}),
    source: 'Krizhevsky (2009), CIFAR; used in target-space §5.2, rec-LRA §4 (CIFAR-10), Øland ch. 6',
  };
}
