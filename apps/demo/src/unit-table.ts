/**
 * The per-unit view of a layer-wise run (`dll`, `dsl`, `dpl`): which unit is training and the accuracy each unit
 * reached, from the {@link UnitProgress} the training worker sends with every epoch. Pure state and formatting (tested
 * without a browser), plus the small list a panel shows.
 */
import type { UnitProgress } from '@beyond-backprop/experiments';

/** One unit's latest measured accuracies (`null` until an evaluated epoch of that unit). */
export interface UnitRow {
  trainAccuracy: number | null;
  testAccuracy: number | null;
}

/** What a panel knows about the units of its run so far. */
export interface UnitTable {
  noun: UnitProgress['noun'];
  /** Units the run trains. */
  units: number;
  /** 0-based unit the latest epoch trained. */
  current: number;
  /**
   * One row per unit reached so far, in unit order (all units up to the deepest reached). While a unit trains its row
   * follows the epochs — the accuracy of the network up to that unit with its current decision head — and a finished
   * unit keeps the accuracy of its last epoch.
   */
  rows: UnitRow[];
}

/**
 * The table after one more epoch: `progress` says which unit it trained; accuracies the runner did not measure that
 * epoch (`undefined`) leave the unit's previous value. A `null` table (a new run) starts a fresh one.
 */
export function recordUnitEpoch(table: UnitTable | null, progress: UnitProgress, trainAccuracy?: number, testAccuracy?: number): UnitTable {
  const rows = table ? table.rows.map((r) => ({ ...r })) : [];
  while (rows.length <= progress.unit) rows.push({ trainAccuracy: null, testAccuracy: null });
  const row = rows[progress.unit];
  if (trainAccuracy !== undefined) row.trainAccuracy = trainAccuracy;
  if (testAccuracy !== undefined) row.testAccuracy = testAccuracy;
  return { noun: progress.noun, units: progress.units, current: progress.unit, rows };
}

/**
 * The panel's `data-unit` (1-based current unit), `data-units` (count) and `data-unit-accuracies` (each reached unit's
 * train accuracy, comma-separated; an empty entry for a unit not yet evaluated); all `''` without a layer-wise run.
 */
export function unitAttributes(table: UnitTable | null): { unit: string; units: string; unitAccuracies: string } {
  if (!table) return { unit: '', units: '', unitAccuracies: '' };
  return {
    unit: String(table.current + 1),
    units: String(table.units),
    unitAccuracies: table.rows.map((r) => (r.trainAccuracy === null ? '' : String(r.trainAccuracy))).join(','),
  };
}

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

/** One line of the list, e.g. `unit 1 — train 91.2%, test 90.8%` (0-based `index`). */
export function unitRowText(table: UnitTable, index: number): string {
  const row = table.rows[index];
  return `${table.noun} ${index + 1} — train ${percent(row.trainAccuracy)}, test ${percent(row.testAccuracy)}`;
}

/** Shows the table in `list` (an `<ol>`), the current unit marked `aria-current`; hides it without a layer-wise run. */
export function renderUnitTable(list: HTMLElement, table: UnitTable | null): void {
  list.hidden = table === null;
  if (!table) {
    list.replaceChildren();
    return;
  }
  list.setAttribute('aria-label', `accuracy per ${table.noun} (${table.units} in all)`);
  list.replaceChildren(
    ...table.rows.map((_, i) => {
      const item = document.createElement('li');
      item.textContent = unitRowText(table, i);
      if (i === table.current) {
        item.className = 'current';
        item.setAttribute('aria-current', 'step');
      }
      return item;
    }),
  );
}
