import { createHash } from 'node:crypto';
import { InputError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ObjectStore, Profiler } from '../core/ports.ts';
import { refuseUnreadableInput } from '../core/profile/no-rows.ts';
import { buildPlan, type CountingPlan } from '../core/profile/plan.ts';
import { mergeProfiles, type Profile } from '../core/profile/profile.ts';
import { type ReferenceCatalogue, referenceGroups, requireReference } from '../core/references/reference.ts';
import { detectFormat } from '../core/scan/format.ts';

export interface DataFile {
  readonly key: string;
  /** Shown in messages: the path the user gave, or the key. */
  readonly name: string;
}

export interface ProfileProgress {
  /** Bytes read so far (compressed bytes for gzip; Parquet: the projected column chunks). */
  readonly bytesRead: number;
  readonly bytesTotal: number;
  /** Records read so far, good and malformed (reported in steps, not per row). */
  readonly rowsRead: number;
  readonly file: string;
}

export interface ProfileStageInput {
  /** Where the files are: the stage reads their size and etag; the profiler reads their bytes. */
  readonly store: ObjectStore;
  /** The streaming profiler (streamingProfiler) or a SQL one (GROUPING SETS in DuckDB or Athena). */
  readonly profiler: Profiler;
  readonly files: readonly DataFile[];
  readonly manifest: Manifest;
  readonly catalogue: ReferenceCatalogue;
  /** Called as bytes are read (a SQL profiler: once per file); for progress bars. */
  readonly onProgress?: (progress: ProfileProgress) => void;
}

export interface ProfileStageOutput {
  readonly profile: Profile;
  readonly plan: CountingPlan;
  /** Columns the file declares (CSV header, Parquet schema); empty when the format does not say. */
  readonly fileColumns: readonly string[];
  readonly source: {
    uri: string;
    bytes: number;
    etag?: string;
    sha256?: string;
    format: 'csv' | 'jsonl' | 'parquet';
    compression: 'none' | 'gzip';
  };
}

/** Checks the manifest's references exist, naming the field when one does not. */
export function planFor(manifest: Manifest, catalogue: ReferenceCatalogue): CountingPlan {
  manifest.attributes.forEach((a, i) => {
    a.references.forEach((reference, j) => {
      const where =
        a.references.length > 1 ? `attributes[${i}].reference[${j}]` : `attributes[${i}].reference`;
      requireReference(catalogue, reference, where);
    });
  });
  return buildPlan(manifest, (reference) => referenceGroups(catalogue, reference));
}

/**
 * Profile: runs the plan over each file with the profiler and merges the parts. The source
 * carries the SHA-256 of the bytes when the profiler hashed every file, else the store's etag
 * (a file split over threads, or counted by a SQL engine, is seen whole by no one).
 */
export async function profileStage(input: ProfileStageInput): Promise<ProfileStageOutput> {
  const { store, files, manifest } = input;
  if (files.length === 0) throw new InputError('INPUT_UNREADABLE', 'no data files to profile');
  const plan = planFor(manifest, input.catalogue);
  const heads = await Promise.all(
    files.map(async (f) => {
      const head = await store.head(f.key);
      if (!head) throw new InputError('INPUT_UNREADABLE', `${f.name}: no such file`);
      return head;
    }),
  );
  const bytesTotal = heads.reduce((s, h) => s + h.bytes, 0);
  let bytesBefore = 0;
  let rowsBefore = 0;
  let profile: Profile | undefined;
  const fileColumns = new Set<string>();
  const hashes: string[] = [];
  let format: ProfileStageOutput['source']['format'] = 'csv';
  let compression: ProfileStageOutput['source']['compression'] = 'none';
  for (const [i, file] of files.entries()) {
    const head = heads[i]!;
    const detected = detectFormat(file.name, manifest.format);
    format = detected.format;
    compression = detected.compression;
    let read = 0;
    let rows = 0;
    const report = (p: { readonly bytes: number; readonly rows: number }) => {
      read += p.bytes;
      rows += p.rows;
      input.onProgress?.({
        bytesRead: bytesBefore + Math.min(read, head.bytes),
        bytesTotal,
        rowsRead: rowsBefore + rows,
        file: file.name,
      });
    };
    const part = await input.profiler.profile(
      plan,
      {
        key: file.key,
        name: file.name,
        format: detected.format,
        compression: detected.compression,
        bytes: head.bytes,
      },
      { csv: manifest.csv ?? {}, onProgress: report },
    );
    for (const c of part.header) fileColumns.add(c);
    if (part.sha256 !== undefined) hashes.push(part.sha256);
    profile = profile ? mergeProfiles(profile, part.profile) : part.profile;
    bytesBefore += head.bytes;
    rowsBefore += part.profile.rows.read;
    input.onProgress?.({ bytesRead: bytesBefore, bytesTotal, rowsRead: rowsBefore, file: file.name });
  }
  const single = files.length === 1;
  const source: ProfileStageOutput['source'] = {
    uri: single ? store.uri(files[0]!.key) : store.uri(files[0]!.key.replace(/[^/]*$/, '')),
    bytes: bytesTotal,
    format,
    compression,
  };
  if (hashes.length === files.length) {
    source.sha256 = single ? hashes[0]! : createHash('sha256').update(hashes.join('\n')).digest('hex');
  } else {
    source.etag = single
      ? heads[0]!.etag
      : createHash('sha256')
          .update(heads.map((h) => h.etag).join('\n'))
          .digest('hex');
  }
  refuseUnreadableInput(profile!, {
    name: single ? files[0]!.name : `${files.length} files under ${source.uri}`,
    kind: single ? 'file' : 'files',
    format,
    bytes: bytesTotal,
    header: [...fileColumns],
  });
  return { profile: profile!, plan, fileColumns: [...fileColumns], source };
}
