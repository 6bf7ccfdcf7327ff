/**
 * Training progress on the terminal: an animated bar (@clack/prompts) on a TTY, a line every tenth of the run
 * otherwise (CI logs, pipes).
 */
import { progress } from '@clack/prompts';
import type { HistoryEntry, RunOptions } from '@beyond-backprop/experiments';

/** Progress hooks for {@link runExperiment} plus a `finish` to close the bar. */
export interface ProgressReporter {
  onStart: NonNullable<RunOptions['onStart']>;
  onEpoch: NonNullable<RunOptions['onEpoch']>;
  finish(message: string): void;
}

function describe(epoch: number, epochs: number, logs: HistoryEntry): string {
  const acc = (v: number | undefined, name: string) => (v === undefined ? '' : ` · ${name} ${(100 * v).toFixed(1)}%`);
  const mse = (v: number | undefined, name: string) => (v === undefined ? '' : ` · ${name} MSE ${v.toPrecision(3)}`);
  return (
    `epoch ${epoch + 1}/${epochs} · loss ${logs.loss.toPrecision(4)}` +
    `${acc(logs.trainAccuracy, 'train')}${acc(logs.testAccuracy, 'test')}${mse(logs.trainMse, 'train')}${mse(logs.testMse, 'test')}`
  );
}

/** A reporter writing to `stream` (default stderr, so `--json -` output on stdout stays clean). */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let epochs = 1;
  let bar: ReturnType<typeof progress> | null = null;
  let lastTenth = -1;
  const tty = stream.isTTY === true;
  return {
    onStart: (info) => {
      epochs = info.epochs;
      const headline = `bbp run ${info.experiment} --method ${info.method} (${info.epochs} epochs, backend ${info.backend})`;
      if (tty) {
        bar = progress({ max: epochs, output: stream, style: 'heavy' });
        bar.start(headline);
      } else {
        stream.write(`${headline}\n`);
      }
    },
    onEpoch: (epoch, logs) => {
      if (bar) {
        bar.advance(1, describe(epoch, epochs, logs));
        return;
      }
      const tenth = Math.floor(((epoch + 1) * 10) / epochs);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`  ${describe(epoch, epochs, logs)}\n`);
      }
    },
    finish: (message) => {
      if (bar) bar.stop(message);
      else stream.write(`${message}\n`);
      bar = null;
    },
  };
}
