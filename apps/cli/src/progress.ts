/**
 * Training progress on the terminal: one redrawn status line (bar + numbers, cut to the terminal width so it never
 * wraps) on a capable TTY, and a plain line every tenth of the run otherwise — pipes, CI logs, `TERM=dumb`, and
 * terminals that report no width (0 or unknown columns), where cursor control would print literally.
 */
import type { HistoryEntry, MethodRun, RunOptions } from '@beyond-backprop/experiments';

/** Progress hooks for {@link runExperiment} plus a `finish` to close the line. */
export interface ProgressReporter {
  onStart: NonNullable<RunOptions['onStart']>;
  /** `epoch` is 0-based (as `history[].epoch`); the line shows it from 1. `run` may name the epoch its own way. */
  onEpoch: (epoch: number, logs: HistoryEntry, run?: Pick<MethodRun, 'epochLabel'>) => void;
  /** Ends the progress output with `message`; does nothing when the run never started. */
  finish(message: string): void;
}

/** What the reporter needs to know about its terminal. */
export interface TerminalInfo {
  /** Whether the stream is a TTY. */
  isTTY: boolean;
  /** Its width in columns; `undefined` or 0 when unknown. */
  columns: number | undefined;
  /** `$TERM`. */
  term: string | undefined;
}

/** Narrowest terminal the redrawn line is used on; narrower (or unknown) widths get plain lines. */
export const MIN_BAR_COLUMNS = 40;

/** `'bar'`: one line redrawn in place; `'lines'`: plain lines, no escape codes. */
export function progressMode(terminal: TerminalInfo): 'bar' | 'lines' {
  if (!terminal.isTTY || terminal.term === 'dumb') return 'lines';
  if (!terminal.columns || !Number.isFinite(terminal.columns) || terminal.columns < MIN_BAR_COLUMNS) return 'lines';
  return 'bar';
}

/**
 * The numbers of one epoch, e.g. `epoch 3/10 · loss 0.1234 · train 97.0%`. `epoch` counts from 1 (the third epoch
 * has completed; its history entry has `epoch: 2`). `label` replaces `epoch 3/10`, e.g. `unit 2/3 · epoch 4/5`.
 */
export function describeEpoch(epoch: number, epochs: number, logs: HistoryEntry, label = `epoch ${epoch}/${epochs}`): string {
  const acc = (v: number | undefined, name: string) => (v === undefined ? '' : ` · ${name} ${(100 * v).toFixed(1)}%`);
  const mse = (v: number | undefined, name: string) => (v === undefined ? '' : ` · ${name} MSE ${v.toPrecision(3)}`);
  return (
    `${label} · loss ${logs.loss.toPrecision(4)}` +
    `${acc(logs.trainAccuracy, 'train')}${acc(logs.testAccuracy, 'test')}${mse(logs.trainMse, 'train')}${mse(logs.testMse, 'test')}`
  );
}

/** Cuts `text` to at most `width` characters, marking a cut with `…`. */
export function fitToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/**
 * One frame of the redrawn line: carriage return, erase line, then `[#####-----] 50% epoch …`, at most `columns − 1`
 * visible characters (the last column is left free: writing into it wraps on many terminals).
 */
export function renderBarFrame(done: number, total: number, status: string, columns: number): string {
  const width = columns - 1;
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const percent = `${Math.floor(100 * fraction)}%`.padStart(4);
  const barWidth = Math.max(5, Math.min(30, Math.floor(width / 4)));
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  return `\r\x1b[2K${fitToWidth(`${bar}${percent} ${status}`, width)}`;
}

/**
 * A reporter writing to `stream` (default stderr, so results on stdout stay clean). `terminal` defaults to what the
 * stream and the environment say.
 */
export function createProgressReporter(
  stream: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number } = process.stderr,
  terminal: TerminalInfo = { isTTY: stream.isTTY === true, columns: stream.columns, term: process.env.TERM },
): ProgressReporter {
  const mode = progressMode(terminal);
  const columns = terminal.columns ?? 0;
  let epochs = 1;
  let oneShot = false;
  let started = false;
  let lastTenth = -1;
  let drawn = false;
  return {
    onStart: (info) => {
      started = true;
      epochs = info.totalEpochs;
      oneShot = info.oneShot;
      const plan = info.oneShot ? 'one-shot closed-form fit' : info.totalEpochs === info.epochs ? `${info.epochs} epochs` : `${info.totalEpochs} epochs in all`;
      const headline = `bbp run ${info.experiment} --method ${info.method} (${plan}, backend ${info.backend}, engine ${info.engine})`;
      stream.write(`${mode === 'bar' ? fitToWidth(headline, columns - 1) : headline}\n`);
    },
    onEpoch: (epoch, logs, run) => {
      const status = describeEpoch(epoch + 1, epochs, logs, oneShot ? 'fitted' : run?.epochLabel?.(epoch));
      if (mode === 'bar') {
        stream.write(renderBarFrame(epoch + 1, epochs, status, columns));
        drawn = true;
        return;
      }
      const tenth = Math.floor(((epoch + 1) * 10) / epochs);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`  ${status}\n`);
      }
    },
    finish: (message) => {
      if (!started) return;
      if (mode === 'bar' && drawn) stream.write(`\r\x1b[2K${fitToWidth(message, columns - 1)}\n`);
      else stream.write(`${message}\n`);
      started = false;
      drawn = false;
    },
  };
}
