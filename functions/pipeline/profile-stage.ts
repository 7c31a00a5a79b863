import { createHash } from 'node:crypto';
import { InputError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ObjectStore } from '../core/ports.ts';
import { buildPlan, type CountingPlan } from '../core/profile/plan.ts';
import { mergeProfiles, type Profile, ProfileBuilder } from '../core/profile/profile.ts';
import { type ReferenceCatalogue, referenceGroups, requireReference } from '../core/references/reference.ts';
import { detectFormat } from '../core/scan/format.ts';
import { scanFile } from '../core/scan/scan-file.ts';
import type { RandomAccessSource } from '../core/scan/types.ts';
import { concat } from './io.ts';

export interface DataFile {
  readonly key: string;
  /** Shown in messages: the path the user gave, or the key. */
  readonly name: string;
}

export interface ProfileProgress {
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly file: string;
}

export interface ProfileStageInput {
  readonly store: ObjectStore;
  readonly files: readonly DataFile[];
  readonly manifest: Manifest;
  readonly catalogue: ReferenceCatalogue;
  /** Called as bytes are read; for progress bars. */
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
    if (a.reference) requireReference(catalogue, a.reference, `attributes[${i}].reference`);
  });
  return buildPlan(manifest, (reference) => referenceGroups(catalogue, reference));
}

/** Profile: streams each file once, decoding only the plan's columns, and merges the parts. */
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
    const builder = new ProfileBuilder(plan);
    const hash = createHash('sha256');
    let read = 0;
    const offset = bytesBefore;
    const report = (n: number) => {
      read += n;
      input.onProgress?.({ bytesRead: offset + read, bytesTotal, file: file.name });
    };
    const stream = async function* () {
      for await (const chunk of store.read(file.key)) {
        hash.update(chunk);
        report(chunk.byteLength);
        yield chunk;
      }
    };
    const random: RandomAccessSource = {
      byteLength: head.bytes,
      read: async (start, end) => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        for await (const c of store.read(file.key, { start, end })) {
          chunks.push(c);
          size += c.byteLength;
        }
        report(size);
        return concat(chunks, size);
      },
    };
    const summary = await scanFile(
      { fileName: file.name, format: detected.format, compression: detected.compression, stream, random },
      { columns: plan.columns, csv: manifest.csv ?? {} },
      builder,
    );
    for (const c of summary.header ?? []) fileColumns.add(c);
    if (detected.format !== 'parquet') hashes.push(hash.digest('hex'));
    const part = builder.toProfile();
    profile = profile ? mergeProfiles(profile, part) : part;
    bytesBefore += head.bytes;
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
  return { profile: profile!, plan, fileColumns: [...fileColumns], source };
}
