import * as z from 'zod';
import { ReferencePopulationError } from '../errors.ts';
import { DATASET_ID_PATTERN } from '../manifest/patterns.ts';
import type { PopulationInfo } from './reference.ts';

// Apart from user-reference.ts (the CSV checks of `references add`, with the CSV scanner): every
// handler's runtime reads users' references and their provenance at a cold start, and needs only
// this.

/** What a population is: an official statistic, a market estimate, the team's own customers. */
export const referenceKindSchema = z.enum(['official', 'market', 'customers']);
export type ReferenceKind = z.infer<typeof referenceKindSchema>;

/** The provenance stored beside a user reference (`references/<id>.json`). */
export const referenceProvenanceSchema = z.strictObject({
  id: z.string().regex(DATASET_ID_PATTERN, 'expected an id such as market-2026'),
  title: z.string().min(1).max(200),
  /** A URL or words (`internal CRM export, 2026-01`). */
  source: z.string().min(1).max(500),
  year: z.number().int().min(1800).max(2200),
  kind: referenceKindSchema.optional(),
});
export type ReferenceProvenance = z.infer<typeof referenceProvenanceSchema>;

/** The provenance as the catalogue cites every population: the source as publisher, a URL as url too. */
export function provenanceInfo(provenance: ReferenceProvenance, file: string): PopulationInfo {
  const { id, title, source, year, kind } = provenance;
  return {
    id,
    title,
    publisher: source,
    referenceDate: String(year),
    file,
    ...(/^https?:\/\//i.test(source) ? { url: source } : {}),
    ...(kind === undefined ? {} : { kind }),
  };
}

/** Reads a provenance file, naming the field that is wrong. */
export function parseReferenceProvenance(text: string, fileName: string): ReferenceProvenance {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ReferencePopulationError('REFERENCE_INVALID', `${fileName}: not valid JSON`, { cause: error });
  }
  const result = referenceProvenanceSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ReferencePopulationError(
      'REFERENCE_INVALID',
      `${fileName}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`,
    );
  }
  return result.data;
}
