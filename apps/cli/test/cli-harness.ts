/**
 * Test helpers: run the `bbp` command line in-process and capture what it prints.
 */
import { vi } from 'vitest';
import { main } from '../src/index.js';

/** Runs `bbp <args>` and returns the exit code with everything written to stdout and stderr. */
export async function bbp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(['node', 'bbp', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
