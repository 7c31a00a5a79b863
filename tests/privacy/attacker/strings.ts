import { field, isObject, type Json, list, num, str } from './json.ts';

/**
 * Part 2 of the attacker (issue #17): a withheld number must not come back in words. Every string
 * of the published JSON and every text node and readable attribute of the site's pages is scanned
 * for each value the private report has where the published copy has none, printed the ways the
 * code prints numbers (web/format.ts, functions/cli/format-report.ts, the check and warning
 * messages): counts as whole tokens (`4`, `1,234`, `12.5` for weight sums), statistics with 2 to 4
 * decimals, shares as percentages with one decimal, p-values also as `1.2e-5`, and every number at
 * full precision (as JSON would print it).
 *
 * A printed form that the copy also states for a published number is ambiguous (the text may be
 * printing that one) and is not searched: that keeps years, k, thresholds, degrees of freedom and
 * visible counts from raising false alarms, at the price of missing a leak that happens to equal a
 * published number.
 */

export interface Withheld {
  /** Path in the private report, e.g. `attributes[sex].groups[diverse].count`. */
  readonly path: string;
  readonly value: number;
  readonly kind: 'count' | 'share' | 'statistic' | 'interval';
  /** The upper bound of a withheld interval (`value` is its lower bound). */
  readonly upper?: number;
}

export interface Leak {
  readonly withheld: Withheld;
  /** The printed form found. */
  readonly printed: string;
  /** Where: `json:<path>` or `html:<file>`. */
  readonly where: string;
  /** The text around the find. */
  readonly excerpt: string;
}

const COUNT_KEYS = new Set([
  'count',
  'rows',
  'positives',
  'missing',
  'unmapped',
  'total',
  'read',
  'used',
  'excludedNoConsent',
  'malformed',
  'rowsNeeded',
  'weightSum',
  'unlabelled',
  'otherValues',
]);
const SHARE_KEYS = new Set(['share', 'referenceShare', 'positiveRate', 'largestShare']);
/** Keys of arrays' elements that name them, so private and published lists are matched by name. */
const NAME_KEYS = ['group', 'source', 'cell', 'name', 'id'] as const;

/** Numbers of the private report that the published copy shows as null or leaves out. */
export function withheldValues(privateReport: Json, published: Json): Withheld[] {
  const out: Withheld[] = [];
  walk(privateReport, published, '', '', out);
  return out;
}

function walk(priv: Json, pub: Json, path: string, key: string, out: Withheld[]): void {
  if (key === 'ci' && isInterval(priv)) {
    if (!isInterval(pub)) out.push({ path, value: priv[0], upper: priv[1], kind: 'interval' });
    return;
  }
  if (typeof priv === 'number') {
    if (typeof pub !== 'number' && Number.isFinite(priv)) out.push({ path, value: priv, kind: kindOf(key) });
    return;
  }
  if (Array.isArray(priv)) {
    const pubList = Array.isArray(pub) ? pub : [];
    priv.forEach((item, i) => {
      const name = nameOf(item);
      const match = name === undefined ? pubList[i] : pubList.find((p) => nameOf(p) === name);
      walk(item, match, `${path}[${name ?? i}]`, key, out);
    });
    return;
  }
  if (!isObject(priv)) return;
  for (const [k, v] of Object.entries(priv)) {
    walk(v, isObject(pub) ? pub[k] : undefined, path === '' ? k : `${path}.${k}`, k, out);
  }
}

function isInterval(value: Json): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number');
}

function nameOf(item: Json): string | undefined {
  if (!isObject(item)) return undefined;
  for (const key of NAME_KEYS) {
    const v = item[key];
    if (typeof v === 'string') return v;
  }
  return Array.isArray(item['attributes']) ? (item['attributes'] as unknown[]).join('|') : undefined;
}

function kindOf(key: string): Withheld['kind'] {
  if (COUNT_KEYS.has(key)) return 'count';
  return SHARE_KEYS.has(key) ? 'share' : 'statistic';
}

/**
 * The ways the code prints `value`, each matched as a whole token: counts as integers (with
 * thousands separators) or one decimal; statistics with 2 to 4 decimals; shares as percentages
 * with one decimal; and everything at full precision and at Vega's 12 significant digits.
 * Intervals are searched as a pair (`intervalForm`).
 */
export function printedForms(
  value: number,
  kind: Withheld['kind'],
  options: { allRoundings?: boolean } = {},
): string[] {
  // A whole-number statistic (a p-value of 1, a weight of 1) is printed with decimals; bare, it
  // would be indistinguishable from any small number in the page.
  const forms = new Set<string>(kind === 'count' || !Number.isInteger(value) ? [String(value)] : []);
  if (kind === 'count') {
    if (Number.isInteger(value)) forms.add(value.toLocaleString('en-US'));
    else forms.add(value.toFixed(1));
    return [...forms].filter((f) => f !== '0');
  }
  if (!Number.isInteger(value)) forms.add(String(Number(value.toPrecision(12))));
  // A simple fraction (1/3, 3/4) rounds like countless other numbers in a page: only its full
  // precision is searched. A published one still prints rounded (a design effect of 7/6 as 1.17),
  // so every rounding counts as published (`allRoundings`).
  if (!options.allRoundings && isSimpleFraction(value)) return [...forms];
  if (kind === 'statistic') {
    for (const digits of [2, 3, 4]) forms.add(Math.abs(value).toFixed(digits));
    if (Math.abs(value) < 0.001 && value !== 0) forms.add(value.toExponential(1));
  }
  if (kind === 'share') forms.add(`${(value * 100).toFixed(1)}%`);
  return [...forms].filter((f) => Number(f.replace('%', '').replaceAll(',', '')) !== 0);
}

function isSimpleFraction(value: number): boolean {
  for (let d = 1; d <= 12; d++) if (Math.abs(value * d - Math.round(value * d)) < 1e-9) return true;
  return false;
}

/** A withheld interval as the pages print it (`45.7–53.7 %`, normalised to `45.7% – 53.7%`). */
export function intervalForm(w: Withheld): string | undefined {
  if (w.kind !== 'interval' || w.upper === undefined) return undefined;
  return `${(w.value * 100).toFixed(1)}% – ${(w.upper * 100).toFixed(1)}%`;
}

/** Every printed form of every number the copy states: finds of these forms are ambiguous. */
export function publishedForms(published: Json): Set<string> {
  const out = new Set<string>();
  const visit = (v: Json, key: string): void => {
    if (key === 'ci' && isInterval(v)) {
      const [low, high] = v;
      out.add(intervalForm({ path: '', value: low, upper: high, kind: 'interval' })!);
      for (const bound of v) for (const f of printedForms(bound, 'share')) out.add(f);
    } else if (typeof v === 'number') {
      for (const f of printedForms(v, 'count')) out.add(f);
      out.add(v.toFixed(0));
      for (const f of printedForms(v, kindOf(key) === 'count' ? 'statistic' : kindOf(key), {
        allRoundings: true,
      }))
        out.add(f);
    } else if (Array.isArray(v)) for (const item of v) visit(item, key);
    else if (isObject(v)) for (const [k, item] of Object.entries(v)) visit(item, k);
  };
  visit(published, '');
  for (const rate of restRates(published)) for (const f of printedForms(rate, 'share')) out.add(f);
  return out;
}

/**
 * The positive rate of "the rest" beside each visible label row (pages say "positive rate 21.5 %
 * vs 18.6 % for the rest"): (P − p)/(T − n) with P = overall rate × T, all published numbers.
 */
function restRates(published: Json): number[] {
  const out: number[] = [];
  for (const attribute of list(published, 'attributes')) {
    const total = num(attribute, 'total');
    const rate = num(field(attribute, 'labels'), 'positiveRate');
    if (typeof total !== 'number' || typeof rate !== 'number') continue;
    const counts = new Map(list(attribute, 'groups').map((g) => [str(g, 'group'), num(g, 'count')]));
    for (const row of list(field(attribute, 'labels'), 'groups')) {
      const p = num(row, 'positives');
      const n = counts.get(str(row, 'group'));
      if (typeof p === 'number' && typeof n === 'number' && total > n)
        out.push((rate * total - p) / (total - n));
    }
  }
  return out;
}

/** Every string of a JSON value with its path. */
export function jsonStrings(value: Json, path = ''): { where: string; text: string }[] {
  if (typeof value === 'string') return [{ where: `json:${path}`, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonStrings(v, `${path}[${i}]`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => jsonStrings(v, path === '' ? k : `${path}.${k}`));
}

/** Attributes a reader sees (tooltips, labels, alt text); geometry such as `d` or `x` is not text. */
const READABLE_ATTRIBUTES =
  /\b(title|aria-label|alt|content|value|data-[\w-]+|summary|label)\s*=\s*"([^"]*)"/gi;

/** Text nodes (including script and style bodies) and readable attribute values of an HTML page. */
export function htmlStrings(html: string, file: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const match of html.matchAll(/>([^<]+)</g))
    out.push({ where: `html:${file}`, text: decodeEntities(match[1]!) });
  for (const tag of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    for (const attribute of tag[0].matchAll(READABLE_ATTRIBUTES)) {
      // Vega's axis and legend descriptions count their categories ("… scale with 3 values").
      const text = decodeEntities(attribute[2]!).replaceAll(/\bwith \d+ values\b/g, 'with values');
      out.push({ where: `html:${file} @${attribute[1]}`, text });
    }
  }
  return out;
}

function decodeEntities(text: string): string {
  return text
    .replaceAll(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replaceAll(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&nbsp;', ' ')
    .replaceAll('&amp;', '&');
}

/**
 * Number tokens of a text: digits with inner `.`, `,` or a joining hyphen (`18-24` is a group
 * name, one token), not glued to letters nor following `@` or `=` (`report@1`, `scale=1`); a trailing `%` (after an optional space) stays on the
 * token. A leading minus sign, `−` or `+` is dropped (signed statistics are printed with them).
 */
export function numberTokens(text: string): { token: string; at: number }[] {
  const out: { token: string; at: number }[] = [];
  const pattern = /(?<![\w.,\-/|@=])\d+(?:[.,\-:/]\d+)*(?:e[+-]?\d+)?(?![\w])(?:\s?%)?/gi;
  for (const match of text.matchAll(pattern))
    out.push({ token: match[0].replace(/\s%$/, '%'), at: match.index });
  return out;
}

/**
 * Phrases of the code's messages whose numbers are constants or group tallies, not counts of
 * people ("evenness needs at least 2 groups, received 1").
 */
const CONSTANT_PHRASES = [
  /\bat least \d+ (?:non-empty )?groups?\b/g,
  /< 0\.001\b/g,
  /\b(?:received|found) \d+\b/g,
  // Dates of a reference's source ("population on 31 December 2023").
  /\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b/g,
];

/**
 * The text with constant phrases masked, and both ends of a percentage range (`10.5–18.9 %`, an
 * interval) marked as percentages, so they are compared with shares rather than counts.
 */
function normalisedText(text: string): string {
  const masked = CONSTANT_PHRASES.reduce(
    (t, phrase) => t.replaceAll(phrase, (m) => m.replaceAll(/\d/g, '#')),
    text,
  );
  return masked.replaceAll(/(\d+(?:\.\d+)?)\s?%?\s?–\s?(\d+(?:\.\d+)?)\s?%/g, '$1% – $2%');
}

/** Finds of withheld values in the given texts. */
export function findLeaks(
  withheld: readonly Withheld[],
  texts: readonly { where: string; text: string }[],
  ambiguous: ReadonlySet<string>,
): Leak[] {
  const wanted = new Map<string, Withheld[]>();
  for (const w of withheld) {
    for (const form of printedForms(w.value, w.kind)) {
      if (ambiguous.has(form)) continue;
      wanted.set(form, [...(wanted.get(form) ?? []), w]);
    }
  }
  const intervals = withheld.flatMap((w) => {
    const form = intervalForm(w);
    return form === undefined || ambiguous.has(form) ? [] : [{ w, form }];
  });
  const leaks: Leak[] = [];
  for (const { where, text } of texts) {
    const normalised = normalisedText(text);
    const excerpt = (at: number) => normalised.slice(Math.max(0, at - 60), at + 60);
    for (const { token, at } of numberTokens(normalised)) {
      for (const w of wanted.get(token) ?? [])
        leaks.push({ withheld: w, printed: token, where, excerpt: excerpt(at) });
    }
    for (const { w, form } of intervals) {
      const at = normalised.indexOf(form);
      if (at >= 0) leaks.push({ withheld: w, printed: form, where, excerpt: excerpt(at) });
    }
  }
  return leaks;
}

/** Part 2 in one call: withheld values of the private report, found in the published JSON and pages. */
export function scanPublished(
  privateReport: Json,
  published: Json,
  pages: readonly { file: string; html: string }[],
): Leak[] {
  const withheld = withheldValues(privateReport, published);
  const texts = [...jsonStrings(published), ...pages.flatMap((p) => htmlStrings(p.html, p.file))];
  return findLeaks(withheld, texts, publishedForms(published));
}
