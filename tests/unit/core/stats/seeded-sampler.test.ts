import { describe, expect, it } from 'vitest';
import {
  sampleBinomial,
  sampleMultinomial,
  seededUniform,
} from '../../../../functions/core/stats/seeded-sampler.ts';

describe('seeded sampler', () => {
  it('uniforms are in [0, 1) and reproducible for a seed', () => {
    const a = seededUniform(42);
    const b = seededUniform(42);
    for (let i = 0; i < 1000; i++) {
      const u = a();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      expect(b()).toBe(u);
    }
  });

  it.each([
    [20, 0.3],
    [1000, 0.01],
    [100_000_000, 0.5],
    [100_000_000, 1e-7],
  ])('Binomial(%d, %d): sample mean and variance within 5 standard errors', (n, p) => {
    const uniform = seededUniform(2024);
    const draws = 20_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < draws; i++) {
      const x = sampleBinomial(n, p, uniform);
      expect(Number.isInteger(x) && x >= 0 && x <= n).toBe(true);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / draws;
    const variance = sumSq / draws - mean * mean;
    const sigma2 = n * p * (1 - p);
    expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(sigma2 / draws));
    // var of the sample variance ≈ 2σ⁴/draws for near-normal counts (plus the excess-kurtosis term)
    expect(Math.abs(variance / sigma2 - 1)).toBeLessThan(5 * Math.sqrt(2 / draws + 1 / (sigma2 * draws)));
  });

  it('multinomial draws sum to the total', () => {
    const uniform = seededUniform(5);
    for (let i = 0; i < 200; i++) {
      const counts = sampleMultinomial(63, [0.1, 0.1, 0.8], uniform);
      expect(counts.reduce((s, c) => s + c, 0)).toBe(63);
    }
  });
});
