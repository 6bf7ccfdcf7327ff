/**
 * Node-only transports of `@beyond-backprop/cluster`: `worker_threads` (zero-copy buffer transfer, one tfjs
 * instance per worker) and Redis streams (processes on different machines).
 *
 * @packageDocumentation
 */
export { PortLink, type PortLike, type PortLinkOptions } from './port-link.js';
export { connectToParent, spawnWorker, workerBootstrap, type ParentConnection, type SpawnWorkerOptions, type SpawnedWorker } from './spawn.js';
export {
  connectRedis,
  destroyRedis,
  redactRedisUrl,
  RedisLink,
  startHeartbeat,
  type Heartbeat,
  type RedisClient,
  type RedisConnectOptions,
  type RedisLinkOptions,
} from './redis.js';
export { localProcesses, type LocalProcesses, type StopLocalProcessesOptions } from './local-processes.js';
export { hostRedisRun, joinRedisRun, type HostedRedisRun, type JoinedRedisRun, type RedisRunOptions } from './redis-run.js';
export { redisReplicas, serveRedisReplica, spawnReplicaProcess, threadReplicas, type RedisReplicasOptions } from './launchers.js';
