/**
 * `@beyond-backprop/datasets` — the data sets of the beyond-backprop papers, generated from a seed or read from local
 * files, as plain typed arrays with one row per example.
 *
 * - **Synthetic sets** (seeded, bit-identical everywhere): {@link twoSpirals}, {@link sampledTwoSpirals},
 *   {@link checkerboard}, {@link sinusoidBoundary}, {@link mixedFrequency}, {@link sineFit}, {@link xor},
 *   {@link twoMoons}, {@link gaussianBlobs}; sequence tasks {@link delayedMemorisation}, {@link delayedAddition},
 *   {@link temporalOrder}, {@link temporalOrder3Bit}, {@link randomPermutation}, {@link addingProblem}.
 * - **Real sets from bytes** (browser-safe): {@link parseIdx} / {@link decodeIdx} and {@link mnistFromIdx}, {@link
 *   parseCifarBatch} and {@link cifarFromBatches}, {@link imdbFromReviews} with its tokenizer. The Node.js loaders
 *   (`loadMnist`, `loadFashionMnist`, `loadCifar10`, `loadCifar100`, `loadImdb`) live in
 *   `@beyond-backprop/datasets/node`.
 * - **Preprocessing**: {@link scaleToUnitRange}, {@link flattenInputs}, {@link fitChannelMean},
 *   {@link globalContrastNormalize}, {@link fitZca}, {@link oneHotLabels}, {@link trainValidationSplit}.
 * - **Batching**: {@link permutation}, {@link shuffleSplit}, {@link selectExamples}, {@link minibatchIndices},
 *   {@link minibatches}, {@link realisationBatch}, {@link toTensors}, {@link toTfDataset}.
 *
 * @packageDocumentation
 */
export { checkSplit, numExamples, oneHot, toTensors, type Dataset, type Split } from './split.js';
export { DatasetFileError, DatasetNotFoundError } from './dataset-errors.js';

export { twoSpirals, type TwoSpiralsOptions } from './two-spirals.js';
export { sampledTwoSpirals, type SampledTwoSpiralsOptions } from './sampled-two-spirals.js';
export { checkerboard, type CheckerboardOptions } from './checkerboard.js';
export { PROCEDURAL_SHAPE_CLASSES, proceduralShapes, type ProceduralShapesOptions } from './procedural-shapes.js';
export { mixedFrequency, type MixedFrequencyOptions } from './mixed-frequency.js';
export { sinusoidBoundary, type SinusoidBoundaryOptions } from './sinusoid-boundary.js';
export { sineFit, type SineFitOptions } from './sine-fit.js';
export { xor, type XorOptions } from './xor.js';
export { twoMoons, type TwoMoonsOptions } from './two-moons.js';
export { gaussianBlobs, type GaussianBlobsOptions } from './gaussian-blobs.js';
export { delayedAddition, delayedMemorisation, type BitStreamOptions } from './bit-stream-tasks.js';
export {
  addingProblem,
  randomPermutation,
  temporalOrder,
  temporalOrder3Bit,
  temporalTaskBatch,
  type TemporalTask,
  type TemporalTaskOptions,
} from './temporal-tasks.js';

export { gunzip, isGzip } from './gzip.js';
export { decodeIdx, encodeIdx, idxDeclaredLength, parseIdx, type IdxArray, type IdxExpectation, type IdxType } from './idx-format.js';
export { FASHION_MNIST_CLASSES, MNIST_FILE_NAMES, mnistFromIdx, type ImageLayoutOptions, type MnistFiles, type MnistFromIdxOptions } from './mnist.js';
export {
  CIFAR10_CLASSES,
  cifarFromBatches,
  parseCifarBatch,
  type CifarBatch,
  type CifarBatchOptions,
  type CifarFromBatchesOptions,
  type CifarVariant,
} from './cifar.js';
export {
  FIRST_WORD_ID,
  OOV_ID,
  PAD_ID,
  START_ID,
  buildVocabulary,
  encodeTokens,
  imdbFromReviews,
  padSequences,
  tokenize,
  type ImdbDataset,
  type ImdbOptions,
  type Reviews,
  type Vocabulary,
} from './text-tokenizer.js';

export { flattenInputs, scaleToUnitRange } from './input-scaling.js';
export { fitChannelMean, type ChannelMeanTransform, type FittedTransform } from './channel-mean.js';
export { globalContrastNormalize, type ContrastNormalizationOptions } from './contrast-normalization.js';
export { fitZca, type ZcaTransform } from './zca-whitening.js';
export { oneHotLabels } from './label-encoding.js';
export { trainValidationSplit, type ValidationSplitOptions } from './validation-split.js';

export {
  minibatchIndices,
  minibatches,
  permutation,
  realisationBatch,
  selectExamples,
  shuffleSplit,
  type Minibatch,
  type MinibatchIndices,
  type MinibatchOptions,
} from './batching.js';
export { toTfDataset, type TfDatasetOptions } from './tf-dataset.js';
