import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../functions/adapters/aws/s3-object-store.ts';
import { StoreError } from '../../functions/core/errors.ts';
import { type FaultyProxy, startFaultyProxy } from '../helpers/faulty-proxy.ts';
import { motoUnavailable, requirePeers, type S3Peer, startMoto, startS3rver } from '../helpers/s3-servers.ts';

/**
 * Issue #13, faults on S3: a fault proxy in front of a real S3 server injects throttling, 5xx,
 * connection resets before an answer and in the middle of a body, and slow bodies. Reads resume
 * by range from the byte they reached (one object's bytes, each once), writes retry, and a write
 * that fails leaves nothing partial visible.
 */
const motoMissing = motoUnavailable();
if (motoMissing && requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${motoMissing}`);
if (motoMissing) console.warn(`[s3-faults] not running the moto_server cases: ${motoMissing}`);
console.info('[s3-faults] s3rver ignores If-Match: the "object changed while read" case runs on moto only');

const peers: [string, () => Promise<S3Peer>][] = [
  ['s3rver', startS3rver],
  ...(motoMissing ? [] : ([['moto', startMoto]] as [string, () => Promise<S3Peer>][])),
];

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const isGet = (req: { method: string; url: string }) =>
  req.method === 'GET' && !req.url.includes('list-type');
const isPut = (req: { method: string }) => req.method === 'PUT';

for (const [name, start] of peers) {
  describe(`S3ObjectStore under faults (${name})`, () => {
    let server: S3Peer;
    let proxy: FaultyProxy;
    const bucket = `faults-${randomBytes(3).toString('hex')}`;
    const object = randomBytes(3 * 1024 * 1024 + 123);

    beforeAll(async () => {
      server = await start();
      await server.createBucket(bucket);
      proxy = await startFaultyProxy(server.endpoint);
      await store().write('lake/object.bin', object);
    }, 60_000);
    afterAll(async () => {
      await proxy?.stop();
      await server?.stop();
    });

    function store(options: { maxAttempts?: number; multipart?: number } = {}): S3ObjectStore {
      return new S3ObjectStore({
        bucket,
        clientConfig: {
          endpoint: proxy?.endpoint ?? server.endpoint,
          region: 'eu-central-1',
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          maxAttempts: options.maxAttempts ?? 3,
        },
        readResume: { attempts: 3, baseDelayMs: 1 },
        ...(options.multipart ? { multipartThresholdBytes: options.multipart } : {}),
      });
    }

    it('resumes a read reset midway from the byte it reached, with If-Match on the first ETag', async () => {
      proxy.clear();
      const before = proxy.requests().length;
      proxy.inject({ kind: 'reset-mid-body', afterBytes: 700_000 }, 1, isGet);
      proxy.inject({ kind: 'reset-mid-body', afterBytes: 900_000 }, 1, isGet);
      const read = await bytesOf(store().read('lake/object.bin'));
      expect(sha(read)).toBe(sha(object));
      const gets = proxy
        .requests()
        .slice(before)
        .filter((r) => r.method === 'GET');
      expect(gets).toHaveLength(3);
      expect(gets[0]!.range).toBeUndefined();
      // Each resume starts where the bytes handed out stopped (at least what the proxy let through).
      const starts = gets.slice(1).map((g) => Number(/^bytes=(\d+)-$/.exec(g.range ?? '')?.[1]));
      expect(starts[0]).toBeGreaterThan(0);
      expect(starts[1]).toBeGreaterThan(starts[0]!);
      expect(gets[1]!.ifMatch).toMatch(/^"[0-9a-f-]+"$/);
    });

    it('resumes a ranged read inside its range', async () => {
      proxy.clear();
      proxy.inject({ kind: 'reset-mid-body', afterBytes: 100_000 }, 1, isGet);
      const read = await bytesOf(store().read('lake/object.bin', { start: 1_000_000, end: 2_500_000 }));
      expect(sha(read)).toBe(sha(object.subarray(1_000_000, 2_500_000)));
      const last = proxy.requests().at(-1)!;
      expect(last.range).toMatch(/^bytes=\d+-2499999$/);
    });

    it('gives up after its resumes with a StoreError naming the object and the byte, never the body', async () => {
      proxy.clear();
      proxy.inject({ kind: 'reset-mid-body', afterBytes: 50_000 }, 10, isGet);
      const error = await bytesOf(store().read('lake/object.bin')).then(
        () => undefined,
        (e: unknown) => e,
      );
      proxy.clear();
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(
        new RegExp(`^cannot read s3://${bucket}/lake/object\\.bin: .* at byte \\d+ \\(resumed 3 times\\)$`),
      );
    });

    it('reads through throttling, a 500, a reset before the answer and a slow body', async () => {
      proxy.clear();
      proxy.inject({ kind: 'status', status: 503, code: 'SlowDown' }, 1, isGet);
      proxy.inject({ kind: 'status', status: 500, code: 'InternalError' }, 1, isGet);
      expect(sha(await bytesOf(store({ maxAttempts: 3 }).read('lake/object.bin')))).toBe(sha(object));
      proxy.inject({ kind: 'reset' }, 1, isGet);
      expect(sha(await bytesOf(store().read('lake/object.bin')))).toBe(sha(object));
      proxy.inject({ kind: 'slow', chunkBytes: 64 * 1024, delayMs: 2 }, 1, isGet);
      expect(sha(await bytesOf(store().read('lake/object.bin', { start: 0, end: 1_000_000 })))).toBe(
        sha(object.subarray(0, 1_000_000)),
      );
    });

    it('retries writes that are throttled or reset, single and multipart', async () => {
      proxy.clear();
      proxy.inject({ kind: 'status', status: 503, code: 'SlowDown' }, 1, isPut);
      proxy.inject({ kind: 'reset' }, 1, isPut);
      await store({ maxAttempts: 4 }).write('lake/small.json', '{"ok":1}');
      expect((await bytesOf(store().read('lake/small.json'))).toString()).toBe('{"ok":1}');
      const big = randomBytes(11 * 1024 * 1024);
      proxy.inject({ kind: 'status', status: 500, code: 'InternalError' }, 2, isPut);
      await store({ maxAttempts: 4, multipart: 5 * 1024 * 1024 }).write('lake/big.bin', big);
      expect(sha(await bytesOf(store().read('lake/big.bin')))).toBe(sha(big));
    });

    it('leaves nothing partial visible when a write fails for good', async () => {
      proxy.clear();
      await store().write('lake/kept.json', '{"v":1}');
      proxy.inject({ kind: 'reset' }, 20, isPut);
      await expect(store({ maxAttempts: 2 }).write('lake/kept.json', '{"v":2}')).rejects.toBeInstanceOf(
        StoreError,
      );
      await expect(store({ maxAttempts: 2 }).write('lake/new.json', '{"v":1}')).rejects.toBeInstanceOf(
        StoreError,
      );
      proxy.clear();
      expect((await bytesOf(store().read('lake/kept.json'))).toString()).toBe('{"v":1}');
      expect(await store().head('lake/new.json')).toBeUndefined();
      // A multipart upload whose completion never succeeds is aborted: no object appears.
      const big = randomBytes(11 * 1024 * 1024);
      proxy.inject(
        { kind: 'status', status: 500, code: 'InternalError' },
        20,
        (r) => r.method === 'POST' && r.url.includes('uploadId'),
      );
      await expect(
        store({ maxAttempts: 2, multipart: 5 * 1024 * 1024 }).write('lake/big-never.bin', big),
      ).rejects.toBeInstanceOf(StoreError);
      proxy.clear();
      expect(await store().head('lake/big-never.bin')).toBeUndefined();
    });

    // s3rver ignores If-Match (said above), so this case is defined for moto only.
    if (name === 'moto')
      it('refuses to mix two versions when the object changes between resumes', async () => {
        proxy.clear();
        await store().write('lake/changing.bin', object);
        const reader = store().read('lake/changing.bin')[Symbol.asyncIterator]();
        proxy.inject({ kind: 'reset-mid-body', afterBytes: 200_000 }, 1, isGet);
        const first = await reader.next();
        expect(first.done).toBe(false);
        await store().write('lake/changing.bin', randomBytes(object.length));
        const rest = (async () => {
          for (let next = await reader.next(); !next.done; next = await reader.next()) {
            // drain
          }
        })();
        await expect(rest).rejects.toThrow(
          /the object changed while it was read \(at byte \d+\); read it again/,
        );
      });
  });
}
