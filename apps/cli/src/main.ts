/**
 * The `bbp` command line: `bbp list`, `bbp run <experiment> [options]`, `bbp sweep <experiment> --param … --values …`
 * and `bbp worker --transport redis://host:port` (joins a data-parallel run from another machine).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Help, Option, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { BbpError, InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { serveRedisReplica } from '@beyond-backprop/cluster/node';
import { registerBuiltins, runExperiment } from './builtins.js';
import { renderRunSvg } from './plot-svg.js';
import { createProgressReporter } from './progress.js';
import { listExperiments, listMethods, optionKey, type RunOptions } from '@beyond-backprop/experiments';
import { closestName } from './suggest.js';
import { summaryTable } from './summary-table.js';
import { runSweep, sweepTable } from './sweep.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The CLI's own version, from its package.json (the same file in src/ and dist/ runs). */
export const VERSION: string = (JSON.parse(readFileSync(resolve(packageDir, 'package.json'), 'utf8')) as { version: string }).version;

/** The git commit the CLI runs from, or `null` outside a git checkout (an npm install). */
export function gitCommit(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageDir, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

/** Throws a usage error (exit 2) unless `target` ("-" = stdout) can be written: checked before any training. */
function checkWritable(option: string, target: unknown): void {
  if (typeof target !== 'string' || target === '-') return;
  const file = resolve(target);
  if (existsSync(file) && statSync(file).isDirectory()) throw new InvalidArgumentError('bbp run', option, 'must name a file, not a directory', target);
  const dir = dirname(file);
  if (!existsSync(dir)) throw new InvalidArgumentError('bbp run', option, `must be in an existing directory (${dir} does not exist)`, target);
  try {
    accessSync(existsSync(file) ? file : dir, constants.W_OK);
  } catch {
    throw new InvalidArgumentError('bbp run', option, 'must be a writable path', target);
  }
}

/** Usage error with a "did you mean" for an unknown experiment or method name. */
function checkNames(command: string, experiment: string, method: string | undefined): void {
  const experiments = listExperiments();
  const found = experiments.find((e) => e.name === experiment);
  if (!found) {
    const guess = closestName(
      experiment,
      experiments.map((e) => e.name),
    );
    throw new InvalidArgumentError(
      `bbp ${command}`,
      'experiment',
      `must be one of: ${experiments.map((e) => e.name).join(', ')}${guess ? ` (did you mean '${guess}'?)` : ''}`,
      experiment,
    );
  }
  if (method === undefined) return;
  const usable = listMethods()
    .filter((m) => m.supports(found))
    .map((m) => m.name);
  if (!usable.includes(method)) {
    const guess = closestName(method, usable);
    throw new InvalidArgumentError(
      `bbp ${command}`,
      '--method',
      `must be one of the methods for '${experiment}': ${usable.join(', ')}${guess ? ` (did you mean '${guess}'?)` : ''}`,
      method,
    );
  }
}

/**
 * Rejects experiment/method flags given on the command line that the chosen experiment and method do not read,
 * listing the ones that apply.
 */
function checkApplicable(command: string, experiment: string, opts: Record<string, unknown>, methodFlags: Map<string, string>): void {
  const e = listExperiments().find((x) => x.name === experiment)!;
  const methodName = (opts.method as string | undefined) ?? e.defaults.method;
  const m = listMethods().find((x) => x.name === methodName);
  const applicable = new Set([...(e.options ?? []), ...(m?.options ?? [])].map((o) => optionKey(o.flag)));
  const stray = [...methodFlags.keys()].filter((key) => opts[key] !== undefined && !applicable.has(key));
  if (stray.length === 0) return;
  const flag = (key: string) => methodFlags.get(key)!.split(' ')[0];
  const list = [...applicable].map(flag);
  throw new InvalidArgumentError(
    `bbp ${command}`,
    stray.map(flag).join(', '),
    `does not apply to ${experiment} --method ${methodName}; the options that do: ${list.length ? list.join(', ') : '(none besides the training options)'}`,
    stray.map((k) => `${flag(k)} ${String(opts[k])}`).join(' '),
  );
}

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

function accuracyTarget(value: string): number | null {
  if (value === 'none') return null;
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new CommanderArgumentError(`expected a fraction in (0, 1] or 'none', got '${value}'`);
  return n;
}

function widths(value: string): number[] {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || !list.every((w) => Number.isInteger(w) && w >= 1))
    throw new CommanderArgumentError(`expected comma-separated positive integers, got '${value}'`);
  return list;
}

function pct(v: number | null): string {
  return v === null ? '–' : `${(100 * v).toFixed(1)}%`;
}

/** The options every training command takes. */
function addTrainingOptions(command: Command): Command {
  return command
    .option('-m, --method <name>', 'training method (see bbp list)')
    .option('-e, --epochs <n>', 'epochs (default: the experiment’s)', integer)
    .option('--batch-size <n>', 'examples per update (default: the experiment’s)', integer)
    .option('--lr <rate>', 'learning rate (default: the experiment’s)', positiveNumber)
    .option('--optimizer <name>', 'adam or sgd (default: the experiment’s)')
    .option('--eval-every <n>', 'evaluate train/test accuracy every n epochs', integer)
    .option('--hidden <widths>', 'hidden widths for every method, e.g. 64,64 (dense layers of a conv net; one width for an RNN)', widths)
    .option('--target-accuracy <a>', "stop at this test accuracy (default: the experiment’s, e.g. 0.99 for the bit tasks; 'none' runs on)", accuracyTarget)
    .option('-q, --quiet', 'no progress output');
}

/** `bbp run <experiment> [--method <m>] --help`: the experiment and method whose options alone the help shows. */
let helpScope: { experiment: string; method: string | undefined } | null = null;

/** The option keys the experiment and method (default: the experiment's) read, or `null` if either is unknown. */
function applicableKeys(experiment: string, method: string | undefined): Set<string> | null {
  const e = listExperiments().find((x) => x.name === experiment);
  if (!e) return null;
  const m = listMethods().find((x) => x.name === (method ?? e.defaults.method));
  if (!m) return null;
  return new Set([...(e.options ?? []), ...(m.options ?? [])].map((o) => optionKey(o.flag)));
}

/**
 * Adds every experiment's and method's own flags, grouped in the help under the experiments and methods that read
 * them; returns option key → flag. With {@link helpScope} set, the help lists only the flags that apply.
 */
function addMethodFlags(command: Command): Map<string, string> {
  const flags = new Map<string, string>();
  const owners = new Map<string, string[]>();
  const descriptions = new Map<string, string>();
  const kinds = new Map<string, string>();
  for (const [kind, list] of [
    ['experiment', listExperiments()],
    ['method', listMethods()],
  ] as const) {
    for (const m of list) {
      for (const o of m.options ?? []) {
        const key = optionKey(o.flag);
        if (!flags.has(key)) {
          flags.set(key, o.flag);
          descriptions.set(key, o.description);
        }
        owners.set(key, [...(owners.get(key) ?? []), m.name]);
        kinds.set(key, kinds.has(key) && kinds.get(key) !== kind ? 'experiment and method' : kind);
      }
    }
  }
  for (const [key, flag] of flags) {
    const names = owners.get(key)!;
    const heading = `Options of ${kinds.get(key)}${names.length > 1 ? 's' : ''} ${names.join(', ')}:`;
    command.addOption(new Option(flag, descriptions.get(key)).helpGroup(heading));
  }
  command.configureHelp({
    visibleOptions(cmd) {
      const all = Help.prototype.visibleOptions.call(this, cmd);
      const keep = helpScope ? applicableKeys(helpScope.experiment, helpScope.method) : null;
      return keep ? all.filter((o) => !flags.has(o.attributeName()) || keep.has(o.attributeName())) : all;
    },
  });
  return flags;
}

/** Reads `run|sweep <experiment> [--method m] … --help` from argv so that the help shows only what applies. */
function scopeHelp(argv: string[]): void {
  helpScope = null;
  const args = argv.slice(2);
  if (!args.includes('--help') && !args.includes('-h')) return;
  if (args[0] !== 'run' && args[0] !== 'sweep') return;
  const experiment = args[1];
  if (!experiment || experiment.startsWith('-')) return;
  const at = args.findIndex((a) => a === '--method' || a === '-m');
  const inline = args.find((a) => a.startsWith('--method='));
  helpScope = { experiment, method: at >= 0 ? args[at + 1] : inline?.slice('--method='.length) };
}

/** Parsed command-line values → runner options (without seed, signal and progress hooks). */
function runOptions(experiment: string, opts: Record<string, unknown>, methodFlags: Map<string, string>): RunOptions & { experiment: string } {
  const methodOptions: Record<string, string | number | boolean | undefined> = {};
  for (const key of methodFlags.keys()) {
    const value = opts[key] as string | boolean | undefined;
    // Numbers arrive as strings; keep lists such as '96,96' and names as they are.
    if (value !== undefined) methodOptions[key] = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return {
    experiment,
    method: opts.method as string | undefined,
    epochs: opts.epochs as number | undefined,
    batchSize: opts.batchSize as number | undefined,
    learningRate: opts.lr as number | undefined,
    optimizer: opts.optimizer as 'adam' | 'sgd' | undefined,
    evalEvery: opts.evalEvery as number | undefined,
    hidden: opts.hidden as number[] | undefined,
    ...(opts.targetAccuracy === undefined ? {} : { targetAccuracy: opts.targetAccuracy as number | null }),
    methodOptions,
  };
}

/** Set by {@link main}: a Ctrl-C that arrived before the command started (see bin.ts). */
let earlyInterrupt: AbortSignal | undefined;

/** Runs `body` with an AbortSignal that Ctrl-C fires (the run then stops after the current epoch). */
async function withInterrupt(body: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  if (earlyInterrupt?.aborted) controller.abort();
  earlyInterrupt?.addEventListener('abort', onSigint, { once: true });
  process.once('SIGINT', onSigint);
  try {
    await body(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
    earlyInterrupt?.removeEventListener('abort', onSigint);
  }
}

/** Builds the commander program (exported for tests). */
export function createProgram(): Command {
  registerBuiltins();
  const program = new Command();
  // A usage error prints one line and a pointer to --help, never the whole help: the message must stay on screen.
  program
    .name('bbp')
    .description('Run and compare beyond-backprop training experiments')
    .version(VERSION)
    .showHelpAfterError("(run 'bbp help <command>' or add --help for the options)");
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
        process.stdout.write(
          `  ${e.name.padEnd(pad)}  ${e.description}\n  ${''.padEnd(pad)}  methods: ${usable.join(', ')} (default ${e.defaults.method}, ${e.defaults.epochs} epochs)\n`,
        );
      }
      process.stdout.write('\nMethods:\n');
      for (const m of methods) process.stdout.write(`  ${m.name.padEnd(pad)}  ${m.description}\n`);
    });

  const run = addTrainingOptions(program.command('run <experiment>').description('train one method on one experiment and report measured numbers'))
    .option('-s, --seed <n>', 'random seed for data, initialisation and batches', integer, 0)
    .option('--json <file>', 'write the result object as JSON ("-" for stdout)')
    .option('--plot <file>', 'write an SVG of the loss curves (and the decision surface for 2-D data)');
  const methodFlags = addMethodFlags(run);
  run.action(async (experiment: string, opts: Record<string, unknown>) => {
    checkNames('run', experiment, opts.method as string | undefined);
    checkApplicable('run', experiment, opts, methodFlags);
    checkWritable('--json', opts.json);
    checkWritable('--plot', opts.plot);
    await withInterrupt(async (signal) => {
      const reporter = opts.quiet ? null : createProgressReporter();
      const options: RunOptions = {
        ...runOptions(experiment, opts, methodFlags),
        seed: opts.seed as number,
        signal,
        onStart: reporter?.onStart,
        onEpoch: reporter?.onEpoch,
      };
      try {
        const { result, run: trained, data } = await runExperiment(options);
        try {
          const ending =
            result.stopReason === 'aborted'
              ? result.oneShot
                ? 'closed-form fit interrupted'
                : `stopped after ${result.epochs} epochs`
              : result.stopReason === 'target-reached'
                ? `target reached after ${result.iterations} iterations`
                : `done in ${result.wallSeconds.toFixed(2)} s`;
          reporter?.finish(ending);
          // Results on stdout (progress is on stderr); with `--json -` stdout carries the JSON alone.
          if (opts.json === '-') {
            if (!opts.quiet) process.stderr.write(`${summaryTable(result)}\n`);
          } else process.stdout.write(`${summaryTable(result)}\n`);
          if (typeof opts.json === 'string') writeOutput(opts.json, JSON.stringify({ ...result, version: VERSION, gitCommit: gitCommit() }, null, 2));
          if (typeof opts.plot === 'string') writeFileSync(opts.plot, renderRunSvg(result, data, trained.predict));
        } finally {
          trained.dispose();
        }
      } catch (error) {
        reporter?.finish('failed');
        throw error;
      }
    });
  });

  program
    .command('worker')
    .description('join a data-parallel run from this machine (like torchrun): serve one replica of the run hosted on a Redis server')
    .requiredOption('--transport <url>', 'redis://host:port of the server the run (bbp run … --method data-parallel --transport <url>) uses')
    .option('--namespace <ns>', "key prefix of the run (the run's --namespace)", 'bbp')
    .option('--join-timeout <s>', 'seconds to wait for a run to join', positiveNumber, 120)
    .action(async (opts: { transport: string; namespace: string; joinTimeout: number }) => {
      if (!/^rediss?:\/\//.test(opts.transport)) throw new CommanderArgumentError(`--transport must be a redis://host:port URL, got '${opts.transport}'`);
      const rank = await serveRedisReplica({ url: opts.transport, namespace: opts.namespace, joinTimeoutMs: opts.joinTimeout * 1000 });
      process.stderr.write(`bbp worker: served rank ${rank} of the run on ${opts.transport}\n`);
    });

  const sweep = addTrainingOptions(
    program
      .command('sweep <experiment>')
      .description('run one option over several values and seeds, each run stopping at the target accuracy; report the largest value solved'),
  )
    .requiredOption('--param <option>', 'the experiment or method option to sweep, e.g. delay')
    .requiredOption('--values <list>', 'comma-separated values, easiest first, e.g. 2,4,8,16')
    .option('--seeds <list>', 'comma-separated seeds (trials per value)', '0')
    .option('--keep-going', 'continue after a value that no seed solves')
    .option('--json <file>', 'write the sweep result as JSON ("-" for stdout)');
  const sweepFlags = addMethodFlags(sweep);
  sweep.action(async (experiment: string, opts: Record<string, unknown>) => {
    checkNames('sweep', experiment, opts.method as string | undefined);
    checkApplicable('sweep', experiment, opts, sweepFlags);
    checkWritable('--json', opts.json);
    const seeds = String(opts.seeds)
      .split(',')
      .map((v) => Number(v.trim()));
    if (seeds.some((s) => !Number.isInteger(s)))
      throw new InvalidArgumentError('bbp sweep', '--seeds', 'must be comma-separated integers, e.g. 0,1,2', String(opts.seeds));
    await withInterrupt(async (signal) => {
      const values = String(opts.values)
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
        .map((v) => (Number.isFinite(Number(v)) ? Number(v) : v));
      const base = runOptions(experiment, opts, sweepFlags);
      const result = await runSweep({
        ...base,
        targetAccuracy: base.targetAccuracy ?? undefined,
        param: optionKey(String(opts.param).startsWith('--') ? String(opts.param) : `--${String(opts.param)}`),
        values,
        seeds,
        keepGoing: opts.keepGoing === true,
        signal,
        onRun: opts.quiet
          ? undefined
          : (value, seed, r) => {
              const reached =
                r.firstIterationAtTarget === null ? `not reached (best ${pct(r.bestTestAccuracy)})` : `reached at iteration ${r.firstIterationAtTarget}`;
              process.stderr.write(`  ${String(opts.param)}=${value} seed ${seed}: ${reached} · ${r.msPerIteration.toFixed(2)} ms/it\n`);
            },
      });
      if (opts.json === '-') {
        if (!opts.quiet) process.stderr.write(`${sweepTable(result)}\n`);
      } else process.stdout.write(`${sweepTable(result)}\n`);
      if (typeof opts.json === 'string') writeOutput(opts.json, JSON.stringify(result, null, 2));
    });
  });
  return program;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and returns the exit code: 0 on success, 1 for a failed run
 * (with a one-line reason on stderr), 2 for a usage error.
 */
export async function main(argv: string[] = process.argv, context: { interrupted?: AbortSignal } = {}): Promise<number> {
  earlyInterrupt = context.interrupted;
  scopeHelp(argv);
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    // Messages of the CLI's own checks already start with "bbp run:"; others get the "bbp:" prefix once.
    const line = (message: string) => process.stderr.write(`${message.startsWith('bbp ') ? message : `bbp: ${message}`}\n`);
    if (BbpError.isInstance(error)) {
      line(error.message);
      return error.code === 'invalid-argument' || error.code === 'not-finite' ? 2 : 1;
    }
    // A stack trace only on request: BBP_DEBUG=1.
    line(error instanceof Error ? (process.env.BBP_DEBUG ? (error.stack ?? error.message) : error.message) : String(error));
    return 1;
  }
}
