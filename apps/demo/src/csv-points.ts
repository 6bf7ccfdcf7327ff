/**
 * Reading a user's CSV of 2-D points (`x,y,label`, an optional header line) into the demo's data. Every problem
 * becomes a message for the user that names the row and what was expected; nothing is allocated for rows beyond the
 * limit.
 */

/** Most data rows a CSV may have (training in a browser tab should stay interactive). */
export const MAX_CSV_ROWS = 20_000;
/** Largest file read at all, in bytes. */
export const MAX_CSV_BYTES = 2_000_000;
/** Largest class label (the surface has 10 colours). */
export const MAX_CSV_CLASS = 9;

/** Points read from a CSV: inputs `[n, 2]` row-major and integer labels. */
export interface CsvPoints {
  x: Float32Array;
  y: Int32Array;
  numClasses: number;
}

export type CsvResult = { ok: true; points: CsvPoints } | { ok: false; message: string };

/**
 * Parses `text` as rows `x,y,label` (comma, semicolon or tab separated; a first line that is not numeric is a header).
 * Labels are whole numbers 0–9 and at least two classes must be present.
 *
 * @example
 * ```ts
 * parsePointsCsv('x,y,label\n0.1,0.2,0\n0.5,-1,1\n'); // { ok: true, points: { x: [0.1, 0.2, 0.5, -1], y: [0, 1], numClasses: 2 } }
 * ```
 */
export function parsePointsCsv(text: string): CsvResult {
  if (text.length > MAX_CSV_BYTES) return fail(`the file is ${text.length} bytes; the demo reads at most ${MAX_CSV_BYTES} bytes`);
  const lines = text.split(/\r?\n/);
  const rows: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '') rows.push({ line: i + 1, text: lines[i] });
  if (rows.length > 0 && !/^\s*[-+.\d]/.test(rows[0].text)) rows.shift();
  if (rows.length === 0) return fail('the file has no points: expected rows x,y,label');
  if (rows.length > MAX_CSV_ROWS) return fail(`the file has ${rows.length} rows; the demo takes at most ${MAX_CSV_ROWS}`);
  const x = new Float32Array(rows.length * 2);
  const y = new Int32Array(rows.length);
  const classes = new Set<number>();
  for (let r = 0; r < rows.length; r++) {
    const { line, text: row } = rows[r];
    const cells = row.split(/[,;\t]/).map((c) => c.trim());
    if (cells.length !== 3) return fail(`line ${line} has ${cells.length} column${cells.length === 1 ? '' : 's'}; expected 3: x, y, label`);
    for (let c = 0; c < 2; c++) {
      const v = Number(cells[c]);
      if (cells[c] === '' || !Number.isFinite(v)) return fail(`line ${line}: ${c === 0 ? 'x' : 'y'} '${cells[c]}' is not a finite number`);
      x[r * 2 + c] = v;
    }
    const label = Number(cells[2]);
    if (cells[2] === '' || !Number.isInteger(label) || label < 0 || label > MAX_CSV_CLASS) {
      return fail(`line ${line}: label '${cells[2]}' must be a whole number from 0 to ${MAX_CSV_CLASS}`);
    }
    y[r] = label;
    classes.add(label);
  }
  if (classes.size < 2) return fail(`every point has label ${[...classes][0]}; a classifier needs at least two classes`);
  return { ok: true, points: { x, y, numClasses: Math.max(...classes) + 1 } };
}

function fail(message: string): CsvResult {
  return { ok: false, message: `CSV not loaded: ${message}. The previous data are kept.` };
}
