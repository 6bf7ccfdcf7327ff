/**
 * Finding the Debian-packaged programs tests rely on (`redis-server`, `chromium`): on PATH, else installed with
 * `apt-get` when running as root, else a typed error carrying the exact command to run. A test never skips because
 * a program is missing.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';

/** Thrown when a required program is not on PATH and cannot be installed from here. */
export class MissingServiceError extends Error {
  override readonly name = 'MissingServiceError';
  /** The shell command that installs the program. */
  readonly installCommand: string;
  constructor(program: string, installCommand: string, detail: string) {
    super(`${program} is required by the tests and is not on PATH (${detail}); install it with: ${installCommand}`);
    this.installCommand = installCommand;
  }
}

/** The absolute path of `program` on PATH, or `undefined`. */
export function whichBinary(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const aptUpdatedMarker = join(tmpdir(), 'bbp-apt-updated');

/**
 * Returns the path of `program` (first of `alternatives` found on PATH), installing Debian package `aptPackage`
 * when it is missing and the process runs as root (`apt-get update` first, once per machine boot); otherwise
 * throws {@link MissingServiceError} naming the exact install command.
 *
 * @example
 * const redis = ensureBinary(['redis-server'], 'redis-server');
 */
export function ensureBinary(alternatives: readonly string[], aptPackage: string): string {
  const found = alternatives.map(whichBinary).find((p) => p !== undefined);
  if (found) return found;
  const program = alternatives[0] ?? aptPackage;
  const command = `sudo apt-get update && sudo apt-get install -y ${aptPackage}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) throw new MissingServiceError(program, command, 'not running as root, so it cannot be installed automatically');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (!existsSync(aptUpdatedMarker)) {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
      writeFileSync(aptUpdatedMarker, new Date().toISOString());
    }
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', aptPackage], { stdio: 'ignore', env });
  } catch (error) {
    throw new MissingServiceError(program, command, `apt-get failed: ${(error as Error).message.split('\n')[0]}`);
  }
  const installed = alternatives.map(whichBinary).find((p) => p !== undefined);
  if (!installed) throw new MissingServiceError(program, command, `apt-get installed ${aptPackage} but ${program} is still not on PATH`);
  return installed;
}
