import { describe, expect, it } from 'vitest';
import { createProgressReporter, fitToWidth, progressMode, renderBarFrame, type TerminalInfo } from '../src/progress.js';

const ESC = '\x1b';
const start = { experiment: 'two-spirals', method: 'target-space', epochs: 1500, totalEpochs: 1500, backend: 'wasm', engine: 'float64', oneShot: false };
const logs = { epoch: 0, loss: 0.123456, trainAccuracy: 0.97, testAccuracy: 0.955 };

/** Runs a reporter through a whole run on a fake terminal and returns everything it wrote. */
function session(terminal: TerminalInfo, epochs = 1500): string {
  let out = '';
  const reporter = createProgressReporter({ write: (s: string) => ((out += s), true) } as never, terminal);
  reporter.onStart({ ...start, epochs, totalEpochs: epochs });
  for (let e = 0; e < epochs; e++) reporter.onEpoch(e, { ...logs, epoch: e });
  reporter.finish('done in 1.23 s');
  return out;
}

/** The visible lines a terminal would show after carriage returns and erase-line codes. */
function visibleLines(out: string): string[] {
  return out.split('\n').map((line) => {
    const frames = line.split('\r');
    return frames[frames.length - 1].replaceAll(`${ESC}[2K`, '');
  });
}

describe('progress on odd and ordinary terminals', () => {
  it.each([0, undefined])('a terminal reporting %s columns gets plain lines: no escape codes, one line per tenth', (columns) => {
    const out = session({ isTTY: true, columns, term: 'xterm-256color' });
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\r');
    const lines = out.trimEnd().split('\n');
    expect(lines.length).toBe(1 + 11 + 1); // headline, the first epoch and one line per tenth, the final message
    expect(lines[0]).toContain('bbp run two-spirals --method target-space');
    expect(lines.at(-1)).toBe('done in 1.23 s');
  });

  it('TERM=dumb gets plain lines even on a wide TTY', () => {
    const out = session({ isTTY: true, columns: 200, term: 'dumb' });
    expect(out).not.toContain(ESC);
    expect(out.trimEnd().split('\n').length).toBe(13);
  });

  it('a pipe gets plain lines', () => {
    expect(progressMode({ isTTY: false, columns: 120, term: 'xterm' })).toBe('lines');
    expect(session({ isTTY: false, columns: undefined, term: undefined })).not.toContain(ESC);
  });

  it.each([80, 110, 40])('at %i columns every frame and the headline fit in one line (nothing wraps or is cut mid-escape)', (columns) => {
    const terminal = { isTTY: true, columns, term: 'xterm-256color' };
    expect(progressMode(terminal)).toBe('bar');
    const out = session(terminal, 50);
    for (const frame of out.split(/[\r\n]/)) {
      const visible = frame.replaceAll(`${ESC}[2K`, '');
      expect(visible.length, JSON.stringify(visible)).toBeLessThan(columns);
      expect(visible).not.toContain(ESC);
    }
    const lines = visibleLines(out).filter((l) => l !== '');
    // headline, then the last frame was replaced by the final message: two lines on screen.
    expect(lines).toEqual([expect.stringContaining('bbp run two-spirals'), 'done in 1.23 s']);
  });

  it('the bar shows the fraction done and the epoch counted from 1', () => {
    const frame = renderBarFrame(25, 100, 'epoch 25/100 · loss 0.1', 110);
    expect(frame.startsWith(`\r${ESC}[2K[`)).toBe(true);
    expect(frame).toContain('25% epoch 25/100');
    const out = session({ isTTY: true, columns: 110, term: 'xterm' }, 4);
    expect(out).toContain('epoch 1/4');
    expect(out).toContain('epoch 4/4');
    expect(out).not.toContain('epoch 0/4');
  });

  it('fitToWidth cuts with an ellipsis and never exceeds the width', () => {
    expect(fitToWidth('abcdef', 4)).toBe('abc…');
    expect(fitToWidth('abc', 4)).toBe('abc');
    expect(fitToWidth('abc', 0)).toBe('');
  });

  it('finish before start writes nothing (no stray "failed" line for a usage error)', () => {
    let out = '';
    const reporter = createProgressReporter({ write: (s: string) => ((out += s), true) } as never, { isTTY: true, columns: 80, term: 'xterm' });
    reporter.finish('failed');
    expect(out).toBe('');
  });

  it("counts to the epochs reported in all and uses the run's own label (layer-wise: unit and epoch within it)", () => {
    let out = '';
    const reporter = createProgressReporter({ write: (s: string) => ((out += s), true) } as never, { isTTY: false, columns: undefined, term: undefined });
    reporter.onStart({ ...start, method: 'dll', epochs: 5, totalEpochs: 15, engine: 'tfjs' });
    const run = { epochLabel: (e: number) => `unit ${Math.floor(e / 5) + 1}/3 · epoch ${(e % 5) + 1}/5` };
    for (let e = 0; e < 15; e++) reporter.onEpoch(e, { ...logs, epoch: e }, run);
    reporter.finish('done');
    expect(out).toContain('(15 epochs in all, backend wasm, engine tfjs)');
    expect(out).toContain('unit 1/3 · epoch 1/5');
    expect(out).toContain('unit 3/3 · epoch 5/5');
    expect(out).not.toMatch(/epoch ([6-9]|1\d)\/5/);
  });

  it('a one-shot fit is described as such: no epoch count in the headline or the line', () => {
    let out = '';
    const reporter = createProgressReporter({ write: (s: string) => ((out += s), true) } as never, { isTTY: false, columns: undefined, term: undefined });
    reporter.onStart({ ...start, method: 'platonic', epochs: 1500, totalEpochs: 1, engine: 'float64', oneShot: true });
    reporter.onEpoch(0, { ...logs, epoch: 0 });
    reporter.finish('done');
    expect(out).toContain('(one-shot closed-form fit, backend wasm, engine float64)');
    expect(out).toContain('fitted · loss');
    expect(out).not.toMatch(/1500|epoch/);
  });
});
