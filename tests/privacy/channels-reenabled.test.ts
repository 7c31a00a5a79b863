import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/cli.ts';
import { type AttackResult, attack, type FindingPart } from './attacker/attack.ts';
import { field, isObject, type Json, type JsonObject, list, num, str } from './attacker/json.ts';
import { type RunOutput, readOutputs, runRoot } from './generate.ts';

/**
 * Issue #17's four channels, re-enabled on purpose in a published copy, must each be flagged:
 * (1) raking rows and precise totals beside a hidden group, (2) a warning that prints a hidden
 * count, (3) a check message that prints a withheld statistic, (4) a check message that classifies
 * a hidden group; and (5) a χ² p-value over all groups published beside a hidden cell. The copies
 * come from `repscope run`; only the re-enabled channel is edited in.
 */

const DIVERSE = 'attributes[sex].groups[diverse].count';

/** 300 rows, k = 10: a 4-row group `diverse` absent from the reference, sex × age_band, a label. */
function channelsCsv(): string {
  const lines = ['sex,age,converted'];
  const ages = [20, 30, 40, 50, 60, 70];
  for (let i = 0; i < 296; i++)
    lines.push(`${i % 2 === 0 ? 'female' : 'male'},${ages[i % 6]! + (i % 5)},${i % 3 === 0 ? 1 : 0}`);
  for (let i = 0; i < 4; i++) lines.push(`diverse,${31 + i},${i % 2}`);
  return `${lines.join('\n')}\n`;
}

const CHANNELS_MANIFEST = `dataset: channels
label: { column: converted, positive: ["1"] }
attributes:
  - name: sex
    column: sex
    reference: de-2023/sex
    groups: { female: [female], male: [male], diverse: [diverse] }
  - name: age_band
    column: age
    bins: [0, 18, 25, 35, 45, 55, 65, 75]
    reference: de-2023/age_band
intersections: [[sex, age_band]]
correction: { rake: false }
privacy: { minCellSize: 10 }
`;

/** 40 rows, k = 5: male 3, female 37; both hidden, small enough to enumerate. */
function tinyCsv(): string {
  return `sex\n${[...Array.from({ length: 37 }, () => 'female'), 'male', 'male', 'male'].join('\n')}\n`;
}

const TINY_MANIFEST = `dataset: tiny
attributes:
  - name: sex
    column: sex
    reference: de-2023/sex
    groups: { female: [female], male: [male] }
privacy: { minCellSize: 5 }
`;

let channels: RunOutput;
let tiny: RunOutput;
let cleanup: () => Promise<void> = async () => {};

async function put(file: string, body: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

beforeAll(async () => {
  const made = await tempDir('repscope-channels-');
  cleanup = made.cleanup;
  await put(path.join(made.dir, 'datasets/channels/repscope.yaml'), CHANNELS_MANIFEST);
  await put(path.join(made.dir, 'datasets/channels/v1/data.csv'), channelsCsv());
  await put(path.join(made.dir, 'datasets/tiny/repscope.yaml'), TINY_MANIFEST);
  await put(path.join(made.dir, 'datasets/tiny/v1/data.csv'), tinyCsv());
  await runRoot(made.dir);
  const outputs = await readOutputs(made.dir);
  channels = outputs.find((o) => o.id === 'channels')!;
  tiny = outputs.find((o) => o.id === 'tiny')!;
}, 120_000);
afterAll(async () => cleanup());

function edited(copy: Json, edit: (copy: JsonObject) => void): JsonObject {
  const out = structuredClone(copy) as JsonObject;
  edit(out);
  return out;
}

function attributeOf(report: Json, name: string): JsonObject {
  return list(report, 'attributes').find((a) => str(a, 'name') === name)!;
}

function privateCount(name: string, group: string): number {
  return num(
    list(attributeOf(channels.privateReport, name), 'groups').find((g) => str(g, 'group') === group),
    'count',
  )!;
}

async function findings(o: RunOutput, published: Json, enumerate = false): Promise<AttackResult> {
  return attack({ privateReport: o.privateReport, published, pages: [], enumerate });
}

function paths(result: AttackResult, part: FindingPart): string[] {
  return result.findings.filter((f) => f.part === part).map((f) => f.path);
}

function checkOf(report: JsonObject, id: string): JsonObject {
  return list(report, 'checks').find((c) => str(c, 'id') === id)!;
}

describe('channels re-enabled on purpose', () => {
  it('starts from a copy that hides diverse and keeps its interval at least k wide', async () => {
    expect(
      num(
        list(attributeOf(channels.published, 'sex'), 'groups').find((g) => str(g, 'group') === 'diverse'),
        'count',
      ),
    ).toBeNull();
    expect(privateCount('sex', 'diverse')).toBe(4);
    const base = await findings(channels, channels.published);
    expect(base.relationFailures).toEqual([]);
    expect(paths(base, 'lp')).not.toContain(DIVERSE);
    expect(paths(base, 'strings')).not.toContain(DIVERSE);
    expect(paths(base, 'classification')).not.toContain('checks[representation:sex]');
  });

  it('(1) flags raking rows and a precise total beside the hidden group', async () => {
    const rows = num(field(channels.published, 'rows'), 'used')!;
    const copy = edited(channels.published, (c) => {
      c['correction'] = {
        method: 'raking',
        attributes: ['sex', 'age_band'],
        converged: true,
        iterations: 5,
        rows: rows - privateCount('sex', 'diverse'),
      };
    });
    const result = await findings(channels, copy);
    expect(result.relationFailures).toEqual([]);
    expect(paths(result, 'lp')).toContain(DIVERSE);
  });

  it('(1b) flags a share published for the hidden group (a rate times a published total)', async () => {
    const copy = edited(channels.published, (c) => {
      const diverse = list(attributeOf(c, 'sex'), 'groups').find((g) => str(g, 'group') === 'diverse')!;
      diverse['share'] = 4 / num(attributeOf(c, 'sex'), 'total')!;
    });
    expect(paths(await findings(channels, copy), 'lp')).toContain(DIVERSE);
  });

  it('(2) flags a warning that prints the hidden count', async () => {
    const copy = edited(channels.published, (c) => {
      (c['warnings'] as Json[]).push({
        code: 'raking-excluded',
        message: `raking left out ${privateCount('sex', 'diverse')} rows in groups without a reference share: diverse`,
      });
    });
    expect(paths(await findings(channels, copy), 'strings')).toContain(DIVERSE);
  });

  it('(3) flags a check message that prints a withheld statistic', async () => {
    const tvd = num(field(attributeOf(channels.privateReport, 'sex'), 'distances'), 'tvd')!;
    expect(num(field(attributeOf(channels.published, 'sex'), 'distances'), 'tvd')).toBeNull();
    const copy = edited(channels.published, (c) => {
      const check = checkOf(c, 'representation:sex');
      check['message'] = `sex: within the thresholds, TVD ${tvd.toFixed(4)}`;
    });
    expect(paths(await findings(channels, copy), 'strings')).toContain('attributes[sex].distances.tvd');
  });

  it('(4) flags a check message that classifies the hidden group', async () => {
    const copy = edited(channels.published, (c) => {
      checkOf(c, 'representation:sex')['message'] = 'sex: over-represented: diverse';
    });
    expect(paths(await findings(channels, copy), 'classification')).toContain('checks[representation:sex]');
  });

  it('(5) flags a χ² p-value over all groups beside a hidden cell, and the enumeration solves it', async () => {
    const sex = attributeOf(tiny.published, 'sex');
    expect(list(sex, 'groups').map((g) => num(g, 'count'))).toEqual([null, null]);
    const base = await findings(tiny, tiny.published, true);
    expect(base.enumeration?.survivors).toBeGreaterThan(5);
    expect(base.truthSurvives).toBe(true);
    expect(paths(base, 'enumeration')).toEqual([]);
    expect(paths(base, 'overall-test')).toEqual([]);

    const chi = field(field(attributeOf(tiny.privateReport, 'sex'), 'tests'), 'chiSquare');
    expect(isObject(chi)).toBe(true);
    const copy = edited(tiny.published, (c) => {
      const tests = field(attributeOf(c, 'sex'), 'tests') as JsonObject;
      tests['chiSquare'] = { ...(tests['chiSquare'] as JsonObject), pValue: num(chi, 'pValue') };
    });
    const result = await findings(tiny, copy, true);
    expect(paths(result, 'overall-test')).toEqual(['attributes[sex].tests.chiSquare.pValue']);
    expect(result.truthSurvives).toBe(true);
    expect(paths(result, 'enumeration')).toContain('attributes[sex].groups[male].count');
  });

  it('(5b) the enumeration also solves a withheld distance put back beside the hidden cells', async () => {
    const tvd = num(field(attributeOf(tiny.privateReport, 'sex'), 'distances'), 'tvd');
    const copy = edited(tiny.published, (c) => {
      (field(attributeOf(c, 'sex'), 'distances') as JsonObject)['tvd'] = tvd ?? null;
    });
    const result = await findings(tiny, copy, true);
    expect(result.truthSurvives).toBe(true);
    expect(paths(result, 'enumeration')).toContain('attributes[sex].groups[male].count');
  });
});
