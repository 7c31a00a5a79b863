import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/cli.ts';
import { attack } from './attacker/attack.ts';
import { reproduce } from './attacker/enumerate.ts';
import { collectRelations, failingRelations, privateValues } from './attacker/relations.ts';
import { type RunOutput, readOutputs, runRoot, sampleSpecs, writeDatasets } from './generate.ts';

/**
 * The attacker checks itself on generated datasets: every relation it collects from a published
 * copy must hold when the exact private values are substituted (a wrong relation would invent
 * leaks or hide them), its independent statistics must reproduce the private report's own
 * numbers, and the enumeration must keep the true vector of hidden counts.
 */

let outputs: RunOutput[] = [];
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const made = await tempDir('repscope-attacker-self-');
  cleanup = made.cleanup;
  // Broad datasets (all attributes, weights, raking, sources) and tiny ones the enumeration can walk
  // (48 of them: the publish path hides totals too, so only some stay small enough to enumerate).
  // Two buckets run side by side: the CLI's stages mostly wait on DuckDB and the file system.
  const [broad, tiny] = ['broad', 'tiny'].map((d) => path.join(made.dir, d));
  await writeDatasets(broad!, sampleSpecs(36, 4242));
  await writeDatasets(tiny!, sampleSpecs(48, 777, { small: true }));
  await Promise.all([broad!, tiny!].map(runRoot));
  outputs = [...(await readOutputs(broad!)), ...(await readOutputs(tiny!))];
}, 240_000);
afterAll(async () => cleanup());

describe('the attacker on generated datasets', () => {
  it('publishes a copy of every generated dataset', () => {
    expect(outputs.length).toBe(36 + 48);
  });

  it('collects relations that hold on the exact private values', () => {
    let relations = 0;
    const failures: string[] = [];
    for (const o of outputs) {
      const system = collectRelations(o.published);
      relations += system.relations.length;
      for (const f of failingRelations(system, privateValues(system, o.privateReport)))
        failures.push(`${o.id}: ${f.relation.family} ${f.relation.path} (residual ${f.residual})`);
    }
    expect(failures).toEqual([]);
    // Every family is exercised somewhere, so none of them escapes the check.
    const families = new Set(
      outputs.flatMap((o) => collectRelations(o.published).relations.map((r) => r.family)),
    );
    expect([...families].sort()).toEqual(
      ['correction', 'labels', 'lines', 'positives', 'rows', 'share', 'sources', 'sum', 'weights'].sort(),
    );
    expect(relations).toBeGreaterThan(1000);
  });

  it('recomputes every statistic of the private reports independently', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const o of outputs) {
      const system = collectRelations(o.privateReport);
      if (system.weighted) continue;
      checked += 1;
      for (const m of reproduce(o.privateReport, system, new Map()))
        mismatches.push(`${o.id}: ${m.path} published ${m.published}, recomputed ${m.recomputed}`);
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('keeps the true hidden counts among the enumerated survivors', async () => {
    let enumerated = 0;
    for (const o of outputs.filter((x) => x.id.startsWith('gen-777-'))) {
      const result = await attack({ ...o, enumerate: true, enumerationLimit: 200_000 });
      expect(result.relationFailures).toEqual([]);
      if (result.enumeration === undefined) continue;
      enumerated += 1;
      expect(result.truthSurvives, o.id).toBe(true);
    }
    expect(enumerated).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
