import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionAt } from '../../../functions/cli/upload.ts';
import { runCli, tempDir } from '../../fixtures/cli.ts';
import { LEADS_MANIFEST } from '../../fixtures/leads.ts';

/** What `upload` refuses before it talks to S3 (the bucket here does not exist anywhere). */
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('repscope-upload-unit-'));
  await writeFile(path.join(dir, 'repscope.yaml'), LEADS_MANIFEST);
  await writeFile(path.join(dir, '.hidden.csv'), 'sex\nf\n');
});

afterAll(async () => cleanup());

const upload = (...args: string[]) =>
  runCli([
    'upload',
    ...args,
    '--datasets-bucket',
    'uploads',
    '--lake-bucket',
    'lake',
    '--endpoint',
    'http://127.0.0.1:9',
  ]);

describe('repscope upload, before S3', () => {
  it('names the default version folder by the UTC time to the second', () => {
    expect(versionAt(new Date('2026-12-06T03:15:00.987Z'))).toBe('2026-12-06T031500Z');
  });

  it('refuses a missing file, a file the pipeline would ignore and a bad version, in one line each', async () => {
    const missing = path.join(dir, 'nothing.csv');
    expect(await upload(missing)).toEqual({
      code: 2,
      stdout: '',
      stderr: `repscope: ${missing}: no such file\n`,
    });
    const hidden = await upload(path.join(dir, '.hidden.csv'));
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toBe(
      "repscope: .hidden.csv: the pipeline ignores this file name; expected one without a leading '.', control characters or backslashes\n",
    );
    const version = await upload(path.join(dir, '.hidden.csv'), '--dataset-version', 'a/b');
    expect(version.stderr).toContain("--dataset-version: expected 1-128 letters, digits, '.', '_' or '-'");
  });

  it('needs both buckets, and two different ones', async () => {
    const file = path.join(dir, 'x.csv');
    const one = await runCli(['upload', file, '--lake-bucket', 'lake', '--endpoint', 'http://127.0.0.1:9']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain("required option '--datasets-bucket <name>' not specified");
    const same = await runCli(['upload', file, '--datasets-bucket', 'lake', '--lake-bucket', 'lake']);
    expect(same).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "repscope: --datasets-bucket and --lake-bucket both name 'lake'; expected the deployment's two buckets (the RepscopeStateful stack's outputs DatasetsBucketName and LakeBucketName)\n",
    });
  });

  it('refuses a timeout that is not a positive number of seconds', async () => {
    const result = await upload(path.join(dir, 'x.csv'), '--wait', '--timeout-sec', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("expected a number of seconds above 0; got '0'");
  });
});
