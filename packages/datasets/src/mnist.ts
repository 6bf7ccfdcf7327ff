/**
 * MNIST and Fashion-MNIST from IDX bytes (browser-safe). The Node.js loaders `loadMnist` and `loadFashionMnist` in
 * `@beyond-backprop/datasets/node` find and read the files; this module turns their bytes into a data set.
 */
import { DatasetFileError } from './dataset-errors.js';
import { decodeIdx, type IdxArray } from './idx-format.js';
import type { Dataset, Split } from './split.js';

/** The four IDX files of an MNIST-format data set, as bytes (raw or gzip). */
export interface MnistFiles {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** Layout options shared by the MNIST-format and CIFAR loaders. */
export interface ImageLayoutOptions {
  /** Divide pixels by 255 so they lie in [0, 1] (what every paper here does). Default `true`; `false` keeps 0–255. */
  scale?: boolean;
  /** Rows of `[n, H·W·C]` instead of NHWC images `[n, H, W, C]`. Default `false`. */
  flatten?: boolean;
}

/** Options of {@link mnistFromIdx}. */
export interface MnistFromIdxOptions extends ImageLayoutOptions {
  /** Data-set name. Default `'mnist'`. */
  name?: string;
  /** File names for messages, e.g. `{ trainImages: 'train-images-idx3-ubyte.gz' }`. Default: the standard names. */
  files?: Partial<Record<keyof MnistFiles, string>>;
  /** Class names (index = label). Default: the digits `'0'` … `'9'`. */
  classNames?: string[];
  /** Paper and section for `source`. */
  source?: string;
}

/** The standard file names of the MNIST distribution (also used by Fashion-MNIST). */
export const MNIST_FILE_NAMES: Readonly<Record<keyof MnistFiles, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Fashion-MNIST's class names (Xiao, Rasul & Vollgraf 2017). */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * An MNIST-format data set (MNIST, Fashion-MNIST, KMNIST, …) from the bytes of its four IDX files, raw or gzip.
 * Validates every file before building anything: magic numbers (images `0x00000803`, labels `0x00000801`),
 * truncation, image/label count agreement, equal image sizes in both splits and labels below the number of classes;
 * any problem throws {@link DatasetFileError} naming the file.
 *
 * `x: [n, 28, 28, 1]` NHWC (or `[n, 784]` with `flatten`), float32 in [0, 1] (or 0–255 with `scale: false`);
 * `y: [n]` labels 0–9. MNIST has 60000 train / 10000 test images.
 *
 * @example
 * ```ts
 * const get = async (f: string) => new Uint8Array(await (await fetch(`/mnist/${f}.gz`)).arrayBuffer());
 * const mnist = await mnistFromIdx({
 *   trainImages: await get('train-images-idx3-ubyte'), trainLabels: await get('train-labels-idx1-ubyte'),
 *   testImages: await get('t10k-images-idx3-ubyte'), testLabels: await get('t10k-labels-idx1-ubyte'),
 * });
 * ```
 */
export async function mnistFromIdx(files: MnistFiles, options: MnistFromIdxOptions = {}): Promise<Dataset<Int32Array>> {
  const names = { ...MNIST_FILE_NAMES, ...options.files };
  const parsed = {} as Record<keyof MnistFiles, { array: IdxArray; file: string }>;
  for (const key of Object.keys(MNIST_FILE_NAMES) as Array<keyof MnistFiles>) {
    const bytes = files?.[key];
    if (!(bytes instanceof Uint8Array)) throw new DatasetFileError(names[key], `missing: pass its bytes as files.${key}`);
    const images = key.endsWith('Images');
    const array = await decodeIdx(bytes, {
      file: names[key],
      expect: images ? { type: 'ubyte', rank: 3, what: 'an image file' } : { type: 'ubyte', rank: 1, what: 'a label file' },
    });
    parsed[key] = { array, file: names[key] };
  }
  return mnistFromParsed(parsed, options);
}

/**
 * Builds the data set from parsed IDX arrays (shared with the Node.js loader, which decompresses with `node:zlib`).
 * @internal
 */
export function mnistFromParsed(parsed: Record<keyof MnistFiles, { array: IdxArray; file: string }>, options: MnistFromIdxOptions = {}): Dataset<Int32Array> {
  const classNames = options.classNames ?? DIGITS;
  const { trainImages, trainLabels, testImages, testLabels } = parsed;
  const [, rows, cols] = trainImages.array.shape as [number, number, number];
  const [, testRows, testCols] = testImages.array.shape as [number, number, number];
  if (testRows !== rows || testCols !== cols) {
    throw new DatasetFileError(testImages.file, `images are ${testRows}×${testCols} but the training images (${trainImages.file}) are ${rows}×${cols}`);
  }
  for (const [images, labels] of [
    [trainImages, trainLabels],
    [testImages, testLabels],
  ] as const) {
    const n = images.array.shape[0];
    const m = labels.array.shape[0];
    if (n !== m) throw new DatasetFileError(labels.file, `has ${m} labels but ${images.file} has ${n} images`);
    if (n === 0) throw new DatasetFileError(images.file, 'holds no images');
    const data = labels.array.data;
    for (let i = 0; i < m; i++) {
      if (data[i] >= classNames.length) throw new DatasetFileError(labels.file, `label ${i} is ${data[i]}, outside 0–${classNames.length - 1}`);
    }
  }
  const split = (images: IdxArray, labels: IdxArray): Split<Int32Array> => {
    const n = images.shape[0];
    return {
      x: pixelsToFloat(images.data as Uint8Array, options.scale ?? true),
      xShape: options.flatten ? [n, rows * cols] : [n, rows, cols, 1],
      y: Int32Array.from(labels.data as Uint8Array),
      yShape: [n],
    };
  };
  return {
    name: options.name ?? 'mnist',
    train: split(trainImages.array, trainLabels.array),
    test: split(testImages.array, testLabels.array),
    numClasses: classNames.length,
    classNames: [...classNames],
    source: options.source ?? 'LeCun, Bottou, Bengio & Haffner (1998), MNIST; used in target-space §5.2, rec-LRA §4, Øland ch. 5–7',
  };
}

/**
 * Bytes 0–255 to float32, divided by 255 when `scale`.
 * @internal
 */
export function pixelsToFloat(bytes: Uint8Array, scale: boolean): Float32Array {
  const out = new Float32Array(bytes.length);
  if (scale) for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  else out.set(bytes);
  return out;
}
