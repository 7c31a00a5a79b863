/**
 * The counting plan rendered as ONE `SELECT … GROUP BY GROUPING SETS (…)` statement, for data that
 * already sits in a table (Athena over the lake, DuckDB locally), and the way back from its rows
 * to the exact `Profile` the streaming `ProfileBuilder` gives for the same records.
 *
 * The SQL reproduces the builder's semantics, one rule each:
 * - values are compared after JavaScript's `normaliseValue`: NFC, JavaScript white space (`\s`:
 *   ASCII and Unicode spaces, U+FEFF, line separators) trimmed and folded to one space, then
 *   lower-cased, including the two special mappings `toLowerCase` has beyond simple case folding
 *   (U+0130 İ → i + U+0307, and a final capital sigma → ς);
 * - a weight is `parseNumber` of the trimmed raw text (an optionally signed decimal with an
 *   optional exponent) and must be finite and ≥ 0; otherwise the row is malformed and nothing else
 *   of it is counted (it is not even checked for consent);
 * - rows without a granted consent value are excluded; the label is positive when its value is one
 *   of the positive values;
 * - per attribute a value is missing (null or a `missing` value), else mapped (`groups`: the
 *   lookup, else unmapped; `bins`: the bin of the parsed number, unmapped when it is no number or
 *   below the first edge; `values`: the lookup, else the normalised value itself);
 * - intersections count cells of rows where every member has a group, the rest as incomplete.
 *
 * Two rules are applied to the rows in TypeScript, where they are exact: a `values` group that is
 * not a known group and looks like an identifier (`identifierKindOfValue`) is counted as unmapped
 * (and as a `group-value` identifier hint), and more than `MAX_GROUPS_PER_ATTRIBUTE` groups is
 * TOO_MANY_GROUPS. Malformed-record samples cannot be given: SQL has no line numbers, so
 * `malformedSamples` is always empty (the malformed count is exact).
 *
 * Where the two executors can differ (each pinned or measured in tests/integration/sql-profile):
 * - weight sums are DOUBLE sums in whatever order the engine adds them (in parallel, partial sums
 *   merge in any order), so they equal the streaming sums exactly when the weights are integers
 *   or other exactly representable binary fractions (0.5, 0.25, …), and to within floating-point
 *   rounding otherwise;
 * - case mapping and NFC use the engine's Unicode tables: characters added in Unicode 16/17
 *   (a few Latin letters, Garay, Kirat Rai…) lower-case in JavaScript but not in DuckDB 1.5; the
 *   final-sigma rule approximates "cased" and "case-ignorable" with general categories;
 * - the regular expressions are checked on DuckDB (RE2) only; Trino runs them with Joni/Java
 *   syntax, which accepts the same constructs, but no Trino engine runs in the tests (the
 *   statement's grammar is checked with dt-sql-parser);
 * - records the table cannot represent (broken CSV quoting, non-objects in JSON Lines) are not
 *   counted as malformed: the engine either refuses the input or never had them.
 */
export {
  duckdbDialect,
  quoteIdentifier,
  type SqlDialect,
  trinoDialect,
} from './grouping-sets-dialect.ts';
export {
  GroupingSetsProfileReader,
  type GroupingSetsReadOptions,
  profileFromGroupingSetsRows,
} from './grouping-sets-read.ts';
export {
  GROUPING_SETS_COLUMNS,
  renderGroupingSetsSql,
  renderIdentifierSampleSql,
  type TableRef,
} from './grouping-sets-render.ts';
