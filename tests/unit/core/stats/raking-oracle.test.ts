/**
 * Every case in tests/fixtures/oracles/raking.json, written by tests/oracles/raking_oracle.py: an
 * independent numpy IPF over a dense table (the cap's trimming level by scipy's brentq), numpy
 * sums for the source-diversity helpers and Python's `sorted` for the ranking of cells.
 */
import { describe, expect, it } from 'vitest';
import {
  dominantSource,
  effectiveNumber,
  largestShare,
  type RakeCell,
  type RakeOptions,
  rake,
  worstCells,
} from '../../../../functions/core/stats/index.ts';
import { casesOf, expectClose, loadFixture, title } from './oracle-fixture.ts';

const fixture = loadFixture('raking');

describe(`raking and sources: numpy ${fixture.versions['numpy']} oracle`, () => {
  describe('rake', () => {
    type Expected = {
      weights: (number | null)[];
      iterations: number;
      converged: boolean;
      maxMarginError?: number | null;
      designEffect?: number | null;
      effectiveSampleSize?: number | null;
      capped?: boolean;
      reasonIncludes?: string[];
    };
    for (const c of casesOf(fixture, 'rake')) {
      it(title(c), () => {
        const [cells, targets, options] = c.args as [RakeCell[], Record<string, number>[], RakeOptions];
        const expected = c.expected as Expected;
        const actual = rake(cells, targets, options);
        expect(actual.weights).toHaveLength(expected.weights.length);
        expected.weights.forEach((w, i) => {
          expectClose(actual.weights[i], w, c, ` weights[${i}]`);
        });
        expect(actual.iterations, c.call).toBe(expected.iterations);
        expect(actual.converged, c.call).toBe(expected.converged);
        for (const text of expected.reasonIncludes ?? []) expect(actual.reason).toContain(text);
        if (expected.reasonIncludes !== undefined) return;
        expect(actual.capped).toBe(expected.capped);
        expectClose(actual.designEffect, expected.designEffect ?? null, c, ' designEffect');
        expectClose(
          actual.effectiveSampleSize,
          expected.effectiveSampleSize ?? null,
          c,
          ' effectiveSampleSize',
        );
        // The margin error at convergence is rounding noise; compare it on the tolerance scale.
        const tolerance = options.tolerance ?? 1e-6;
        const error = expected.maxMarginError ?? 0;
        if (expected.converged) expect(actual.maxMarginError ?? 1).toBeLessThanOrEqual(tolerance);
        else expect(Math.abs((actual.maxMarginError ?? 0) - error)).toBeLessThanOrEqual(1e-9);
        if (expected.converged) expect(actual.reason).toBeUndefined();
        else expect(actual.reason).toContain('did not converge');
      });
    }
  });

  describe('largestShare', () => {
    for (const c of casesOf(fixture, 'largestShare')) {
      it(title(c), () => {
        const [counts] = c.args as [number[]];
        expectClose(largestShare(counts).value, c.expected as number | null, c);
      });
    }
  });

  describe('effectiveNumber', () => {
    for (const c of casesOf(fixture, 'effectiveNumber')) {
      it(title(c), () => {
        const [counts] = c.args as [number[]];
        expectClose(effectiveNumber(counts).value, c.expected as number | null, c);
      });
    }
  });

  describe('dominantSource', () => {
    type Expected = {
      dominant: boolean;
      source: string;
      share: number;
      totalRows: number;
      bySource: { source: string; rows: number; share: number }[];
    };
    for (const c of casesOf(fixture, 'dominantSource')) {
      it(title(c), () => {
        const [groups, threshold] = c.args as [Record<string, Record<string, number>>, number];
        const expected = c.expected as Expected;
        const actual = dominantSource(groups, threshold);
        expect(actual.dominant).toBe(expected.dominant);
        expect(actual.source).toBe(expected.source);
        expectClose(actual.share, expected.share, c, ' share');
        expectClose(actual.totalRows, expected.totalRows, c, ' totalRows');
        expect(actual.bySource.map((s) => s.source)).toEqual(expected.bySource.map((s) => s.source));
        expected.bySource.forEach((s, i) => {
          expectClose(actual.bySource[i]?.rows, s.rows, c, ` ${s.source} rows`);
          expectClose(actual.bySource[i]?.share, s.share, c, ` ${s.source} share`);
        });
      });
    }
  });

  describe('worstCells', () => {
    type Cell = { group: string; pAdjusted: number | null; ratio: number | null };
    for (const c of casesOf(fixture, 'worstCells')) {
      it(title(c), () => {
        const [cells, k] = c.args as [Cell[], number];
        expect(worstCells(cells, k).map((cell) => cell.group)).toEqual(c.expected);
      });
    }
  });
});
