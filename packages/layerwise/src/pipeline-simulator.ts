/**
 * The schedule of pipelined model-parallel DPL (Øland, thesis §6.8.3–6.8.4, Fig. 6.6–6.7) on a virtual clock.
 * Partition `p` runs on device `p`; for every minibatch `b` it runs a forward `F_b` (which needs `F_b` of partition
 * `p − 1`: only detached features cross partitions) and then its own backward-and-update `B_b` (no gradient crosses
 * partitions). With unit costs, device `d` runs `F_b` in slot `d + 2b` and `B_b` in slot `d + 2b + 1`, and `N`
 * minibatches take `2N + P − 1` slots.
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/** One operation on the timeline. */
export interface PipelineEvent {
  device: number;
  batch: number;
  kind: 'F' | 'B';
  start: number;
  end: number;
}

/** What {@link PipelineSimulator.run} returns. */
export interface PipelineTimeline {
  events: PipelineEvent[];
  /** Time at which the last operation ends. */
  makespan: number;
  /** Per device: time not spent in F or B before the makespan. */
  idle: number[];
  /** Per device: idle time before its first operation (the pipeline's fill). */
  fill: number[];
}

/**
 * Simulates the DPL pipeline for `P` partitions with per-partition forward and backward costs.
 *
 * @example
 * ```ts
 * const t = new PipelineSimulator({ forward: [1, 1, 1], backward: [1, 1, 1] }).run(4);
 * t.makespan; // 2·4 + 3 − 1 = 10
 * ```
 */
export class PipelineSimulator {
  readonly forward: number[];
  readonly backward: number[];
  constructor(costs: { forward: number[]; backward?: number[] }) {
    const fn = 'PipelineSimulator';
    if (!Array.isArray(costs?.forward) || costs.forward.length === 0)
      throw new InvalidArgumentError(fn, 'costs.forward', 'must list one cost per partition (at least one)', costs?.forward);
    const backward = costs.backward ?? costs.forward;
    if (!Array.isArray(backward) || backward.length !== costs.forward.length)
      throw new InvalidArgumentError(fn, 'costs.backward', `must list ${costs.forward.length} costs (one per partition)`, backward);
    costs.forward.forEach((c, i) => checkNumber(fn, `costs.forward[${i}]`, c, { min: 0, exclusiveMin: true }));
    backward.forEach((c, i) => checkNumber(fn, `costs.backward[${i}]`, c, { min: 0, exclusiveMin: true }));
    this.forward = [...costs.forward];
    this.backward = [...backward];
  }

  /** Runs `numBatches` minibatches through the pipeline; every device processes `F_0, B_0, F_1, B_1, …` in order. */
  run(numBatches: number): PipelineTimeline {
    checkNumber('PipelineSimulator.run', 'numBatches', numBatches, { min: 1, integer: true });
    const P = this.forward.length;
    const events: PipelineEvent[] = [];
    const deviceFree = new Array<number>(P).fill(0);
    let forwardDone = new Array<number>(numBatches).fill(0); // end of F_b on the previous device
    for (let d = 0; d < P; d++) {
      const next = new Array<number>(numBatches);
      for (let b = 0; b < numBatches; b++) {
        const fStart = Math.max(deviceFree[d], d === 0 ? 0 : forwardDone[b]);
        const fEnd = fStart + this.forward[d];
        events.push({ device: d, batch: b, kind: 'F', start: fStart, end: fEnd });
        next[b] = fEnd;
        const bEnd = fEnd + this.backward[d];
        events.push({ device: d, batch: b, kind: 'B', start: fEnd, end: bEnd });
        deviceFree[d] = bEnd;
      }
      forwardDone = next;
    }
    const makespan = Math.max(...deviceFree);
    const busy = new Array<number>(P).fill(0);
    const first = new Array<number>(P).fill(Infinity);
    for (const e of events) {
      busy[e.device] += e.end - e.start;
      first[e.device] = Math.min(first[e.device], e.start);
    }
    events.sort((a, b) => a.start - b.start || a.device - b.device);
    return { events, makespan, idle: busy.map((t) => makespan - t), fill: first };
  }
}
