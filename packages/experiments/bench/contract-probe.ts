/**
 * Contract probe (issue 14): runs the reproduction of each "Robustness" / "One contract" item and prints one JSON line
 * `{item, outcome, detail}` per probe. Written to run unchanged against the library before and after the contract
 * work: every API is feature-detected, and a missing one prints `n/a (no such API)`. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type * as TF from '@tensorflow/tfjs';

// biome-ignore lint/suspicious/noExplicitAny: the probe runs against two versions of the API; everything is feature-detected
type Any = any;

// The gzip-bomb child loads only the datasets package, so its peak RSS is mostly what decoding the file costs.
if (process.argv[2] === '--child') {
  const [, , , what, path] = process.argv;
  const datasetsNode: Any = await import('@beyond-backprop/datasets/node');
  const out: Record<string, unknown> = {};
  if (what === 'idx') {
    try {
      const r = datasetsNode.readIdxFile(path);
      out.outcome = `accepted: shape [${r.shape?.join(', ')}]`;
    } catch (e) {
      const err = e as Error;
      out.outcome = `error: ${err?.constructor?.name}: ${String(err?.message).slice(0, 160)}`;
    }
  } else out.outcome = 'baseline';
  out.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify(out));
  process.exit(0);
}

const tf: typeof TF = await import('@tensorflow/tfjs');
const linalg: Any = await import('@beyond-backprop/core-linalg');
const training: Any = await import('@beyond-backprop/training');
const datasets: Any = await import('@beyond-backprop/datasets');
const datasetsNode: Any = await import('@beyond-backprop/datasets/node');
const lra: Any = await import('@beyond-backprop/lra');
const targetSpace: Any = await import('@beyond-backprop/target-space');
const gradientAmp: Any = await import('@beyond-backprop/gradient-amp');

const NA = 'n/a (no such API)';
const print = (item: string, outcome: string, detail: unknown = null) => console.log(JSON.stringify({ item, outcome, detail }));

/** "typed error: Class: message" for the library's own errors, "raw error: Class: message" otherwise. */
function describeError(e: unknown): string {
  const err = e as Error;
  const typed = linalg.BbpError && e instanceof linalg.BbpError;
  const msg = String(err?.message ?? e)
    .replace(/\s+/g, ' ')
    .slice(0, 160);
  return `${typed ? 'typed' : 'raw'} error: ${err?.constructor?.name ?? typeof e}: ${msg}`;
}

async function attempt(run: () => Promise<unknown> | unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

const allFinite = (t: TF.Tensor) => Array.from(t.dataSync()).every(Number.isFinite);
const seq3 = (n: number, t: number, p: number, f: (i: number) => number) =>
  tf.tensor3d(
    Array.from({ length: n * t * p }, (_, i) => f(i)),
    [n, t, p],
  );

await linalg.initBackend({ preference: 'wasm', log: false });
const scratch = mkdtempSync(join(tmpdir(), 'bbp-contract-probe-'));

// ------------------------------------------------------------------------------------------------ 1. labels out of range
{
  const x = tf.tensor2d(
    Array.from({ length: 8 }, (_, i) => Math.sin(i * 1.7)),
    [4, 2],
  );
  const y = tf.tensor1d([0, 1, 7, 0], 'int32');
  const net = new lra.RecLraNetwork({ layerSizes: [2, 4, 2], seed: 1 });
  const r = await attempt(() => net.fit(x, y, { epochs: 1 }));
  print('1. RecLraNetwork label 7 of 2 classes', r.ok ? 'trained silently' : describeError(r.error));
  net.dispose();
  const sx = seq3(3, 4, 3, (i) => Math.cos(i * 0.9));
  const sy = tf.tensor1d([0, 7, 1], 'int32');
  for (const [name, Rnn] of [
    ['LraRnn', lra.LraRnn],
    ['BpttRnn', lra.BpttRnn],
  ] as const) {
    const rnn = new Rnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 });
    const rr = await attempt(() => rnn.fit(sx, sy, { epochs: 1 }));
    print(`1. ${name} label 7 of 2 classes`, rr.ok ? 'trained silently' : describeError(rr.error));
    rnn.dispose();
  }
  const rows = { rows: 4, cols: 2, data: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]) };
  const tsm = new targetSpace.TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: rows, seed: 1, engine: 'float64' });
  const tx = tf.tensor2d(Float32Array.from(rows.data), [4, 2]);
  const ty = tf.tensor1d([0, 1, -5, 0], 'int32');
  const rt = await attempt(() => tsm.fit(tx, ty, { epochs: 1 }));
  print('1. TargetSpaceMlp label -5', rt.ok ? 'trained silently' : describeError(rt.error));
  tsm.dispose();
  tf.dispose([x, y, sx, sy, tx, ty]);
}

// ------------------------------------------------------------------------------------------------ 2. NaN/∞ in x
for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
  const label = Number.isNaN(bad) ? 'NaN' : '∞';
  const x = tf.tensor2d([0, 1, bad, 0, 1, 1], [3, 2]);
  const y = tf.tensor1d([0, 1, 0], 'int32');
  const net = new lra.RecLraNetwork({ layerSizes: [2, 4, 2], seed: 1 });
  const r = await attempt(() => net.fit(x, y, { epochs: 1 }));
  print(`2. RecLraNetwork ${label} in x`, r.ok ? 'trained silently' : describeError(r.error));
  net.dispose();
  const seq = tf.tensor3d([0, 1, 0, bad, 1, 0, 0, 0, 1, 1, 1, 0], [2, 2, 3]);
  const sy = tf.tensor1d([0, 1], 'int32');
  for (const [name, Rnn] of [
    ['LraRnn', lra.LraRnn],
    ['BpttRnn', lra.BpttRnn],
  ] as const) {
    const rnn = new Rnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 });
    const rr = await attempt(() => rnn.fit(seq, sy, { epochs: 1 }));
    print(`2. ${name} ${label} in x`, rr.ok ? 'trained silently' : describeError(rr.error));
    rnn.dispose();
  }
  tf.dispose([x, y, seq, sy]);
}

// ------------------------------------------------------------------------------------------------ 3. fitHead wrong width
{
  const model = training.denseNetwork({ inputSize: 2, hidden: [3], outputs: 2, seed: 1 });
  const x = tf.tensor2d([0, 1, 1, 0, 1, 1, 0, 0, 1], [3, 3]);
  const y = tf.tensor1d([0, 1, 1], 'int32');
  const r = await attempt(() => gradientAmp.fitHead(model, x, y, gradientAmp.createHead('softmax-ce'), { epochs: 1 }));
  print('3. fitHead with input width 3 for a 2-input model', r.ok ? 'trained silently' : describeError(r.error));
  tf.dispose([x, y]);
  model.dispose();
}

// ------------------------------------------------------------------------------------------------ 4. state after divergence
{
  // fitBackprop with plain SGD at a huge step: the loss goes non-finite within a few steps.
  const x = tf.tensor2d([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
  const y = tf.tensor1d([0, 1, 1, 0], 'int32');
  const yHot = tf.oneHot(y, 2).toFloat();
  // Two runs that stop with TrainingDivergedError; the loss is then re-measured (full batch, as in the fit) on the
  // weights the model was left with: non-finite means the kept state is the one that produced the divergence.
  const runs: Array<[string, number[], string, number, (p: TF.Tensor) => TF.Tensor]> = [
    ['softmax cross-entropy, hidden [3], SGD lr 1e38', [3], 'softmaxCrossEntropy', 1e38, (p) => tf.losses.softmaxCrossEntropy(yHot, p)],
    ['mean squared error, hidden [8, 8], SGD lr 1000', [8, 8], 'meanSquaredError', 1000, (p) => tf.losses.meanSquaredError(yHot, p)],
  ];
  for (const [what, hidden, loss, lr, lossOf] of runs) {
    const model = training.denseNetwork({ inputSize: 2, hidden, outputs: 2, seed: 1 });
    const target = loss === 'meanSquaredError' ? yHot : y;
    const r = await attempt(() => training.fitBackprop(model, x, target, { epochs: 50, loss, optimizer: tf.train.sgd(lr) }));
    const out = model.predict(x) as TF.Tensor;
    const kept = tf.tidy(() => lossOf(out).dataSync()[0]);
    const name = r.ok ? 'finished without TrainingDivergedError' : describeError(r.error).split(':').slice(0, 2).join(':');
    print(
      `4. fitBackprop, ${what}: state kept after the stop`,
      `${name}; predict() ${allFinite(out) ? 'finite' : 'NON-FINITE'}; loss of the kept weights ${kept.toExponential(2)}`,
      { predict: Array.from(out.dataSync()).slice(0, 4) },
    );
    tf.dispose([out]);
    model.dispose();
  }
  yHot.dispose();
  // RecLraNetwork with a huge learning rate.
  const net = new lra.RecLraNetwork({ layerSizes: [2, 4, 2], seed: 1, learningRate: 1e38, optimizer: tf.train.sgd(1e38) });
  const r2 = await attempt(() => net.fit(x, y, { epochs: 50, batchSize: 2 }));
  const out2 = net.predict(x) as TF.Tensor;
  const name2 = r2.ok ? 'finished without TrainingDivergedError' : describeError(r2.error).split(':').slice(0, 2).join(':');
  print('4. RecLraNetwork, SGD lr 1e38: predict() after the stop', `${name2}; predict() ${allFinite(out2) ? 'finite' : 'NON-FINITE'}`, {
    predict: Array.from(out2.dataSync()).slice(0, 4),
  });
  tf.dispose([out2, x, y]);
  net.dispose();
  const sx = seq3(4, 3, 3, (i) => Math.cos(i * 0.9));
  const sy = tf.tensor1d([0, 1, 1, 0], 'int32');
  for (const [name, Rnn] of [
    ['LraRnn', lra.LraRnn],
    ['BpttRnn', lra.BpttRnn],
  ] as const) {
    const rnn = new Rnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4, optimizer: tf.train.sgd(1e38) });
    const rr = await attempt(() => rnn.fit(sx, sy, { epochs: 50 }));
    const p = await attempt(() => {
      const o = rnn.predict(sx) as TF.Tensor;
      const v = Array.from(o.dataSync()).slice(0, 4);
      o.dispose();
      return v;
    });
    const nm = rr.ok ? 'finished without TrainingDivergedError' : describeError(rr.error).split(':').slice(0, 2).join(':');
    const pv = p.ok ? `predict() ${(p.value as number[]).every(Number.isFinite) ? 'finite' : 'NON-FINITE'}` : `predict() threw ${describeError(p.error)}`;
    print(`4. ${name}, SGD lr 1e38: predict() after the stop`, `${nm}; ${pv}`, { predict: p.ok ? p.value : null });
    rnn.dispose();
  }
  tf.dispose([sx, sy]);
}

// ------------------------------------------------------------------------------------------------ 5. float64 engine overflow
{
  const rows = { rows: 4, cols: 2, data: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]) };
  const x = tf.tensor2d(Float32Array.from(rows.data), [4, 2]);
  const y = tf.tensor2d([1e30, -1e30, 1e30, -1e30], [4, 1]);
  for (const epochs of [5, 50]) {
    const net = new targetSpace.TargetSpaceMlp(
      { layers: [2, 3, 1] },
      { realisationInputs: rows, seed: 2, engine: 'float64', optimizer: { kind: 'sgd', learningRate: 1e20 } },
    );
    const r = await attempt(() => net.fit(x, y, { epochs }));
    const p = await attempt(() => {
      const out = net.predict(x) as TF.Tensor;
      const finite = allFinite(out);
      out.dispose();
      return finite;
    });
    const pred = p.ok ? `predict() ${p.value ? 'finite' : 'NON-FINITE'}` : `predict() threw ${describeError(p.error)}`;
    if (r.ok) {
      const loss = (r.value as Any)?.history?.loss ?? (r.value as Any)?.loss;
      const last = Array.isArray(loss) ? loss[loss.length - 1] : undefined;
      print(`5. float64 TargetSpaceMlp, targets ±1e30, SGD lr 1e20, ${epochs} epochs`, `fit finished, final loss ${last}; ${pred}`);
    } else print(`5. float64 TargetSpaceMlp, targets ±1e30, SGD lr 1e20, ${epochs} epochs`, `${describeError(r.error)}; ${pred}`);
    net.dispose();
  }
  tf.dispose([x, y]);
}

// ------------------------------------------------------------------------------------------------ 6. files
{
  const self = fileURLToPath(import.meta.url);
  const child = (what: string, path = '') => {
    const res = spawnSync(process.execPath, [...process.execArgv, self, '--child', what, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const line = res.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as { outcome: string; maxRssMiB: number };
    } catch {
      return { outcome: `child failed (status ${res.status}, signal ${res.signal}): ${res.stderr.slice(-300)}`, maxRssMiB: Number.NaN };
    }
  };
  const zeros = 256 * 2 ** 20;
  const gz = gzipSync(Buffer.concat([Buffer.from(datasets.encodeIdx('ubyte', [2, 2], [1, 2, 3, 4])), Buffer.alloc(zeros)]), { level: 9 });
  const bombPath = join(scratch, 'bomb-idx1-ubyte.gz');
  writeFileSync(bombPath, gz);
  const base = child('baseline');
  const bomb = child('idx', bombPath);
  print(
    `6. IDX gzip bomb (${(gz.length / 1024).toFixed(0)} KiB gzip: 16-byte header + 256 MiB zeros) via readIdxFile`,
    `${bomb.outcome}; peak RSS ${bomb.maxRssMiB} MiB`,
    {
      childBaselinePeakRssMiB: base.maxRssMiB,
    },
  );
  const r = await attempt(() => datasets.parseIdx(datasets.encodeIdx('ubyte', [0, 28, 28], []), { file: 'empty-idx3' }));
  print(
    '6. IDX header with a zero dimension (0×28×28)',
    r.ok ? `accepted: shape [${(r.value as Any).shape.join(', ')}], ${(r.value as Any).data.length} values` : describeError(r.error),
  );
  const folder = join(scratch, 'a-folder-idx1-ubyte.gz');
  mkdirSync(folder);
  const read = datasetsNode.readDataFile;
  if (typeof read !== 'function') print('6. folder where a data file is expected (readDataFile)', NA);
  else {
    const rf = await attempt(() => read(folder));
    print('6. folder where a data file is expected (readDataFile)', rf.ok ? 'accepted' : describeError(rf.error));
    const link = join(scratch, 'dangling');
    symlinkSync(join(scratch, 'nowhere'), link);
    const rl = await attempt(() => read(link));
    print('6. dangling link where a data file is expected (readDataFile)', rl.ok ? 'accepted' : describeError(rl.error));
  }
  const ri = await attempt(() => datasetsNode.readIdxFile(folder));
  print('6. folder where an IDX file is expected (readIdxFile)', ri.ok ? 'accepted' : describeError(ri.error));
}

// ------------------------------------------------------------------------------------------------ 7. leaks per call
{
  const x = tf.tensor2d([0, 1, 1, 0, 1, 1], [3, 2]);
  const y = tf.tensor1d([0, 1, 1], 'int32');
  const calls = 3;
  const model = training.denseNetwork({ inputSize: 2, hidden: [3], outputs: 2, seed: 1 });
  await gradientAmp.fitHead(model, x, y, gradientAmp.createHead('softmax-ce'), { epochs: 1 });
  let before = tf.memory().numTensors;
  for (let i = 0; i < calls; i++) await gradientAmp.fitHead(model, x, y, gradientAmp.createHead('softmax-ce'), { epochs: 2 });
  let after = tf.memory().numTensors;
  print('7. fitHead (default optimiser), repeated', `${(after - before) / calls} tensors leaked per call`, { before, after, calls });
  await training.fitBackprop(model, x, y, { epochs: 1 });
  before = tf.memory().numTensors;
  for (let i = 0; i < calls; i++) await training.fitBackprop(model, x, y, { epochs: 2 });
  after = tf.memory().numTensors;
  print('7. fitBackprop (default optimiser), repeated', `${(after - before) / calls} tensors leaked per call`, { before, after, calls });
  model.dispose();
  tf.dispose([x, y]);
}

// ------------------------------------------------------------------------------------------------ 8. empty training split
{
  const root = join(scratch, 'imdb');
  for (const folder of ['train/neg', 'train/pos', 'test/neg', 'test/pos']) mkdirSync(join(root, 'aclImdb', folder), { recursive: true });
  writeFileSync(join(root, 'aclImdb', 'test', 'neg', '0_2.txt'), 'a dull film');
  writeFileSync(join(root, 'aclImdb', 'test', 'pos', '0_9.txt'), 'a good film');
  const r = await attempt(() => datasetsNode.loadImdb({ dir: root, numWords: 10, maxLen: 5 }));
  print('8. loadImdb, aclImdb with no training files', r.ok ? `accepted: train xShape [${(r.value as Any).train?.xShape}]` : describeError(r.error));
  const reviews = { train: { texts: [], labels: [] }, test: { texts: ['good film'], labels: [1] } };
  const r2 = await attempt(() => datasets.imdbFromReviews(reviews, { numWords: 10, maxLen: 5 }));
  print('8. imdbFromReviews, empty train texts', r2.ok ? `accepted: train xShape [${(r2.value as Any).train?.xShape}]` : describeError(r2.error));
}

// ------------------------------------------------------------------------------------------------ 9./10. checkpoints
{
  const spirals = datasets.twoSpirals();
  const n = spirals.train.y.length;
  const x = tf.tensor2d(spirals.train.x, [n, 2]);
  const y = tf.tensor1d(spirals.train.y, 'int32');
  const hasBinary = typeof training.encodeCheckpoint === 'function';
  const roundTrip = (c: unknown) => (hasBinary ? training.decodeCheckpoint(training.encodeCheckpoint(c)) : JSON.parse(JSON.stringify(c)));
  const opts = { realisationInputs: x, seed: 4, engine: 'tfjs', optimizer: { kind: 'adam', learningRate: 0.01 } };
  const arch = { layers: [2, 5, 5, 2], shortcuts: true };
  const straight = new targetSpace.TargetSpaceMlp(arch, opts);
  await straight.fit(x, y, { epochs: 20, batchSize: 16, seed: 9 });
  const first = new targetSpace.TargetSpaceMlp(arch, opts);
  await first.fit(x, y, { epochs: 10, batchSize: 16, seed: 9 });
  const ckpt = roundTrip(await first.checkpoint());
  first.dispose();
  const start = tf.memory().numTensors;
  for (let round = 0; round < 5; round++) (await targetSpace.TargetSpaceMlp.fromCheckpoint(ckpt)).dispose();
  const end = tf.memory().numTensors;
  const resumed = await targetSpace.TargetSpaceMlp.fromCheckpoint(ckpt);
  await resumed.fit(x, y, { epochs: 20, initialEpoch: 10, batchSize: 16, seed: 9 });
  let maxDiff = 0;
  const a = resumed.getTargets() as Array<{ data: ArrayLike<number> }>;
  const b = straight.getTargets() as Array<{ data: ArrayLike<number> }>;
  a.forEach((m, i) => {
    for (let j = 0; j < m.data.length; j++) maxDiff = Math.max(maxDiff, Math.abs(m.data[j] - b[i].data[j]));
  });
  const pa = resumed.predict(x) as TF.Tensor;
  const pb = straight.predict(x) as TF.Tensor;
  const predDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(pa, pb))).dataSync()[0]);
  print(
    '9. TargetSpaceMlp tfjs+Adam [2,5,5,2]+shortcuts: checkpoint at epoch 10 → resume to 20 (batch 16) vs uninterrupted',
    `max |Δparam| ${maxDiff.toExponential(2)}`,
    {
      maxAbsPredictDiff: predDiff,
      checkpointRoundTrip: hasBinary ? 'encode/decodeCheckpoint' : 'JSON',
    },
  );
  print('9. TargetSpaceMlp: 5 checkpoint → fromCheckpoint → dispose rounds', `tensors ${start}→${end}`);
  tf.dispose([pa, pb]);
  resumed.dispose();
  straight.dispose();

  // Checkpoint size of a 156-parameter net (JSON vs the binary form).
  const small = new targetSpace.TargetSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { ...opts, seed: 1 });
  await small.fit(x, y, { epochs: 1, batchSize: 64 });
  const model = small.toLayersModel();
  const params = model.countParams();
  model.dispose();
  const saved = await small.checkpoint();
  const jsonBytes = Buffer.byteLength(JSON.stringify(saved));
  const binBytes = hasBinary ? training.encodeCheckpoint(saved).length : null;
  print(
    `9. checkpoint size, TargetSpaceMlp [2,5,5,5,2]+shortcuts (${params} parameters, ${n} realisation inputs)`,
    `JSON ${(jsonBytes / 1024).toFixed(1)} KiB; binary ${binBytes === null ? NA : `${(binBytes / 1024).toFixed(1)} KiB`}`,
    { jsonBytes, binBytes },
  );
  small.dispose();

  // 10. A NaN saved as null (JSON) in a TargetSpaceMlp checkpoint.
  const tsm = new targetSpace.TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: x, engine: 'tfjs', seed: 1 });
  await tsm.fit(x, y, { epochs: 1 });
  const tc = JSON.parse(JSON.stringify(await tsm.checkpoint()));
  tsm.dispose();
  const t0 = tf.memory().numTensors;
  const field = tc.state?.params ? 'state.params[0].data[1]' : null;
  if (field === null) print('10. TargetSpaceMlp checkpoint with a NaN saved as null', 'n/a (checkpoint has no state.params)');
  else {
    tc.state.params[0].data[1] = null;
    const r = await attempt(() => targetSpace.TargetSpaceMlp.fromCheckpoint(tc));
    if (r.ok) {
      const net = r.value as Any;
      const back = await net.checkpoint();
      print('10. TargetSpaceMlp checkpoint, NaN saved as null at ' + field, `restored as ${back.state.params[0].data[1]}`);
      net.dispose();
    } else print('10. TargetSpaceMlp checkpoint, NaN saved as null at ' + field, describeError(r.error), { tensorsLeaked: tf.memory().numTensors - t0 });
  }

  // RecLra: a NaN saved as null, and failed restores (corrupt field) leaking tensors.
  const rec = new lra.RecLraNetwork({ layerSizes: [2, 4, 2], seed: 1 });
  await rec.fit(x, y, { epochs: 1, batchSize: 100 });
  const rsaved = await rec.checkpoint();
  rec.dispose();
  const fresh = () => JSON.parse(JSON.stringify(rsaved));
  {
    const c = fresh();
    c.params[1].data[3] = null;
    const r0 = tf.memory().numTensors;
    const r = await attempt(() => lra.RecLraNetwork.fromCheckpoint(c));
    if (r.ok) {
      const net = r.value as Any;
      const b = (await net.checkpoint()).params[1].data[3];
      print('10. RecLraNetwork checkpoint, NaN saved as null at params[1].data[3]', `restored as ${b}`);
      net.dispose();
    } else
      print('10. RecLraNetwork checkpoint, NaN saved as null at params[1].data[3]', describeError(r.error), { tensorsLeaked: tf.memory().numTensors - r0 });
  }
  const corruptions: Array<[string, (c: Any) => void]> = [
    ['params[0].shape = [4, 2]', (c) => (c.params[0].shape = [4, 2])],
    ['params.pop()', (c) => c.params.pop()],
    ["optimizer.weights[2].data[0] = 'x'", (c) => (c.optimizer.weights[2].data[0] = 'x')],
    ['config.layerSizes = [2, 4]', (c) => (c.config.layerSizes = [2, 4])],
  ];
  for (const [what, edit] of corruptions) {
    const c = fresh();
    const r = await attempt(() => edit(c));
    if (!r.ok) {
      print(`9. RecLraNetwork failed restore (${what})`, `n/a (checkpoint has no such field: ${describeError(r.error)})`);
      continue;
    }
    const r0 = tf.memory().numTensors;
    const rr = await attempt(() => lra.RecLraNetwork.fromCheckpoint(c));
    const leaked = tf.memory().numTensors - r0;
    if (rr.ok) {
      print(`9. RecLraNetwork failed restore (${what})`, `restore accepted (tensors +${leaked}, the network itself)`);
      (rr.value as Any).dispose();
    } else print(`9. RecLraNetwork failed restore (${what})`, `tensors leaked ${leaked}; ${describeError(rr.error)}`);
  }
  tf.dispose([x, y]);
}

rmSync(scratch, { recursive: true, force: true });
