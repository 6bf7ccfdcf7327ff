/**
 * The `bbp` command line: `bbp list` and `bbp run <experiment> [options]`.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { BbpError } from '@beyond-backprop/core-linalg';
import { registerBuiltins } from './plugins.js';
import { renderRunSvg } from './plot-svg.js';
import { createProgressReporter } from './progress.js';
import { listExperiments, listMethods } from './registry.js';
import { optionKey, runExperiment, type RunOptions } from './runner.js';
import { summaryTable } from './summary-table.js';

const VERSION = '0.0.0';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CommanderArgumentError(`expected an integer, got '${value}'`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new CommanderArgumentError(`expected a number > 0, got '${value}'`);
  return n;
}

/** Writes text to a file, or to stdout for `-`. */
function writeOutput(target: string, text: string): void {
  if (target === '-') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  else writeFileSync(target, text);
}

/** Builds the commander program (exported for tests). */
export function createProgram(): Command {
  registerBuiltins();
  const program = new Command();
  program.name('bbp').description('Run and compare beyond-backprop training experiments').version(VERSION).showHelpAfterError();
  // Set before adding commands: commander copies these settings into each subcommand when it is created.
  program.exitOverride();
  program.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('list')
    .description('list experiments and methods')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const experiments = listExperiments();
      const methods = listMethods();
      if (opts.json) {
        const out = {
          experiments: experiments.map((e) => ({
            name: e.name,
            description: e.description,
            source: e.source,
            defaultMethod: e.defaults.method,
            methods: methods.filter((m) => m.supports(e)).map((m) => m.name),
          })),
          methods: methods.map((m) => ({ name: m.name, description: m.description, source: m.source ?? null })),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const pad = Math.max(...[...experiments, ...methods].map((x) => x.name.length));
      process.stdout.write('Experiments:\n');
      for (const e of experiments) {
        const usable = methods.filter((m) => m.supports(e)).map((m) => m.name);
        process.stdout.write(`  ${e.name.padEnd(pad)}  ${e.description}\n  ${''.padEnd(pad)}  methods: ${usable.join(', ')} (default ${e.defaults.method}, ${e.defaults.epochs} epochs)\n`);
      }
      process.stdout.write('\nMethods:\n');
      for (const m of methods) process.stdout.write(`  ${m.name.padEnd(pad)}  ${m.description}\n`);
    });

  const run = program
    .command('run <experiment>')
    .description('train one method on one experiment and report measured numbers')
    .option('-m, --method <name>', 'training method (see bbp list)')
    .option('-e, --epochs <n>', 'epochs (default: the experiment’s)', integer)
    .option('-s, --seed <n>', 'random seed for data, initialisation and batches', integer, 0)
    .option('--batch-size <n>', 'examples per update (default: the experiment’s)', integer)
    .option('--lr <rate>', 'learning rate (default: the experiment’s)', positiveNumber)
    .option('--optimizer <name>', 'adam or sgd (default: the experiment’s)')
    .option('--eval-every <n>', 'evaluate train/test accuracy every n epochs', integer)
    .option('--json <file>', 'write the result object as JSON ("-" for stdout)')
    .option('--plot <file>', 'write an SVG of the loss curves (and the decision surface for 2-D data)')
    .option('-q, --quiet', 'no progress output');
  const methodFlags = new Map<string, string>();
  for (const m of listMethods()) {
    for (const o of m.options ?? []) {
      const key = optionKey(o.flag);
      if (methodFlags.has(key)) continue;
      methodFlags.set(key, o.flag);
      run.option(o.flag, `${o.description} [${m.name}]`, o.defaultValue as string | undefined);
    }
  }
  run.action(async (experiment: string, opts: Record<string, unknown>) => {
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const reporter = opts.quiet ? null : createProgressReporter();
    const methodOptions: Record<string, string | number | boolean | undefined> = {};
    for (const key of methodFlags.keys()) if (opts[key] !== undefined) methodOptions[key] = opts[key] as string | number | boolean;
    const options: RunOptions = {
      experiment,
      method: opts.method as string | undefined,
      epochs: opts.epochs as number | undefined,
      seed: opts.seed as number,
      batchSize: opts.batchSize as number | undefined,
      learningRate: opts.lr as number | undefined,
      optimizer: opts.optimizer as 'adam' | 'sgd' | undefined,
      evalEvery: opts.evalEvery as number | undefined,
      methodOptions,
      signal: controller.signal,
      onStart: reporter?.onStart,
      onEpoch: reporter?.onEpoch,
    };
    try {
      const { result, run: trained, data } = await runExperiment(options);
      try {
        reporter?.finish(result.stopReason === 'aborted' ? `stopped after ${result.epochs} epochs` : `done in ${result.wallSeconds.toFixed(2)} s`);
        if (!opts.quiet || opts.json !== '-') process.stderr.write(`${summaryTable(result)}\n`);
        if (typeof opts.json === 'string') writeOutput(opts.json, JSON.stringify(result, null, 2));
        if (typeof opts.plot === 'string') writeFileSync(opts.plot, renderRunSvg(result, data, trained.predict));
      } finally {
        trained.dispose();
      }
    } catch (error) {
      reporter?.finish('failed');
      throw error;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
  return program;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and returns the exit code: 0 on success, 1 for a failed run
 * (with a one-line reason on stderr), 2 for a usage error.
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    if (error instanceof BbpError) {
      process.stderr.write(`bbp: ${error.message}\n`);
      return error.code === 'invalid-argument' ? 2 : 1;
    }
    process.stderr.write(`bbp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
