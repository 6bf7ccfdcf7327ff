import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, initBackend } from '@beyond-backprop/core-linalg';
import { fileSystemHandler, loadLayersModel, saveLayersModel } from '../src/node.js';

let dir = '';
beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  dir = await mkdtemp(join(tmpdir(), 'bbp-model-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The InvalidArgumentError `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<InvalidArgumentError> {
  try {
    await promise;
  } catch (e) {
    expect(InvalidArgumentError.isInstance(e)).toBe(true);
    return e as InvalidArgumentError;
  }
  throw new Error('accepted');
}

/** Writes `model.json` (the given object or text) and the weight files into a new folder under `dir`. */
async function folderWith(name: string, modelJSON: unknown, files: Record<string, Uint8Array> = {}): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'model.json'), typeof modelJSON === 'string' ? modelJSON : JSON.stringify(modelJSON));
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(folder, file), bytes);
  return folder;
}

const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);

describe('fileSystemHandler.save', () => {
  it('writes model.json with every artifact field and weights.bin, overwriting a previous save and leaving no temporary file', async () => {
    const folder = join(dir, 'nested', 'fields');
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: { class_name: 'Sequential' },
      weightSpecs: [{ name: 'w', shape: [3], dtype: 'float32' }],
      weightData: [new Uint8Array([1, 2, 3, 4, 5, 6]).buffer, new Uint8Array([7, 8, 9, 10, 11, 12]).buffer],
      format: 'layers-model',
      generatedBy: 'gen',
      convertedBy: 'conv',
      trainingConfig: { loss: 'mse' } as unknown as tf.io.TrainingConfig,
      signature: { sig: 1 },
      userDefinedMetadata: { note: 'meta' },
      modelInitializer: { init: 2 },
      initializerSignature: { initSig: 3 },
    };
    const handler = fileSystemHandler(folder);
    await handler.save!({ ...artifacts, weightData: new ArrayBuffer(0), userDefinedMetadata: { note: 'first' } });
    const result = await handler.save!(artifacts);
    expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(12);
    expect(result.modelArtifactsInfo.modelTopologyBytes).toBe(JSON.stringify(artifacts.modelTopology).length);
    expect(result.modelArtifactsInfo.weightSpecsBytes).toBe(JSON.stringify(artifacts.weightSpecs).length);
    expect((await readdir(folder)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(new Uint8Array(await readFile(join(folder, 'weights.bin')))).toEqual(bytes(12, 1));
    expect(JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'))).toEqual({
      modelTopology: { class_name: 'Sequential' },
      weightsManifest: [{ paths: ['./weights.bin'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] }],
      format: 'layers-model',
      generatedBy: 'gen',
      convertedBy: 'conv',
      trainingConfig: { loss: 'mse' },
      signature: { sig: 1 },
      userDefinedMetadata: { note: 'meta' },
      modelInitializer: { init: 2 },
      initializerSignature: { initSig: 3 },
    });
    // Read back through load: the same fields, specs and bytes.
    const loaded = await handler.load!();
    expect(loaded.userDefinedMetadata).toEqual({ note: 'meta' });
    expect(loaded.weightSpecs).toEqual(artifacts.weightSpecs);
    expect(new Uint8Array(loaded.weightData as ArrayBuffer)).toEqual(bytes(12, 1));
  });

  it('saves a topology without weights as an empty weights.bin and an empty manifest', async () => {
    const folder = join(dir, 'no-weights');
    const result = await fileSystemHandler(`file://${folder}`).save!({ modelTopology: { a: 1 } });
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(0);
    expect((await readFile(join(folder, 'weights.bin'))).length).toBe(0);
    expect(JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'))).toEqual({
      modelTopology: { a: 1 },
      weightsManifest: [{ paths: ['./weights.bin'], weights: [] }],
    });
  });

  it('refuses a binary topology, a non-model and a bad folder by argument name', async () => {
    const binary = await rejection(fileSystemHandler(join(dir, 'binary')).save!({ modelTopology: new ArrayBuffer(8) }));
    expect(binary.fn).toBe('fileSystemHandler.save');
    expect(binary.argument).toBe('artifacts.modelTopology');
    expect(binary.message).toBe(
      `fileSystemHandler.save: argument 'artifacts.modelTopology' must be JSON (binary topologies are not supported), got "an ArrayBuffer"`,
    );
    const model = await rejection(saveLayersModel({} as tf.LayersModel, join(dir, 'not-a-model')));
    expect(model.message).toBe(`saveLayersModel: argument 'model' must be a tf.LayersModel, got object`);
    for (const bad of ['', 7, undefined]) {
      let error: unknown;
      try {
        fileSystemHandler(bad as string);
      } catch (e) {
        error = e;
      }
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).fn).toBe('fileSystemHandler');
      expect((error as InvalidArgumentError).argument).toBe('dir');
      expect((error as InvalidArgumentError).message).toMatch(/^fileSystemHandler: argument 'dir' must be a non-empty folder path, got /);
    }
  });

  it('saves and loads a tf.LayersModel under a file:// prefix, exactly', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'glorotUniform' })] });
    const folder = join(dir, 'prefixed');
    await saveLayersModel(model, `file://${folder}`);
    const loaded = await loadLayersModel(`file://${folder}`);
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())));
    model.dispose();
    loaded.dispose();
  });
});

describe('fileSystemHandler.load', () => {
  it('counts the manifest bytes per dtype (quantised ones by their stored dtype) and joins the weight files in order', async () => {
    const weights = [
      { name: 'f', shape: [2, 3], dtype: 'float32' },
      { name: 'i', shape: [2], dtype: 'int32' },
      { name: 'b', shape: [3], dtype: 'bool' },
      { name: 'q', shape: [5], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } },
      { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 's', shape: [], dtype: 'float32' },
    ];
    // 24 + 8 + 3 + 5 + 4 + 4 = 48 bytes, split over two files in two groups.
    const modelJSON = {
      modelTopology: { t: 1 },
      weightsManifest: [
        { paths: ['./part1.bin'], weights: weights.slice(0, 2) },
        { paths: ['./part2.bin'], weights: weights.slice(2) },
      ],
    };
    const folder = await folderWith('quantised', modelJSON, { 'part1.bin': bytes(30), 'part2.bin': bytes(18, 30) });
    const artifacts = await fileSystemHandler(folder).load!();
    expect(artifacts.modelTopology).toEqual({ t: 1 });
    expect(artifacts.weightSpecs).toEqual(weights);
    expect(new Uint8Array(artifacts.weightData as ArrayBuffer)).toEqual(bytes(48));
    await writeFile(join(folder, 'part2.bin'), bytes(17));
    expect((await rejection(fileSystemHandler(folder).load!())).message).toBe(
      `fileSystemHandler.load: argument 'dir' must hold 48 weight bytes as the manifest describes, got "47 bytes"`,
    );
    await writeFile(join(folder, 'part2.bin'), bytes(19));
    expect((await rejection(fileSystemHandler(folder).load!())).message).toMatch(/must hold 48 weight bytes .*, got "49 bytes"/);
  });

  it('rejects unknown weight dtypes, shapes that are not arrays, and model.json files without the two fields', async () => {
    const manifest = (spec: object) => ({ modelTopology: {}, weightsManifest: [{ paths: ['./weights.bin'], weights: [spec] }] });
    const complex = await folderWith('complex', manifest({ name: 'c', shape: [1], dtype: 'complex64' }), { 'weights.bin': bytes(8) });
    const error = await rejection(fileSystemHandler(complex).load!());
    expect(error.argument).toBe('dir');
    expect(error.message).toBe(`fileSystemHandler.load: argument 'dir' must hold a model.json with known weight dtypes, got "complex64"`);
    const shapeless = await folderWith('shapeless', manifest({ name: 'c', shape: 4, dtype: 'float32' }), { 'weights.bin': bytes(16) });
    expect((await rejection(fileSystemHandler(shapeless).load!())).message).toMatch(/must hold a model\.json with known weight dtypes, got "float32"/);
    for (const [name, text] of [
      ['null', 'null'],
      ['number', '3'],
      ['no-topology', '{"weightsManifest": []}'],
      ['no-manifest', '{"modelTopology": {}}'],
      ['object-manifest', '{"modelTopology": {}, "weightsManifest": {}}'],
    ]) {
      const folder = await folderWith(name, text);
      const refused = await rejection(fileSystemHandler(folder).load!());
      expect(refused.message).toBe(
        `fileSystemHandler.load: argument 'dir' must hold a model.json with modelTopology and weightsManifest, got ${JSON.stringify(folder)}`,
      );
    }
  });

  it('names the folder for unreadable, missing or invalid files', async () => {
    const folder = join(dir, 'is-a-folder');
    await mkdir(join(folder, 'model.json'), { recursive: true });
    const notFile = await rejection(fileSystemHandler(folder).load!());
    expect(notFile.fn).toBe('fileSystemHandler.load');
    expect(notFile.message).toBe(
      `fileSystemHandler.load: argument 'dir' must hold a readable ${join(folder, 'model.json')} (not a regular file), got ${JSON.stringify(join(folder, 'model.json'))}`,
    );
    const missing = await rejection(loadLayersModel(join(dir, 'absent')));
    expect(missing.message).toBe(
      `fileSystemHandler.load: argument 'dir' must hold a readable ${join(dir, 'absent', 'model.json')} (ENOENT), got ${JSON.stringify(join(dir, 'absent', 'model.json'))}`,
    );
    const junk = await folderWith('junk', 'not json');
    expect((await rejection(fileSystemHandler(junk).load!())).message).toMatch(
      new RegExp(`^fileSystemHandler\\.load: argument 'dir' must hold a valid model\\.json \\(.+\\), got ${JSON.stringify(junk).replace(/[.\\/]/g, '\\$&')}$`),
    );
    const noWeights = await folderWith('no-weight-file', { modelTopology: {}, weightsManifest: [{ paths: ['./weights.bin'], weights: [] }] });
    expect((await rejection(fileSystemHandler(noWeights).load!())).message).toContain(`must hold a readable ${join(noWeights, 'weights.bin')} (ENOENT)`);
  });
});
