import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StoreError } from '../../core/errors.ts';
import type { ByteRange, ObjectInfo, ObjectStore, WriteCondition } from '../../core/ports.ts';

export interface S3ObjectStoreProps {
  /** The bucket that holds the lake layout (datasets/, references/, lake/, site/). */
  readonly bucket: string;
  /**
   * A client to use; built once per cold start by the caller.
   * @default - a new S3Client from `clientConfig` (credentials and region from the SDK's chain)
   */
  readonly client?: S3Client;
  /**
   * Client settings when no `client` is given (endpoint, forcePathStyle, region, maxAttempts).
   * Retries on throttling and 5xx come from the SDK's standard retry strategy.
   * @default - {}
   */
  readonly clientConfig?: S3ClientConfig;
  /**
   * Bodies of at least this many bytes are written as multipart uploads (lib-storage), in parts of
   * this size. S3's smallest part is 5 MiB.
   * @default 8 MiB
   */
  readonly multipartThresholdBytes?: number;
  /**
   * Parts uploaded at once in a multipart upload.
   * @default 4
   */
  readonly multipartQueueSize?: number;
  /**
   * Keys asked for per ListObjectsV2 page (S3 returns at most 1000).
   * @default 1000
   */
  readonly listPageSize?: number;
  /**
   * How often a read whose body fails midway (a connection reset, a timeout while the object
   * streams) is resumed from the byte it reached, and the first wait before resuming (doubled each
   * time). The SDK retries a request that fails before its body; nothing retries a body.
   * @default { attempts: 4, baseDelayMs: 100 }
   */
  readonly readResume?: { readonly attempts: number; readonly baseDelayMs: number };
}

const MIB = 1024 * 1024;

/** Options of {@link S3ObjectStore.upload}. */
export interface S3UploadOptions {
  /** @default - none (S3 stores binary/octet-stream) */
  readonly contentType?: string;
  /**
   * Called with the bytes sent so far as the body goes out (lib-storage's `httpUploadProgress`:
   * per part of a multipart upload, once for a single PUT), for progress bars.
   * @default - none
   */
  readonly onProgress?: (sentBytes: number) => void;
}

/** What S3 answered for a stored object: what the pipeline claims the object's run by. */
export interface StoredObject {
  /** As S3 returns it, quoted (`"…"`, `"…-3"` for a multipart upload). */
  readonly etag: string;
  /** Set in a versioned bucket. */
  readonly versionId?: string;
}

/**
 * S3 as the object store: the same keys as the local lake folder. Reads stream (and take byte
 * ranges, for the profiler's split work); writes of a whole body are atomic in S3 (a reader sees
 * the old or the new object); big bodies go as multipart uploads; listings follow continuation
 * tokens; conditional writes use S3's If-None-Match / If-Match preconditions.
 */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly multipartThresholdBytes: number;
  private readonly multipartQueueSize: number;
  private readonly listPageSize: number;
  private readonly readResume: { readonly attempts: number; readonly baseDelayMs: number };

  constructor(props: S3ObjectStoreProps) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucket)) {
      throw new StoreError(
        `invalid bucket name '${props.bucket}': expected 3-63 lower-case letters, digits, dots or hyphens`,
      );
    }
    this.bucket = props.bucket;
    this.client = props.client ?? new S3Client(props.clientConfig ?? {});
    this.multipartThresholdBytes = Math.max(5 * MIB, props.multipartThresholdBytes ?? 8 * MIB);
    this.multipartQueueSize = props.multipartQueueSize ?? 4;
    this.listPageSize = props.listPageSize ?? 1000;
    this.readResume = props.readResume ?? { attempts: 4, baseDelayMs: 100 };
  }

  /**
   * Streams the object (or `range` of it). When the body fails midway, the read goes on from the
   * byte it reached with a ranged GET that must match the first answer's ETag (If-Match), so the
   * bytes handed out are one object's, never a mix of two versions; after `readResume.attempts`
   * such failures, or when the object changed (412), it throws. The consumer sees each byte once.
   *
   * @throws StoreError naming the object and the failure, never the body
   */
  async *read(key: string, range?: ByteRange): AsyncIterable<Uint8Array> {
    checkKey(key);
    if (range && range.end <= range.start) return;
    let offset = range?.start ?? 0;
    let etag: string | undefined;
    for (let resumed = 0; ; resumed++) {
      let body: AsyncIterable<Uint8Array>;
      try {
        const resuming = etag !== undefined;
        const out = await this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ...(range || resuming ? { Range: `bytes=${offset}-${range ? range.end - 1 : ''}` } : {}),
            ...(resuming ? { IfMatch: etag } : {}),
          }),
        );
        etag ??= out.ETag ?? '';
        body = out.Body as AsyncIterable<Uint8Array>;
      } catch (error) {
        if (isStatus(error, 416)) return; // a range past the end (or a resume at the very end): no bytes
        if (etag !== undefined && isStatus(error, 412)) {
          throw new StoreError(
            `cannot read ${this.uri(key)}: the object changed while it was read (at byte ${offset}); read it again`,
            { cause: error },
          );
        }
        throw new StoreError(`cannot read ${this.uri(key)}: ${describe(error)}`, { cause: error });
      }
      try {
        for await (const chunk of body) {
          offset += chunk.byteLength;
          yield chunk;
        }
        return;
      } catch (error) {
        // The body failed after its last byte: nothing is missing (and `bytes=end-(end-1)` is no range).
        if (range && offset >= range.end) return;
        if (resumed >= this.readResume.attempts || etag === '') {
          throw new StoreError(
            `cannot read ${this.uri(key)}: ${describe(error)} at byte ${offset}` +
              (resumed > 0 ? ` (resumed ${resumed} time${resumed === 1 ? '' : 's'})` : ''),
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, this.readResume.baseDelayMs * 2 ** resumed));
      }
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, bytes: out.ContentLength ?? 0, etag: out.ETag ?? '' };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw new StoreError(`cannot stat ${this.uri(key)}: ${describe(error)}`, { cause: error });
    }
  }

  async write(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    checkKey(key);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    try {
      if (bytes.length >= this.multipartThresholdBytes) {
        await this.newUpload(key, bytes, contentType).done();
      } else {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }),
        );
      }
    } catch (error) {
      throw new StoreError(`cannot write ${this.uri(key)}: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * Uploads a body too big to hold in memory, such as a local file's read stream (the CLI's
   * `upload`): one PUT when it is smaller than the multipart threshold, else a multipart upload
   * in parts of that size, `multipartQueueSize` at a time. Unlike `write`, it reports progress and
   * returns the object's ETag and version id, which name the run the upload starts.
   */
  async upload(
    key: string,
    body: Readable | Uint8Array,
    options: S3UploadOptions = {},
  ): Promise<StoredObject> {
    checkKey(key);
    const upload = this.newUpload(key, body, options.contentType);
    const onProgress = options.onProgress;
    if (onProgress) upload.on('httpUploadProgress', (p) => onProgress(p.loaded ?? 0));
    try {
      const out = await upload.done();
      return { etag: out.ETag ?? '', ...(out.VersionId ? { versionId: out.VersionId } : {}) };
    } catch (error) {
      throw new StoreError(`cannot write ${this.uri(key)}: ${describe(error)}`, { cause: error });
    }
  }

  /** lib-storage decides from the first part whether one PUT does. */
  private newUpload(key: string, body: Readable | Uint8Array, contentType: string | undefined): Upload {
    return new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: this.multipartThresholdBytes,
      queueSize: this.multipartQueueSize,
      leavePartsOnError: false,
    });
  }

  async writeIf(
    key: string,
    body: Uint8Array | string,
    condition: WriteCondition,
    contentType?: string,
  ): Promise<boolean> {
    checkKey(key);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: bytes,
            ContentType: contentType,
            ...('ifAbsent' in condition ? { IfNoneMatch: '*' } : { IfMatch: condition.ifEtag }),
          }),
        );
        return true;
      } catch (error) {
        // 412: the precondition does not hold.
        if (isStatus(error, 412)) return false;
        // If-Match on a key that does not exist: S3 answers 404.
        if ('ifEtag' in condition && isStatus(error, 404)) return false;
        // 409 ConditionalRequestConflict: another conditional write to the key was in flight;
        // S3 asks to try again, and the retry then sees the winner's object (412).
        if (isStatus(error, 409) && attempt < 5) {
          await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt * Math.random()));
          continue;
        }
        throw new StoreError(`cannot write ${this.uri(key)}: ${describe(error)}`, { cause: error });
      }
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            MaxKeys: this.listPageSize,
          }),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined) out.push({ key: o.Key, bytes: o.Size ?? 0, etag: o.ETag ?? '' });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (error) {
      throw new StoreError(`cannot list s3://${this.bucket}/${prefix}: ${describe(error)}`, { cause: error });
    }
    // S3 lists in UTF-8 binary order; the port promises the same order as the filesystem store.
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }
}

/** S3 accepts almost any key; the lake does not (the same rule as the filesystem store). */
function checkKey(key: string): void {
  if (
    key === '' ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((part) => part === '..' || part === '.' || part === '')
  ) {
    throw new StoreError(
      `invalid object key '${key}': expected a relative path without empty, . or .. segments`,
    );
  }
}

function isStatus(error: unknown, status: number): boolean {
  if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode === status;
  const meta = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return meta?.httpStatusCode === status;
}

/** The service's error name and status, never the request or response bodies. */
function describe(error: unknown): string {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    return `${error.name}${status ? ` (HTTP ${status})` : ''}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
