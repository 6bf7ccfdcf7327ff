/**
 * `@beyond-backprop/test-services` (private) — the real services integration tests and `.ci/run` use: a local
 * `redis-server` on a loopback port and the `chromium` binary, found on PATH or installed with `apt-get` as root,
 * never mocked and never skipped.
 *
 * @packageDocumentation
 */
export { ensureBinary, whichBinary, MissingServiceError } from './system-binary.js';
export { startRedisServer, freeLoopbackPort, pingRedis, type LocalRedis } from './redis-server.js';
export { findChromium } from './chromium.js';
