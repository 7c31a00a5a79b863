import { field, isObject, type Json, list, num, str } from './json.ts';

/**
 * The dataset page's history (trend points, drift between runs) as a possible third differencing
 * channel: every figure it shows must be one a reader computes from the published copies alone,
 * so it adds no relation on a hidden count. This reads a history (as JSON) beside the copies it
 * was built from and lists every figure that is not: a share, change or test of a group hidden in
 * either copy, a TVD between runs over an attribute with a hidden group, a trend point's TVD or
 * worst group that its copy withholds.
 */
export function historyLeaks(copies: readonly Json[], history: Json): string[] {
  const byRun = new Map(copies.map((c) => [str(field(c, 'run'), 'id') ?? '', c]));
  const out: string[] = [];
  for (const point of list(history, 'points')) {
    const copy = byRun.get(str(point, 'run') ?? '');
    for (const a of list(point, 'attributes')) {
      const attribute = attributeOf(copy, str(a, 'attribute') ?? '');
      const where = `point ${str(point, 'run')}/${str(a, 'attribute')}`;
      const tvd = num(a, 'tvd');
      if (typeof tvd === 'number' && tvd !== num(field(attribute, 'distances'), 'tvd'))
        out.push(`${where}: TVD ${tvd} is not the copy's`);
      const worst = field(a, 'worst');
      if (isObject(worst)) {
        const g = groupOf(attribute, str(worst, 'group') ?? '');
        if (num(worst, 'ratio') !== num(g, 'ratio'))
          out.push(`${where}: worst group ${str(worst, 'group')} has a ratio its copy does not publish`);
      }
    }
  }
  for (const drift of list(history, 'drifts')) {
    const before = byRun.get(str(drift, 'from') ?? '');
    const after = byRun.get(str(drift, 'to') ?? '');
    for (const a of list(drift, 'attributes')) {
      const name = str(a, 'attribute') ?? '';
      const [b, x] = [attributeOf(before, name), attributeOf(after, name)];
      const where = `drift ${str(drift, 'from')} → ${str(drift, 'to')}/${name}`;
      const anyHidden = [b, x].some((t) => list(t, 'groups').some((g) => num(g, 'share') === null));
      if (typeof num(a, 'tvd') === 'number' && anyHidden)
        out.push(`${where}: TVD between runs published over a hidden group`);
      for (const g of list(a, 'groups')) {
        const group = str(g, 'group') ?? '';
        const shares = [publishedShare(b, group), publishedShare(x, group)];
        const stated = ['shareBefore', 'shareAfter'].map((key) => num(g, key));
        if (stated.some((s, i) => typeof s === 'number' && s !== shares[i]))
          out.push(`${where}/${group}: a share its copy does not publish`);
        const known = shares.every((s) => typeof s === 'number');
        for (const key of ['change', 'z', 'pValue', 'pAdjusted'])
          if (typeof num(g, key) === 'number' && !known)
            out.push(`${where}/${group}: ${key} of a group hidden in a copy`);
      }
    }
  }
  return out;
}

function attributeOf(copy: Json, name: string): Json {
  return list(copy, 'attributes').find((a) => str(a, 'name') === name);
}

function groupOf(attribute: Json, group: string): Json {
  return list(attribute, 'groups').find((g) => str(g, 'group') === group);
}

/** The group's published share; 0 for a group absent from a copy whose N is published. */
function publishedShare(attribute: Json, group: string): number | null {
  const g = groupOf(attribute, group);
  if (g === undefined) return typeof num(attribute, 'total') === 'number' ? 0 : null;
  return num(g, 'share') ?? null;
}
