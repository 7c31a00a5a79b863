import type { Report } from '../report/schema.ts';
import { benjaminiHochberg } from '../stats/benjamini-hochberg.ts';
import { totalVariationDistance } from '../stats/total-variation-distance.ts';
import { twoProportionZTest } from '../stats/two-proportion-z-test.ts';

type GroupStatus = Report['attributes'][number]['groups'][number]['status'];
type Verdict = Report['status'];

/** One group's share in two runs, and whether the change is more than chance. */
export interface GroupDrift {
  readonly group: string;
  /** Null when the group is hidden (a small cell) in that run's published copy. */
  readonly shareBefore: number | null;
  readonly shareAfter: number | null;
  /** shareAfter − shareBefore. */
  readonly change: number | null;
  /** Pooled two-proportion z (positive: the share grew) and its two-sided p-value. */
  readonly z: number | null;
  readonly pValue: number | null;
  /** Benjamini–Hochberg across the attribute's groups. */
  readonly pAdjusted: number | null;
  /** pAdjusted < alpha (the later run's threshold). */
  readonly significant: boolean;
  /** Null when the group did not appear in that run. */
  readonly statusBefore: GroupStatus | null;
  readonly statusAfter: GroupStatus | null;
  /** Why the test was not run, when it was not. */
  readonly reason?: string;
}

export interface AttributeDrift {
  readonly attribute: string;
  /** TVD between the two runs' shares; null (with `tvdReason`) when a group is hidden in either. */
  readonly tvd: number | null;
  readonly tvdReason?: string;
  readonly groups: readonly GroupDrift[];
}

/** A run against an earlier one: the previous run, or the pinned baseline. */
export interface RunDrift {
  readonly against: 'previous' | 'baseline';
  /** The earlier run's id. */
  readonly from: string;
  readonly to: string;
  readonly statusBefore: Verdict;
  readonly statusAfter: Verdict;
  /** The run's verdict got worse: pass → warn → fail → error. */
  readonly statusWorse: boolean;
  readonly attributes: readonly AttributeDrift[];
}

const VERDICT_RANK: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/** True when `after` is a worse verdict than `before`. */
export function isWorse(before: Verdict, after: Verdict): boolean {
  return VERDICT_RANK[after] > VERDICT_RANK[before];
}

/**
 * How run `after` differs from the earlier run `before`, per attribute both have: each group's
 * share change with a pooled two-proportion z-test (BH-adjusted across the attribute's groups,
 * significant below the later run's alpha), the TVD between the two share vectors, and the
 * verdict's transition. Pure; given published (suppressed) copies it uses only what they show: a
 * hidden group gets no test and makes the attribute's TVD null, so no drift figure describes a
 * hidden cell.
 *
 * With weights, N is Kish's effective N of the attribute and x = share · N_eff (ARCHITECTURE
 * "Weights"); without, N is the attribute's valid rows and x the group's count.
 */
export function runDrift(before: Report, after: Report, against: RunDrift['against']): RunDrift {
  const attributes: AttributeDrift[] = [];
  for (const a of after.attributes) {
    const b = before.attributes.find((x) => x.name === a.name);
    if (b) attributes.push(attributeDrift(b, a, after.thresholds.alpha));
  }
  return {
    against,
    from: before.run.id,
    to: after.run.id,
    statusBefore: before.status,
    statusAfter: after.status,
    statusWorse: isWorse(before.status, after.status),
    attributes,
  };
}

type AttributeResult = Report['attributes'][number];

/** The N a test of this attribute uses: Kish's N_eff with weights, else the valid rows. */
function effectiveTotal(a: AttributeResult): number | null {
  return a.weights ? a.weights.effectiveN : a.total;
}

function attributeDrift(before: AttributeResult, after: AttributeResult, alpha: number): AttributeDrift {
  const names = [...new Set([...before.groups.map((g) => g.group), ...after.groups.map((g) => g.group)])];
  const nBefore = effectiveTotal(before);
  const nAfter = effectiveTotal(after);
  const shareOf = (a: AttributeResult, group: string) => {
    const g = a.groups.find((x) => x.group === group);
    if (g === undefined) return { share: a.total === null ? null : 0, status: null };
    return { share: g.status === 'suppressed' ? null : g.share, status: g.status };
  };
  const rows = names.map((group) => {
    const b = shareOf(before, group);
    const a = shareOf(after, group);
    let reason: string | undefined;
    let test: ReturnType<typeof twoProportionZTest> = null;
    if (b.share === null || a.share === null) reason = 'the group is hidden in a published copy';
    else if (nBefore === null || nAfter === null) reason = 'the attribute total is hidden';
    else {
      test = twoProportionZTest(b.share * nBefore, nBefore, a.share * nAfter, nAfter);
      if (test === null) reason = 'no variance to test (the share is 0 or 1 in both runs, or N is 0)';
    }
    return { group, b, a, test, reason };
  });
  const adjusted = benjaminiHochberg(rows.map((r) => r.test?.pValue ?? null));
  const groups: GroupDrift[] = rows.map((r, i) => {
    const pAdjusted = adjusted[i] ?? null;
    return {
      group: r.group,
      shareBefore: r.b.share,
      shareAfter: r.a.share,
      change: r.b.share === null || r.a.share === null ? null : r.a.share - r.b.share,
      z: r.test?.z ?? null,
      pValue: r.test?.pValue ?? null,
      pAdjusted,
      significant: pAdjusted !== null && pAdjusted < alpha,
      statusBefore: r.b.status,
      statusAfter: r.a.status,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
    };
  });
  const hidden = rows.some((r) => r.b.share === null || r.a.share === null);
  const tvd = hidden
    ? { value: null, reason: 'a group is hidden in a published copy' }
    : totalVariationDistance(
        rows.map((r) => r.b.share ?? 0),
        rows.map((r) => r.a.share ?? 0),
      );
  return {
    attribute: after.name,
    tvd: tvd.value,
    ...(tvd.value === null ? { tvdReason: tvd.reason ?? 'not computed' } : {}),
    groups,
  };
}
