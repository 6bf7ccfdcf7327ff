// A data-parallel replica as its own process (what `redisReplicas({ localProcesses })` starts):
//   node replica-process.js <redis-url> <namespace>
import { serveRedisReplica } from './launchers.js';

const [url, namespace] = process.argv.slice(2);
try {
  await serveRedisReplica({ url: url!, namespace: namespace ?? 'bbp' });
  process.exit(0);
} catch (error) {
  process.stderr.write(`replica process: ${(error as Error).message}\n`);
  process.exit(1);
}
