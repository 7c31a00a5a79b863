import { InputError } from '../errors.ts';

/**
 * How the grouping-sets statement spells things in SQL: the two dialects, quoting, and the regular
 * expressions that reproduce JavaScript's `normaliseValue`, `trim()` and `parseNumber` in the
 * engine. The statement itself is in grouping-sets-render.ts; see grouping-sets-sql.ts for the
 * semantics both executors share.
 */

/**
 * The places where DuckDB and Trino (Athena engine v3) spell the same thing differently. Everything
 * else in the statement is the dialect both run. `pattern` arguments are regular expressions in
 * the syntax RE2 (DuckDB) and Java/Joni (Trino) share: classes, `\x{…}`, `\p{Lu}`, `^`, `\z`.
 */
export interface SqlDialect {
  readonly name: 'duckdb' | 'trino';
  /** Unicode NFC of a VARCHAR expression. */
  nfc(text: string): string;
  /** True when `pattern` matches somewhere in `text` (anchor it to match the whole text). */
  regexpLike(text: string, pattern: string): string;
  /** Replaces every match of `pattern`; `replacement` refers to groups through `groupRef`. */
  regexpReplaceAll(text: string, pattern: string, replacement: string): string;
  /** How a replacement names capture group `n`. */
  groupRef(n: number): string;
  /** VARCHAR → DOUBLE, NULL where the engine cannot convert (callers check the syntax first). */
  tryCastDouble(text: string): string;
}

/** DuckDB: `nfc_normalize`, `regexp_matches`, `regexp_replace(…, 'g')`, `\1`. */
export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  nfc: (text) => `nfc_normalize(${text})`,
  regexpLike: (text, pattern) => `regexp_matches(${text}, ${sqlString(pattern)})`,
  regexpReplaceAll: (text, pattern, replacement) =>
    `regexp_replace(${text}, ${sqlString(pattern)}, ${sqlString(replacement)}, 'g')`,
  groupRef: (n) => `\\${n}`,
  tryCastDouble: (text) => `TRY_CAST(${text} AS DOUBLE)`,
};

/** Trino / Athena engine v3: `normalize(…, NFC)`, `regexp_like`, `regexp_replace` (all matches), `$1`. */
export const trinoDialect: SqlDialect = {
  name: 'trino',
  nfc: (text) => `normalize(${text}, NFC)`,
  regexpLike: (text, pattern) => `regexp_like(${text}, ${sqlString(pattern)})`,
  regexpReplaceAll: (text, pattern, replacement) =>
    `regexp_replace(${text}, ${sqlString(pattern)}, ${sqlString(replacement)})`,
  groupRef: (n) => `$${n}`,
  tryCastDouble: (text) => `try_cast(${text} AS double)`,
};

/** JavaScript's `\s` (what `trim()` removes and `normaliseValue` folds), as a regex class body. */
const JS_SPACE =
  '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const TRIM_PATTERN = `^[${JS_SPACE}]+|[${JS_SPACE}]+\\z`;
const SPACE_RUN_PATTERN = `[${JS_SPACE}]+`;
/**
 * `parseNumber`'s syntax (`\d` is ASCII in JavaScript); `\z`, since Java's `$` also matches before
 * a final line break; `{0,1}` rather than `?`, so the statement's only question marks are its
 * parameters.
 */
export const NUMBER_PATTERN = '^[+-]{0,1}([0-9]+(\\.[0-9]*){0,1}|\\.[0-9]+)([eE][+-]{0,1}[0-9]+){0,1}\\z';
/**
 * Unicode's Final_Sigma condition, which JavaScript's `toLowerCase` applies and SQL `lower` does
 * not: Σ preceded by a cased letter (then case-ignorables) and not followed by (case-ignorables
 * then) a cased letter becomes ς. Cased ≈ Lu, Ll, Lt; case-ignorable ≈ Mn, Me, Cf, Lm, Sk and the
 * word-internal punctuation ' . : · ‘ ’ (the few Other_Lowercase / Other_Uppercase letters are
 * not covered).
 */
const CASED = '\\p{Lu}\\p{Ll}\\p{Lt}';
const CASE_IGNORABLE = "\\p{Mn}\\p{Me}\\p{Cf}\\p{Lm}\\p{Sk}'.:\\x{B7}\\x{2018}\\x{2019}";
const FINAL_SIGMA_PATTERN = `([${CASED}][${CASE_IGNORABLE}]*)Σ([${CASE_IGNORABLE}]*)([^${CASED}${CASE_IGNORABLE}]|\\z)`;
/** Values whose normal form is just `lower(value)`: printable ASCII, single inner spaces. */
const PLAIN_ASCII_PATTERN = '^[!-~]+( [!-~]+)*\\z';
/** The largest finite DOUBLE: a weight above it overflowed (Trino casts '1e400' to Infinity). */
export const MAX_DOUBLE = '1.7976931348623157E308';

/** A quoted SQL identifier: `"` doubled. Any name is allowed except one with a NUL character. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) {
    throw new InputError(
      'INPUT_FORMAT',
      `column or table name ${JSON.stringify(name)} contains a NUL character`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal: `'` doubled. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * SQL for `normaliseValue(text)`. Printable ASCII words separated by single spaces (most values)
 * only need `lower`; everything else takes NFC, the trim and fold of JavaScript white space and
 * `toLowerCase`'s special cases.
 */
export function normaliseSql(text: string, d: SqlDialect): string {
  return `CASE WHEN ${d.regexpLike(text, PLAIN_ASCII_PATTERN)} THEN lower(${text}) ELSE ${fullNormaliseSql(text, d)} END`;
}

function fullNormaliseSql(text: string, d: SqlDialect): string {
  const trimmed = d.regexpReplaceAll(d.nfc(text), TRIM_PATTERN, '');
  const folded = d.regexpReplaceAll(trimmed, SPACE_RUN_PATTERN, ' ');
  const dotted = `replace(${folded}, 'İ', 'i\u0307')`;
  const sigma = d.regexpReplaceAll(
    dotted,
    FINAL_SIGMA_PATTERN,
    `${d.groupRef(1)}ς${d.groupRef(2)}${d.groupRef(3)}`,
  );
  return `lower(${sigma})`;
}

/** `trim()` as JavaScript does it. */
export function trimSql(text: string, d: SqlDialect): string {
  return d.regexpReplaceAll(text, TRIM_PATTERN, '');
}
