// The worker-thread entry of a data-parallel replica: its own tfjs instance, then the replica protocol.
import { initBackend } from '@beyond-backprop/core-linalg';
import { runReplica } from '../data-parallel/replica.js';
import { connectToParent } from './spawn.js';

const { link, data } = connectToParent<{ backend?: string }>();
await initBackend({ preference: (data?.backend as 'wasm' | 'cpu' | undefined) ?? 'wasm', log: false });
await runReplica(link);
