/**
 * The page's data-parallel controls (replicas, weight codec) ↔ the link keys `workers` and `codec`: pure mapping, no
 * DOM and no tfjs, so the page logic is testable in Node.
 */
import type { DemoState } from './hash-state.js';

/** The controls' values: `''` is the default (2 replicas, Huffman), shown as the placeholder / first option. */
export interface DataParallelControlValues {
  workers: string;
  codec: string;
}

/** The data-parallel controls show while either panel's method is `data-parallel`. */
export function showsDataParallelControls(methods: readonly string[]): boolean {
  return methods.includes('data-parallel');
}

/** What the controls show for `state`. */
export function dataParallelControlValues(state: Pick<DemoState, 'workers' | 'codec'>): DataParallelControlValues {
  return { workers: state.workers === undefined ? '' : String(state.workers), codec: state.codec ?? '' };
}

/** The link entries of the controls' values (defaults left out), validated later by `parseHash` like any link. */
export function dataParallelLinkEntries(values: DataParallelControlValues): Array<[string, string]> {
  const entries: Array<[string, string]> = [
    ['workers', values.workers.trim()],
    ['codec', values.codec],
  ];
  return entries.filter(([, value]) => value !== '');
}
