// One pipelined-DPL partition as its own process, joining a run over Redis:
//   node partition-process.js <redis-url> <namespace>
import { servePipelinedPartition } from './node.js';

const [url, namespace] = process.argv.slice(2);
try {
  await servePipelinedPartition({ url: url!, namespace: namespace ?? 'bbp-pipeline' });
  process.exit(0);
} catch (error) {
  process.stderr.write(`partition process: ${(error as Error).message}\n`);
  process.exit(1);
}
