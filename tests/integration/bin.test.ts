import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The installed `repscope` command as a real process: exit codes and a stack-free stderr. */
const bin = path.join(import.meta.dirname, '..', '..', 'bin', 'repscope.mjs');
const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...process.env, CI: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('bin/repscope.mjs', () => {
  it('prints help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: repscope/);
    for (const command of ['check', 'profile', 'run', 'references', 'serve'])
      expect(r.stdout).toContain(command);
  });

  it('lists the built-in references', async () => {
    const r = await run(['references', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^de-2023/m);
  });

  it('exits 2 with one line and no stack trace on bad input', async () => {
    const r = await run(['check', 'no-such-file.csv', '--manifest', 'no-such.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('repscope: no-such.yaml: no such file\n');
  });

  it('exits 2 on an unknown command', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
