// The worker-thread entry of one pipelined-DPL partition (thesis §6.8.3): its own tfjs instance, then the partition.
import { initBackend } from '@beyond-backprop/core-linalg';
import { connectToParent } from '@beyond-backprop/cluster/node';
import { runPartition } from './pipelined-dpl.js';

const { link, data } = connectToParent<{ backend?: 'wasm' | 'cpu' }>();
await initBackend({ preference: data?.backend ?? 'wasm', log: false });
await runPartition(link);
