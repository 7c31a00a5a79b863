/**
 * Reading the oracle fixtures written by tests/oracles/*.py: each case carries the Python call that
 * produced its expected value, and tolerances |actual − expected| ≤ atol + rtol·|expected|.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export type OracleCase = {
  readonly call: string;
  readonly args: unknown[];
  readonly expected: unknown;
  readonly rtol: number;
  readonly atol: number;
  readonly note?: string;
};

export type OracleFixture = {
  readonly generatedBy: string;
  readonly versions: Record<string, string>;
  readonly cases: Record<string, OracleCase[]>;
};

/** Loads tests/fixtures/oracles/<name>.json. */
export function loadFixture(name: string): OracleFixture {
  return JSON.parse(
    readFileSync(new URL(`../../../fixtures/oracles/${name}.json`, import.meta.url), 'utf8'),
  ) as OracleFixture;
}

/** The cases for one function; fails loudly when the fixture has none. */
export function casesOf(fixture: OracleFixture, name: string): OracleCase[] {
  const list = fixture.cases[name];
  if (list === undefined || list.length === 0)
    throw new Error(`${fixture.generatedBy} wrote no cases for ${name}`);
  return list;
}

/** A test title: the Python call, then the note. */
export function title(c: OracleCase): string {
  return c.note === undefined ? c.call : `${c.call}  [${c.note}]`;
}

/** Asserts actual is within the case's tolerance of expected, or both are null. */
export function expectClose(
  actual: number | null | undefined,
  expected: number | null,
  c: OracleCase,
  what = '',
): void {
  const label = `${c.call}${what}: actual ${actual}, expected ${expected}`;
  if (expected === null) {
    expect(actual ?? null, label).toBeNull();
    return;
  }
  expect(typeof actual, label).toBe('number');
  const a = actual as number;
  expect(Number.isFinite(a), label).toBe(true);
  expect(Math.abs(a - expected), label).toBeLessThanOrEqual(c.atol + c.rtol * Math.abs(expected));
}
