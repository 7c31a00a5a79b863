import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ManifestError } from '../errors.ts';
import { type Manifest, manifestSchema } from './schema.ts';

/** Parses a manifest from YAML or JSON text (JSON is YAML). `source` names the file in errors. */
export function parseManifest(text: string, source: string): Manifest {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const what = error instanceof YAMLParseError ? error.code : 'unreadable';
    throw new ManifestError(`${source}: not valid YAML${where} (${what})`, {
      cause: error,
      code: 'MANIFEST_UNREADABLE',
    });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ManifestError(`${source}: expected a mapping with dataset and attributes at the top level`);
  }
  const result = manifestSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ManifestError(`${source}: ${formatIssues(result.error.issues)}`);
  }
  return result.data;
}

/**
 * The table a manifest text registers its dataset as, read without validating the rest: the
 * upload of a table dataset's manifest starts a run even when the manifest is invalid, so that the
 * run's error report says why. `name` is undefined when the table's name is not a string;
 * the result is undefined when the text declares no table or is no YAML mapping.
 */
export function declaredTable(text: string): { readonly name: string | undefined } | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || !('table' in raw)) return undefined;
  const table = (raw as { table: unknown }).table;
  const name = table !== null && typeof table === 'object' ? (table as { name?: unknown }).name : undefined;
  return { name: typeof name === 'string' ? name : undefined };
}

/** One line per issue: `attributes[1].bins: expected …`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, 5).map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
  if (issues.length > 5) lines.push(`… and ${issues.length - 5} more`);
  return lines.join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected}${issue.input === undefined ? ' (field is required)' : `, found ${typeName(issue.input)}`}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : typeof value;
}
