import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ManifestError } from '../errors.ts';
import { formatIssues } from './issues.ts';
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
