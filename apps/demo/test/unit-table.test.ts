import { describe, expect, it } from 'vitest';
import type { UnitProgress } from '@beyond-backprop/experiments';
import { recordUnitEpoch, unitAttributes, unitRowText, type UnitTable } from '../src/unit-table.js';

const at = (unit: number, epochInUnit: number, noun: UnitProgress['noun'] = 'unit'): UnitProgress => ({
  noun,
  unit,
  units: 3,
  epochInUnit,
  epochsInUnit: 2,
});

/** Feeds `[unit, epochInUnit, train, test]` epochs through recordUnitEpoch, starting from no table. */
function play(epochs: Array<[number, number, number | undefined, number | undefined]>, noun: UnitProgress['noun'] = 'unit'): UnitTable {
  let table: UnitTable | null = null;
  for (const [unit, e, train, test] of epochs) table = recordUnitEpoch(table, at(unit, e, noun), train, test);
  return table!;
}

describe('the per-unit accuracy table of a layer-wise run', () => {
  it('follows the unit in training, and a finished unit keeps the accuracy of its last epoch', () => {
    const table = play([
      [0, 0, 0.8, 0.75],
      [0, 1, 0.912, 0.908],
      [1, 0, 0.95, 0.94],
    ]);
    expect(table).toMatchObject({ noun: 'unit', units: 3, current: 1 });
    expect(unitAttributes(table)).toEqual({ unit: '2', units: '3', unitAccuracies: '0.912,0.95' });
    expect(unitRowText(table, 0)).toBe('unit 1 — train 91.2%, test 90.8%');
    expect(unitRowText(table, 1)).toBe('unit 2 — train 95.0%, test 94.0%');
    const next = recordUnitEpoch(table, at(1, 1), 0.97, 0.96);
    expect(unitAttributes(next).unitAccuracies).toBe('0.912,0.97');
    // The earlier table is left as it was (the panel may still be drawing it).
    expect(unitAttributes(table).unitAccuracies).toBe('0.912,0.95');
  });

  it('keeps a unit’s previous value on an epoch without evaluation, and leaves an unevaluated unit empty', () => {
    const table = play([
      [0, 0, 0.9, 0.85],
      [0, 1, undefined, undefined],
      [1, 0, undefined, undefined],
    ]);
    expect(unitAttributes(table)).toEqual({ unit: '2', units: '3', unitAccuracies: '0.9,' });
    expect(unitRowText(table, 1)).toBe('unit 2 — train –, test –');
  });

  it('on a robin schedule, turns jump between units; rows cover every unit up to the deepest reached', () => {
    const table = play(
      [
        [2, 0, 0.7, 0.7],
        [0, 0, 0.6, 0.55],
        [2, 1, 0.9, 0.88],
      ],
      'partition',
    );
    expect(unitAttributes(table)).toEqual({ unit: '3', units: '3', unitAccuracies: '0.6,,0.9' });
    expect(unitRowText(table, 2)).toBe('partition 3 — train 90.0%, test 88.0%');
  });

  it('has no attributes without a layer-wise run', () => {
    expect(unitAttributes(null)).toEqual({ unit: '', units: '', unitAccuracies: '' });
  });
});
