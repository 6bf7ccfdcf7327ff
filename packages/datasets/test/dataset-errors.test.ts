import { describe, expect, it } from 'vitest';
import { BbpError } from '@beyond-backprop/core-linalg';
import { DatasetFileError, DatasetNotFoundError } from '../src/index.js';

describe('DatasetFileError', () => {
  it('names the file and the problem, with code dataset-file unless given', () => {
    const error = new DatasetFileError('train-images-idx3-ubyte', 'truncated');
    expect(error.message).toBe('train-images-idx3-ubyte: truncated');
    expect(error.file).toBe('train-images-idx3-ubyte');
    expect(error.problem).toBe('truncated');
    expect(error.code).toBe('dataset-file');
    expect(error.name).toBe('DatasetFileError');
    expect(BbpError.isInstance(error)).toBe(true);
    expect(DatasetNotFoundError.isInstance(error)).toBe(false);
    expect(new DatasetFileError('a.bin', 'odd', 'custom-code').code).toBe('custom-code');
  });
});

describe('DatasetNotFoundError', () => {
  it('lists every folder searched, one per line, then the hint', () => {
    const error = new DatasetNotFoundError('t10k-labels-idx1-ubyte', ['/data/mnist', '/data'], 'Set BBP_DATA_DIR.', [
      't10k-labels-idx1-ubyte',
      't10k-labels-idx1-ubyte.gz',
    ]);
    expect(error.message).toBe(
      't10k-labels-idx1-ubyte: not found. Looked for t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz in:\n  /data/mnist\n  /data\nSet BBP_DATA_DIR.',
    );
    expect(error.file).toBe('t10k-labels-idx1-ubyte');
    expect(error.problem).toBe('not found. Looked for t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz in:\n  /data/mnist\n  /data\nSet BBP_DATA_DIR.');
    expect(error.searched).toEqual(['/data/mnist', '/data']);
    expect(error.hint).toBe('Set BBP_DATA_DIR.');
    expect(error.code).toBe('dataset-not-found');
    expect(error.name).toBe('DatasetNotFoundError');
    expect(DatasetFileError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(DatasetFileError);
  });

  it('looks for the file itself by default, and says when no folder was searched', () => {
    const single = new DatasetNotFoundError('labels.txt', ['/only'], 'Pass dir.');
    expect(single.message).toBe('labels.txt: not found. Looked for labels.txt in:\n  /only\nPass dir.');
    const none = new DatasetNotFoundError('data_batch_1.bin', [], 'Install the data.');
    expect(none.message).toBe('data_batch_1.bin: not found. Looked for data_batch_1.bin in:\n  (no folder: pass dir or set BBP_DATA_DIR)\nInstall the data.');
    expect(none.searched).toEqual([]);
  });
});
