#!/usr/bin/env node
/**
 * `pnpm gen:package <name> [--root <dir>]`: scaffolds an algorithm package in the shape every package here has
 * (CONTRIBUTING.md "A package"): package.json, tsconfigs, vitest config, README, src/index.ts, a working trainer that
 * follows the shared contract (runFitLoop from training, divergence rollback, checkpoint / fromCheckpoint,
 * toLayersModel), a test, bench/, a docs guide listed in docs/typedoc.json, and a `bbp` method registered in
 * the experiment runner (packages/experiments). The trainer is a softmax regression: replace its step with the new algorithm and keep the rest.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = resolve(rootFlag >= 0 ? args[rootFlag + 1] : join(dirname(fileURLToPath(import.meta.url)), '..'));
const name = args.find((a, i) => !a.startsWith('--') && (rootFlag < 0 || i !== rootFlag + 1));
if (!name || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
  console.error('usage: pnpm gen:package <name>   (kebab-case, e.g. layerwise)');
  process.exit(1);
}
const dir = join(root, 'packages', name);
if (existsSync(dir)) {
  console.error(`gen:package: packages/${name} already exists`);
  process.exit(1);
}
const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = camel[0].toUpperCase() + camel.slice(1);
const Trainer = `${pascal}Trainer`;
const pkg = `@beyond-backprop/${name}`;
const tfVersion = JSON.parse(readFileSync(join(root, 'packages/training/package.json'), 'utf8')).devDependencies['@tensorflow/tfjs'];
const tsxVersion = JSON.parse(readFileSync(join(root, 'packages/training/package.json'), 'utf8')).devDependencies.tsx;

const files = {
  'package.json':
    JSON.stringify(
      {
        name: pkg,
        version: '0.0.0',
        description: `${pascal}: a beyond-backprop training algorithm on TensorFlow.js`,
        license: 'MIT',
        type: 'module',
        sideEffects: false,
        exports: {
          '.': { '@beyond-backprop/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' },
          './package.json': './package.json',
        },
        main: './dist/index.js',
        types: './dist/index.d.ts',
        files: ['dist', 'src', 'README.md'],
        scripts: {
          build: 'tsc -p tsconfig.build.json',
          typecheck: 'tsc -p tsconfig.json --noEmit',
          test: 'vitest run',
          bench: 'node --conditions=@beyond-backprop/source --import tsx bench/bench.ts',
          docs: 'typedoc --options ../../docs/typedoc.package.json --tsconfig tsconfig.json --readme README.md --out docs-api src/index.ts',
        },
        dependencies: { '@beyond-backprop/core-linalg': 'workspace:^', '@beyond-backprop/training': 'workspace:^' },
        peerDependencies: { '@tensorflow/tfjs': '^4.22.0', '@tensorflow/tfjs-node': '^4.22.0', '@tensorflow/tfjs-node-gpu': '^4.22.0' },
        peerDependenciesMeta: { '@tensorflow/tfjs-node': { optional: true }, '@tensorflow/tfjs-node-gpu': { optional: true } },
        devDependencies: { '@tensorflow/tfjs': tfVersion, tsx: tsxVersion },
        publishConfig: { access: 'public' },
        repository: { type: 'git', url: 'https://github.com/beyond-backprop/beyond-backprop.git', directory: `packages/${name}` },
        keywords: [name, 'tensorflow.js'],
      },
      null,
      2,
    ) + '\n',
  'tsconfig.json': `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "noEmit": true,
    "customConditions": ["@beyond-backprop/source"],
    "rootDir": "."
  },
  "include": ["src", "test", "bench"]
}
`,
  'tsconfig.build.json': `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist"
  },
  "include": ["src"]
}
`,
  'vitest.config.ts': `import { workspaceProject } from '../../vitest.shared.js';

export default workspaceProject('${name}');
`,
  'README.md': `# ${pkg}

${pascal} for TensorFlow.js, trained through the shared beyond-backprop fit loop (seeded minibatches, tfjs-style
callbacks, \`AbortSignal\`, divergence rollback, exact checkpoint resume) and exportable as a \`tf.LayersModel\`.

\`\`\`sh
npm install ${pkg} @tensorflow/tfjs
\`\`\`

\`\`\`ts
import * as tf from '@tensorflow/tfjs';
import { ${Trainer} } from '${pkg}';

const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tf.tensor1d([0, 0, 1, 1], 'int32');
const trainer = new ${Trainer}({ inputSize: 2, classes: 2, learningRate: 0.5, seed: 1 });
await trainer.fit(x, y, { epochs: 200 });
trainer.predict(x).argMax(-1).print();   // [0, 0, 1, 1]
\`\`\`
`,
  'src/index.ts': `/**
 * \`${pkg}\` — ${pascal}: {@link ${Trainer}} trains through the shared fit loop of \`@beyond-backprop/training\`.
 *
 * @packageDocumentation
 */
export { ${Trainer}, type ${Trainer}Checkpoint, type ${Trainer}Config, type ${Trainer}FitOptions } from './${name}-trainer.js';
`,
  [`src/${name}-trainer.ts`]: `/**
 * The ${name} trainer. It starts as a softmax regression (\`logits = x·W + b\`) trained by gradient steps, wired to the
 * shared contract every beyond-backprop trainer follows: \`runFitLoop\` for epochs, batches, callbacks, abort and
 * divergence (with the parameters of the last finite loss kept), \`checkpoint()\` / \`fromCheckpoint()\` for an exact
 * resume, and \`toLayersModel()\` for tfjs interop. Replace {@link ${Trainer}.trainStep} with the algorithm's update.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkClassLabels, checkNumber, checkTensor, createRng } from '@beyond-backprop/core-linalg';
import { backpropBatch, runFitLoop, softmaxCrossEntropy, variableSnapshots, type FitOptions, type History } from '@beyond-backprop/training';

/** Configuration of a {@link ${Trainer}}. */
export interface ${Trainer}Config {
  /** Input features \`d\`. */
  inputSize: number;
  /** Classes \`k\`. */
  classes: number;
  /** SGD step. Default 0.1. */
  learningRate?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** Options of {@link ${Trainer}.fit}: the shared fit options. */
export type ${Trainer}FitOptions = FitOptions;

/** What {@link ${Trainer}.checkpoint} saves. */
export interface ${Trainer}Checkpoint {
  format: 'beyond-backprop/${name}';
  version: 1;
  config: Required<${Trainer}Config>;
  weights: number[];
  bias: number[];
  iterations: number;
}

/**
 * A ${name} classifier: \`x: [n, d]\` float32 → logits \`[n, k]\`, trained on int32 labels \`[n]\`.
 *
 * @example
 * \`\`\`ts
 * const trainer = new ${Trainer}({ inputSize: 2, classes: 2, seed: 1 });
 * await trainer.fit(x, labels, { epochs: 100, batchSize: 32 });
 * \`\`\`
 */
export class ${Trainer} {
  readonly config: Required<${Trainer}Config>;
  /** Updates applied so far. */
  iterations = 0;
  private readonly w: tf.Variable;
  private readonly b: tf.Variable;
  private readonly optimizer: tf.Optimizer;

  constructor(config: ${Trainer}Config) {
    const fn = '${Trainer}';
    if (config === null || typeof config !== 'object') throw new InvalidArgumentError(fn, 'config', 'must be an object', config);
    checkNumber(fn, 'config.inputSize', config.inputSize, { min: 1, integer: true });
    checkNumber(fn, 'config.classes', config.classes, { min: 2, integer: true });
    const learningRate = config.learningRate ?? 0.1;
    checkNumber(fn, 'config.learningRate', learningRate, { min: 0, exclusiveMin: true });
    const seed = config.seed ?? 0;
    checkNumber(fn, 'config.seed', seed, { integer: true });
    this.config = { inputSize: config.inputSize, classes: config.classes, learningRate, seed };
    const std = Math.sqrt(1 / config.inputSize);
    this.w = tf.variable(createRng(seed).normalTensor([config.inputSize, config.classes], { std }));
    this.b = tf.variable(tf.zeros([config.classes]));
    this.optimizer = tf.train.sgd(learningRate);
  }

  /** Logits \`[n, k]\` for \`x: [n, d]\`. */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    checkTensor('${Trainer}.predict', 'x', x, { shape: [null, this.config.inputSize], dtype: 'float32' });
    return tf.tidy(() => tf.add(tf.matMul(x, this.w), this.b)) as tf.Tensor2D;
  }

  /**
   * One update on rows \`indices\`: returns the batch loss, and applies nothing when it is not finite (the fit loop
   * then raises \`TrainingDivergedError\`). This is the line to replace with the new algorithm's update.
   */
  trainStep(x: tf.Tensor2D, y: tf.Tensor1D, indices: Int32Array): number {
    const loss = (yb: tf.Tensor, out: tf.Tensor) => softmaxCrossEntropy(yb, out);
    const forward = (xb: tf.Tensor) => tf.add(tf.matMul(xb as tf.Tensor2D, this.w), this.b);
    const value = backpropBatch(x, y, indices, loss, forward, [this.w, this.b], this.optimizer);
    if (Number.isFinite(value)) this.iterations++;
    return value;
  }

  /** Trains with the shared fit loop. \`x: [n, d]\` float32, \`y: [n]\` int32 labels in \`[0, k)\`. */
  async fit(x: tf.Tensor2D, y: tf.Tensor1D, options: ${Trainer}FitOptions): Promise<History> {
    const fn = '${Trainer}.fit';
    const dims = {};
    checkTensor(fn, 'x', x, { shape: ['n', this.config.inputSize], dtype: 'float32', finite: true }, dims);
    checkClassLabels(fn, 'y', y, this.config.classes, { n: 'n', dims });
    return runFitLoop(fn, x.shape[0], options, {
      trainBatch: (indices) => this.trainStep(x, y, indices),
      state: variableSnapshots(() => [this.w, this.b]),
    });
  }

  /** The parameters and the update count, for an exact resume with {@link ${Trainer}.fromCheckpoint}. */
  checkpoint(): ${Trainer}Checkpoint {
    return {
      format: 'beyond-backprop/${name}',
      version: 1,
      config: { ...this.config },
      weights: Array.from(this.w.dataSync()),
      bias: Array.from(this.b.dataSync()),
      iterations: this.iterations,
    };
  }

  /** Rebuilds a trainer from {@link ${Trainer}.checkpoint}. */
  static fromCheckpoint(checkpoint: ${Trainer}Checkpoint): ${Trainer} {
    const fn = '${Trainer}.fromCheckpoint';
    if (checkpoint?.format !== 'beyond-backprop/${name}' || checkpoint.version !== 1) {
      throw new InvalidArgumentError(fn, 'checkpoint', "must be a 'beyond-backprop/${name}' version 1 checkpoint", checkpoint?.format);
    }
    const trainer = new ${Trainer}(checkpoint.config);
    const { inputSize, classes } = trainer.config;
    if (checkpoint.weights?.length !== inputSize * classes) throw new InvalidArgumentError(fn, 'checkpoint.weights', \`must hold \${inputSize * classes} values\`, checkpoint.weights);
    if (checkpoint.bias?.length !== classes) throw new InvalidArgumentError(fn, 'checkpoint.bias', \`must hold \${classes} values\`, checkpoint.bias);
    checkNumber(fn, 'checkpoint.iterations', checkpoint.iterations, { min: 0, integer: true });
    tf.tidy(() => {
      trainer.w.assign(tf.tensor2d(checkpoint.weights, [inputSize, classes]));
      trainer.b.assign(tf.tensor1d(checkpoint.bias));
    });
    trainer.iterations = checkpoint.iterations;
    return trainer;
  }

  /** The same function as a standard \`tf.LayersModel\` (one dense layer, linear logits). */
  toLayersModel(): tf.LayersModel {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [this.config.inputSize], units: this.config.classes })] });
    model.layers[0]!.setWeights([this.w, this.b]);
    return model;
  }

  /** Frees the parameters and the optimiser. */
  dispose(): void {
    tf.dispose([this.w, this.b]);
    this.optimizer.dispose();
  }
}
`,
  [`test/${name}.test.ts`]: `import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, initBackend } from '@beyond-backprop/core-linalg';
import { ${Trainer} } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const x = () => tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1], [0.2, 0.1], [0.9, 0.8]]);
const y = () => tf.tensor1d([0, 0, 1, 1, 0, 1], 'int32');

describe('${Trainer}', () => {
  it('separates a linearly separable problem', async () => {
    const trainer = new ${Trainer}({ inputSize: 2, classes: 2, learningRate: 0.5, seed: 1 });
    const [xs, ys] = [x(), y()];
    await trainer.fit(xs, ys, { epochs: 300 });
    const predicted = tf.tidy(() => Array.from(tf.argMax(trainer.predict(xs), -1).dataSync()));
    expect(predicted).toEqual([0, 0, 1, 1, 0, 1]);
    trainer.dispose();
    tf.dispose([xs, ys]);
  });

  it('resumes from a checkpoint exactly and keeps tensors flat', async () => {
    const [xs, ys] = [x(), y()];
    const full = new ${Trainer}({ inputSize: 2, classes: 2, seed: 2 });
    await full.fit(xs, ys, { epochs: 6, batchSize: 2, seed: 3 });
    const half = new ${Trainer}({ inputSize: 2, classes: 2, seed: 2 });
    let saved: ReturnType<${Trainer}['checkpoint']> | null = null;
    await half.fit(xs, ys, { epochs: 3, batchSize: 2, seed: 3, checkpoint: { save: () => void (saved = half.checkpoint()) } });
    const resumed = ${Trainer}.fromCheckpoint(saved!);
    const before = tf.memory().numTensors;
    await resumed.fit(xs, ys, { epochs: 6, batchSize: 2, seed: 3, initialEpoch: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.checkpoint().weights).toEqual(full.checkpoint().weights);
    resumed.dispose();
    for (const t of [full, half]) t.dispose();
    tf.dispose([xs, ys]);
  });

  it('exports a tf.LayersModel with the same predictions', () => {
    const trainer = new ${Trainer}({ inputSize: 2, classes: 2, seed: 4 });
    const xs = x();
    const model = trainer.toLayersModel();
    const [a, b] = [trainer.predict(xs), model.predict(xs) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, xs]);
    model.dispose();
    trainer.dispose();
  });

  it('rejects labels out of range with a typed error naming y', async () => {
    const trainer = new ${Trainer}({ inputSize: 2, classes: 2 });
    const [xs, bad] = [x(), tf.tensor1d([0, 0, 1, 7, 0, 1], 'int32')];
    await expect(trainer.fit(xs, bad, { epochs: 1 })).rejects.toThrow(InvalidArgumentError);
    trainer.dispose();
    tf.dispose([xs, bad]);
  });
});
`,
  'bench/bench.ts': `/**
 * ${name} bench: one JSON line with the mean time of an update on a 1000 × 32 problem (wall time; noisy on shared
 * machines — compare ratios measured in the same process).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@beyond-backprop/core-linalg';
import { ${Trainer} } from '../src/index.js';

await initBackend({ preference: 'wasm', log: false });
const rng = createRng(1);
const x = rng.normalTensor([1000, 32]) as tf.Tensor2D;
const y = tf.tensor1d(Array.from({ length: 1000 }, () => rng.int(10)), 'int32');
const trainer = new ${Trainer}({ inputSize: 32, classes: 10, seed: 1 });
const history = await trainer.fit(x, y, { epochs: 3, batchSize: 100 });
console.log(JSON.stringify({ bench: '${name}-step', msPerIteration: history.msPerIteration, finalLoss: history.history.loss!.at(-1) }));
trainer.dispose();
tf.dispose([x, y]);
`,
};

for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

// Docs: a guide page, listed in the typedoc site.
const guide = join(root, 'docs/guides', `${name}.md`);
writeFileSync(
  guide,
  `---
title: ${name}
---

# ${pkg}

\`${Trainer}\` maps \`x: [n, d]\` to logits \`[n, k]\` and trains through \`runFitLoop\` from \`@beyond-backprop/training\`, so it
takes the shared fit options (\`epochs\`, \`batchSize\`, \`seed\`, \`callbacks\`, \`signal\`, \`checkpoint\`, \`initialEpoch\`).

- **Update.** One gradient step per minibatch on the softmax cross-entropy (\`trainStep\`); a non-finite loss applies
  nothing, and \`TrainingDivergedError\` leaves the parameters of the last finite loss.
- **Resume.** \`checkpoint()\` saves the parameters and the update count; \`${Trainer}.fromCheckpoint(saved)\` followed by
  \`fit(…, { initialEpoch: k + 1 })\` replays exactly the batches of an uninterrupted run.
- **Interop.** \`toLayersModel()\` returns the same function as a \`tf.LayersModel\`.

\`\`\`ts
const trainer = new ${Trainer}({ inputSize: 2, classes: 2, learningRate: 0.5, seed: 1 });
await trainer.fit(x, labels, { epochs: 200, batchSize: 32 });
const model = trainer.toLayersModel();
\`\`\`

Command line: \`pnpm bbp run two-moons --method ${name}\`.
`,
);
const typedocPath = join(root, 'docs/typedoc.json');
const typedoc = JSON.parse(readFileSync(typedocPath, 'utf8'));
if (!typedoc.projectDocuments.includes(`guides/${name}.md`)) typedoc.projectDocuments.splice(typedoc.projectDocuments.length - 1, 0, `guides/${name}.md`);
writeFileSync(typedocPath, JSON.stringify(typedoc, null, 2) + '\n');

// The experiment runner (CLI and playground): a method, listed in builtinMethods of packages/experiments, and the
// dependency of the experiments package.
writeFileSync(
  join(root, 'packages/experiments/src/methods', `${name}.ts`),
  `/**
 * \`${name}\`: the ${Trainer} of \`${pkg}\` on dense classification experiments.
 */
import * as tf from '@tensorflow/tfjs';
import { readValues } from '@beyond-backprop/core-linalg';
import { ${Trainer} } from '${pkg}';
import type { Method, MethodContext, MethodRun } from '../registry.js';

function create(ctx: MethodContext): MethodRun {
  const { data } = ctx;
  const n = data.train.xShape[0]!;
  const d = data.train.xShape.slice(1).reduce((p, v) => p * v, 1);
  const trainer = new ${Trainer}({ inputSize: d, classes: data.numClasses ?? 2, learningRate: ctx.learningRate, seed: ctx.seed });
  const x = tf.tensor2d(data.train.x, [n, d]);
  const y = tf.tensor1d(data.train.y as Int32Array, 'int32');
  return {
    fit: (callbacks, signal) => trainer.fit(x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, callbacks, signal }),
    predict: (xv, shape) => readValues(() => trainer.predict(tf.tensor2d(xv, [shape[0]!, d]))) as Float32Array,
    dispose: () => {
      trainer.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** The ${name} method. */
export const ${camel}Method: Method = {
  name: '${name}',
  description: '${Trainer} from ${pkg}',
  supports: (experiment) => experiment.task === 'classification' && experiment.architecture.kind === 'dense',
  create,
};
`,
);
const pluginsPath = join(root, 'packages/experiments/src/plugins.ts');
let plugins = readFileSync(pluginsPath, 'utf8');
const registryImport = "import { registerExperiment, registerMethod, type Experiment, type Method } from './registry.js';";
const listEnd = /(export const builtinMethods: readonly Method\[\] = \[[\s\S]*?)\n\];/;
if (!plugins.includes(registryImport) || !listEnd.test(plugins)) {
  console.error('gen:package: packages/experiments/src/plugins.ts no longer has the builtinMethods list this script edits');
  process.exit(1);
}
plugins = plugins.replace(registryImport, `import { ${camel}Method } from './methods/${name}.js';\n${registryImport}`);
plugins = plugins.replace(listEnd, `$1\n  ${camel}Method,\n];`);
writeFileSync(pluginsPath, plugins);
const cliPkgPath = join(root, 'packages/experiments/package.json');
const cliPkg = JSON.parse(readFileSync(cliPkgPath, 'utf8'));
cliPkg.dependencies[pkg] = 'workspace:^';
writeFileSync(cliPkgPath, JSON.stringify(cliPkg, null, 2) + '\n');

console.log(`created packages/${name}, docs/guides/${name}.md, packages/experiments/src/methods/${name}.ts; registered the method and the guide.
next: pnpm install && pnpm --filter ${pkg} test && pnpm changeset`);
