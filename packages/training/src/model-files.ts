/**
 * A Node.js file IO handler for `tf.LayersModel` in the standard tfjs layout (`model.json` + `weights.bin`), so
 * `model.save` / `tf.loadLayersModel` work in Node without `@tensorflow/tfjs-node` (whose `file://` handler is what
 * "Cannot find any save handlers" is missing).
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

function checkDir(fn: string, dir: unknown): string {
  if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError(fn, 'dir', 'must be a non-empty folder path', dir);
  return dir.startsWith('file://') ? dir.slice('file://'.length) : dir;
}

async function readIn(fn: string, path: string): Promise<Buffer> {
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a regular file');
    return await readFile(path);
  } catch (error) {
    throw new InvalidArgumentError(fn, 'dir', `must hold a readable ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, path);
  }
}

/**
 * A `tf.io.IOHandler` reading and writing `dir/model.json` and `dir/weights.bin` in the format of tfjs's own
 * `file://` handler and `tfjs-converter`: pass it to `model.save(…)` and `tf.loadLayersModel(…)`. Loading checks
 * that `weights.bin` holds exactly the bytes the manifest describes before decoding anything. A `file://` prefix on
 * `dir` is accepted.
 *
 * @example
 * ```ts
 * import { fileSystemHandler } from '@beyond-backprop/training/node';
 * await net.toLayersModel().save(fileSystemHandler('./model'));
 * const model = await tf.loadLayersModel(fileSystemHandler('./model'));
 * ```
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  const folder = checkDir('fileSystemHandler', dir);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new InvalidArgumentError(
          'fileSystemHandler.save',
          'artifacts.modelTopology',
          'must be JSON (binary topologies are not supported)',
          'an ArrayBuffer',
        );
      }
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.concatenateArrayBuffers(artifacts.weightData);
      const modelJSON: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      for (const key of ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const) {
        if (artifacts[key] !== undefined) modelJSON[key] = artifacts[key];
      }
      await mkdir(folder, { recursive: true });
      // Weights first, then model.json by rename: a reader never sees a model.json without its weights.
      await writeFile(join(folder, WEIGHTS_BIN), new Uint8Array(weightData));
      const temporary = join(folder, `${MODEL_JSON}.${process.pid}.tmp`);
      await writeFile(temporary, JSON.stringify(modelJSON));
      await rename(temporary, join(folder, MODEL_JSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData }) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const fn = 'fileSystemHandler.load';
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse((await readIn(fn, join(folder, MODEL_JSON))).toString('utf8')) as tf.io.ModelJSON;
      } catch (error) {
        if (InvalidArgumentError.isInstance(error)) throw error;
        throw new InvalidArgumentError(fn, 'dir', `must hold a valid ${MODEL_JSON} (${(error as Error).message})`, folder);
      }
      if (modelJSON === null || typeof modelJSON !== 'object' || modelJSON.modelTopology === undefined || !Array.isArray(modelJSON.weightsManifest)) {
        throw new InvalidArgumentError(fn, 'dir', `must hold a ${MODEL_JSON} with modelTopology and weightsManifest`, folder);
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = tf.io.getWeightSpecs(manifest);
        const expected = specs.reduce((sum, s) => {
          const size = BYTES_PER_ELEMENT[s.quantization?.dtype ?? s.dtype];
          if (size === undefined || !Array.isArray(s.shape))
            throw new InvalidArgumentError(fn, 'dir', `must hold a ${MODEL_JSON} with known weight dtypes`, s.dtype);
          return sum + size * s.shape.reduce((a, b) => a * b, 1);
        }, 0);
        const buffers: Buffer[] = [];
        for (const group of manifest) for (const path of group.paths) buffers.push(await readIn(fn, join(folder, path)));
        const total = buffers.reduce((a, b) => a + b.length, 0);
        if (total !== expected) throw new InvalidArgumentError(fn, 'dir', `must hold ${expected} weight bytes as the manifest describes`, `${total} bytes`);
        const data = new Uint8Array(total);
        let offset = 0;
        for (const b of buffers) {
          data.set(b, offset);
          offset += b.length;
        }
        return [specs, data.buffer];
      });
    },
  };
}

/**
 * Saves `model` to `dir` (`model.json` + `weights.bin`) with {@link fileSystemHandler}.
 *
 * @example
 * ```ts
 * await saveLayersModel(net.toLayersModel(), './model');
 * ```
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  if (!(model instanceof tf.LayersModel)) throw new InvalidArgumentError('saveLayersModel', 'model', 'must be a tf.LayersModel', model);
  return model.save(fileSystemHandler(dir));
}

/**
 * Loads a model saved by {@link saveLayersModel} (or by tfjs-node's `file://` handler) with `tf.loadLayersModel`.
 *
 * @example
 * ```ts
 * const model = await loadLayersModel('./model');
 * ```
 */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileSystemHandler(dir));
}
