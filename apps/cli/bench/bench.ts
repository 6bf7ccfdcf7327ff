/**
 * bbp benchmark: one short two-spirals backprop run end to end, summarised as one JSON line (history omitted).
 * Run: `pnpm --filter @beyond-backprop/cli bench`.
 */
import { runExperiment } from '../src/index.js';

const { result, run } = await runExperiment({ experiment: 'two-spirals', method: 'backprop', epochs: 300, seed: 0 });
run.dispose();
const { history, ...summary } = result;
console.log(JSON.stringify({ bench: 'bbp-run', ...summary, historyLength: history.length }));
