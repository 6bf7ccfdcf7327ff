#!/usr/bin/env node
// Ctrl-C while the CLI is still loading (TensorFlow.js takes a moment) already counts: the run then stops at its first
// chance and still reports (JSON included) instead of the process dying with exit 130 and nothing written.
const early = new AbortController();
process.once('SIGINT', () => early.abort());
const { main } = await import('./main.js');

process.exitCode = await main(process.argv, { interrupted: early.signal });
