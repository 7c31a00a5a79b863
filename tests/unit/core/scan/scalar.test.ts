import { describe, expect, it } from 'vitest';
import { describeJsonType, describeNonScalar, scalarText } from '../../../../functions/core/scan/scalar.ts';

describe('scalarText', () => {
  it.each([
    ['text', 'text'],
    ['', ''],
    [42, '42'],
    [1.5, '1.5'],
    [12345678901234567890n, '12345678901234567890'],
    [true, 'true'],
    [false, 'false'],
    [new Date(Date.UTC(2024, 1, 29, 12, 30)), '2024-02-29T12:30:00.000Z'],
    [null, null],
    [undefined, null],
    [{}, null],
  ])('renders %o as %o', (value, text) => {
    expect(scalarText(value)).toBe(text);
  });

  it.each([
    [{ a: 1 }, 'an object'],
    [[], 'an array'],
    [[1], 'an array'],
    [new Date(Number.NaN), 'an invalid date'],
    [Uint8Array.of(1), 'binary data'],
  ])('refuses %o as %s', (value, kind) => {
    expect(scalarText(value)).toBeUndefined();
    expect(describeNonScalar(value)).toBe(kind);
  });
});

describe('describeJsonType', () => {
  it.each([
    [null, 'null'],
    [[1], 'an array'],
    ['x', 'a string'],
    [1, 'a number'],
    [false, 'a boolean'],
    [{}, 'an object'],
  ])('names %o as %s', (value, name) => {
    expect(describeJsonType(value)).toBe(name);
  });
});
