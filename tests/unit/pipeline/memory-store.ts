import { StoreError } from '../../../functions/core/errors.ts';
import type { ByteRange, ObjectInfo, ObjectStore, WriteCondition } from '../../../functions/core/ports.ts';

/**
 * An ObjectStore over bytes in memory that hands out reads in chunks of `chunkBytes` (so readers
 * meet chunk boundaries everywhere) and records every ranged read.
 */
export function memoryStore(
  objects: Record<string, Uint8Array | string>,
  chunkBytes = 7,
): ObjectStore & { reads: ByteRange[] } {
  const bytes = new Map(
    Object.entries(objects).map(([key, body]) => [
      key,
      typeof body === 'string' ? new TextEncoder().encode(body) : body,
    ]),
  );
  const reads: ByteRange[] = [];
  return {
    reads,
    async *read(key: string, range?: ByteRange) {
      const body = bytes.get(key);
      if (body === undefined) throw new StoreError(`no such object ${key}`);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? body.length, body.length);
      reads.push({ start, end });
      for (let at = start; at < end; at += chunkBytes) yield body.slice(at, Math.min(end, at + chunkBytes));
    },
    async head(key: string): Promise<ObjectInfo | undefined> {
      const body = bytes.get(key);
      return body === undefined ? undefined : { key, bytes: body.length, etag: `etag-${body.length}` };
    },
    async write(key: string, body: Uint8Array | string) {
      bytes.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
    },
    async writeIf(key: string, body: Uint8Array | string, condition: WriteCondition) {
      const current = bytes.get(key);
      const holds =
        'ifAbsent' in condition
          ? current === undefined
          : current !== undefined && condition.ifEtag === `etag-${current.length}`;
      if (holds) bytes.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
      return holds;
    },
    async list(prefix: string) {
      return [...bytes.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, body]) => ({ key, bytes: body.length, etag: `etag-${body.length}` }));
    },
    uri: (key: string) => `memory://${key}`,
  };
}
