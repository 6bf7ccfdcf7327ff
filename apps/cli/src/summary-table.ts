/**
 * The end-of-run summary printed by `bbp run`.
 */
import type { RunResult } from '@beyond-backprop/experiments';

/**
 * Box-drawn two-column table of a run's measured numbers. A one-shot (closed-form) fit shows its solves and fit time
 * instead of epochs and time per iteration.
 */
export function summaryTable(result: RunResult): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const stopped = result.stopReason === 'completed' ? '' : ` (${result.stopReason})`;
  // A result read back from JSON written before the engine field existed does not say.
  const engine = typeof result.engine === 'string' ? result.engine : '–';
  const rows: Array<[string, string]> = [
    ['experiment', result.experiment],
    ['method', result.method],
    ['backend', result.backend],
    ['engine', engine],
    ['seed', String(result.seed)],
    ...(result.oneShot === true
      ? ([
          ['training', `one-shot closed-form fit${stopped}`],
          ['solves', String(result.iterations)],
        ] as Array<[string, string]>)
      : ([
          ['epochs', `${result.epochs}${stopped}`],
          ['iterations', String(result.iterations)],
        ] as Array<[string, string]>)),
    ...(result.trainAccuracy !== null
      ? ([
          ['train accuracy', pct(result.trainAccuracy)],
          ['test accuracy', pct(result.testAccuracy ?? 0)],
          ...(result.bestTestAccuracy !== null && result.bestTestAccuracy !== result.testAccuracy
            ? ([['best test accuracy', pct(result.bestTestAccuracy)]] as Array<[string, string]>)
            : []),
          ...(result.targetAccuracy !== null
            ? ([
                [
                  `reached ${pct(result.targetAccuracy)}`,
                  result.firstIterationAtTarget === null ? 'no' : `at iteration ${result.firstIterationAtTarget} (epoch ${result.firstEpochAtTarget! + 1})`,
                ],
              ] as Array<[string, string]>)
            : []),
        ] as Array<[string, string]>)
      : ([
          ['train MSE', (result.trainMse ?? Number.NaN).toPrecision(4)],
          ['test MSE', (result.testMse ?? Number.NaN).toPrecision(4)],
        ] as Array<[string, string]>)),
    [result.oneShot === true ? 'fit loss' : 'final loss', result.finalLoss.toPrecision(4)],
    result.oneShot === true
      ? ['fit time', `${((result.msPerIteration * result.iterations) / 1000).toFixed(3)} s`]
      : ['ms / iteration', result.msPerIteration.toFixed(3)],
    ['wall time', `${result.wallSeconds.toFixed(2)} s`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const line = (l: string, m: string, r: string) => `${l}${'─'.repeat(w0 + 2)}${m}${'─'.repeat(w1 + 2)}${r}`;
  return [line('┌', '┬', '┐'), ...rows.map(([k, v]) => `│ ${k.padEnd(w0)} │ ${v.padEnd(w1)} │`), line('└', '┴', '┘')].join('\n');
}
