import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/**
 * Real S3 protocol servers on loopback ports of their own, for the S3 adapter's tests:
 * `s3rver` (npm, in-process) and `moto_server` (Python, on the machine image and CI's; it honours
 * conditional writes and versioning, s3rver does not). Nothing here leaves the machine.
 */
export interface S3Peer {
  readonly name: 's3rver' | 'moto';
  readonly endpoint: string;
  /** Whether the server honours If-None-Match / If-Match on PutObject. */
  readonly conditionalWrites: boolean;
  client(): S3Client;
  createBucket(name: string, options?: { versioned?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function clientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'eu-central-1',
    forcePathStyle: true,
    credentials,
    // Fail fast against a local server: the retry behaviour has tests of its own.
    maxAttempts: 2,
  });
}

function peer(
  name: S3Peer['name'],
  endpoint: string,
  conditionalWrites: boolean,
  stop: () => Promise<void>,
): S3Peer {
  return {
    name,
    endpoint,
    conditionalWrites,
    client: () => clientFor(endpoint),
    async createBucket(bucket, options) {
      const client = clientFor(endpoint);
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      if (options?.versioned) {
        await client.send(
          new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
        );
      }
      client.destroy();
    },
    stop,
  };
}

export async function startS3rver(): Promise<S3Peer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const address = (await server.run()) as { address: string; port: number };
  return peer('s3rver', `http://127.0.0.1:${address.port}`, false, async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });
}

/** Why moto_server cannot run here, or undefined when it can. */
export function motoUnavailable(): string | undefined {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (probe.error) return `moto_server is not on PATH (${(probe.error as NodeJS.ErrnoException).code})`;
  return probe.status === 0 ? undefined : `moto_server --help exited ${probe.status}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<S3Peer> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-2000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited ${child.exitCode}: ${log}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return peer('moto', endpoint, true, async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });
}

/**
 * CI sets REPSCOPE_REQUIRE_PEERS=1: a missing moto_server is then a failure, never a skip.
 */
export const requirePeers = process.env['REPSCOPE_REQUIRE_PEERS'] === '1';
