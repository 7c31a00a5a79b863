/**
 * Rewrites the few Trino (Athena engine v3) functions repscope's statements use that DuckDB spells
 * differently, so the Athena protocol stand-in can run a statement rendered in the Trino dialect:
 *
 * - `normalize(x, NFC)` → `nfc_normalize(x)`;
 * - `regexp_like(x, p)` → `regexp_matches(x, p)`;
 * - `regexp_replace(x, p, r)` → `regexp_replace(x, p, r', 'g')`: Trino replaces every match, DuckDB
 *   only the first unless told `'g'`; in the replacement (a string literal) Trino's group
 *   references `$1` become DuckDB's `\1`, `\$` a plain `$` and `\\` stays a backslash;
 *   `regexp_replace(x, p)` (Trino: remove every match) → `regexp_replace(x, p, '', 'g')`.
 *
 * Everything else passes through unchanged (`try_cast`, `GROUPING`, `lower` are spelled alike).
 * String literals, quoted identifiers and comments are never rewritten. Test code only: the
 * production statements are Trino's, and the tests parse them with a Trino grammar before this.
 *
 * @throws Error for a call it cannot rewrite (another normal form, a replacement that is not a
 *   literal, named group references): the stand-in then fails the query, as a test should notice.
 */
export function trinoToDuckDb(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const skipped = skipOpaque(sql, i);
    if (skipped > i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const call = /^(normalize|regexp_like|regexp_replace)\s*\(/i.exec(sql.slice(i));
    if (call && !/[\w.$"]/.test(sql[i - 1] ?? ' ')) {
      const open = i + call[0].length - 1;
      const { args, end } = splitArguments(sql, open);
      out += rewriteCall(call[1]!.toLowerCase(), args.map(trinoToDuckDb));
      i = end + 1;
      continue;
    }
    out += sql[i];
    i++;
  }
  return out;
}

function rewriteCall(name: string, args: string[]): string {
  const [first, second, third] = args.map((a) => a.trim());
  switch (name) {
    case 'normalize':
      if (args.length === 1) return `nfc_normalize(${first})`;
      if (args.length === 2 && /^NFC$/i.test(second!)) return `nfc_normalize(${first})`;
      throw new Error(`trinoToDuckDb: normalize(…, ${second}) has no DuckDB equivalent here; expected NFC`);
    case 'regexp_like':
      if (args.length !== 2)
        throw new Error(`trinoToDuckDb: regexp_like takes 2 arguments, got ${args.length}`);
      return `regexp_matches(${first}, ${second})`;
    default:
      if (args.length === 2) return `regexp_replace(${first}, ${second}, '', 'g')`;
      if (args.length === 3) return `regexp_replace(${first}, ${second}, ${duckReplacement(third!)}, 'g')`;
      throw new Error(`trinoToDuckDb: regexp_replace takes 2 or 3 arguments, got ${args.length}`);
  }
}

/** A Trino replacement literal in DuckDB's (RE2's) spelling. */
function duckReplacement(literal: string): string {
  if (!/^'(?:[^']|'')*'$/.test(literal)) {
    throw new Error(`trinoToDuckDb: a replacement must be a string literal here, got ${literal}`);
  }
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const next = body[i + 1];
    if (c === '\\' && (next === '$' || next === '\\')) {
      out += next === '$' ? '$' : '\\\\';
      i++;
    } else if (c === '$' && next !== undefined && /[0-9]/.test(next)) {
      out += `\\${next}`;
      i++;
    } else if (c === '$') {
      throw new Error('trinoToDuckDb: only numbered group references ($1 … $9) are rewritten');
    } else {
      out += c;
    }
  }
  return `'${out}'`;
}

/** The arguments of the call whose `(` is at `open`, as text, and the index of its `)`. */
function splitArguments(sql: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < sql.length; ) {
    const skipped = skipOpaque(sql, i);
    if (skipped > i) {
      i = skipped;
      continue;
    }
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === ')') {
      args.push(sql.slice(start, i));
      return { args: args.length === 1 && args[0]!.trim() === '' ? [] : args, end: i };
    } else if (c === ',' && depth === 0) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  throw new Error('trinoToDuckDb: a call without its closing parenthesis');
}

/** The end of a string literal, quoted identifier or comment starting at `i`, else `i`. */
function skipOpaque(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    for (let j = i + 1; j < sql.length; j++) {
      if (sql[j] !== c) continue;
      if (sql[j + 1] === c) j++;
      else return j + 1;
    }
    return sql.length;
  }
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return i;
}
