import { execFile, spawnSync } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import aslValidator from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_HANDLERS, type LambdaName } from '../../infra/lambda-bundles.ts';
import { tempDir } from '../fixtures/cli.ts';
import { requirePeers } from '../helpers/s3-servers.ts';
import { resolveDefinitionString } from '../helpers/synthesized-definition.ts';

/**
 * `npx cdk synth` as a user runs it on a fresh clone: the CDK CLI from node_modules, esbuild from
 * node_modules (never Docker), no account and no network (a dead proxy catches any attempt), cdk-nag
 * applied by the app (a finding fails the synth). Then cfn-lint reads every template, asl-validator
 * the deployed definition, and each Lambda asset is checked against the 5 MB budget.
 * The one real bundling synth of the test run; the other infra tests skip bundling.
 */
const REPO = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const BUDGET_BYTES = 5 * 1024 * 1024;
let out: string;
let cleanup: () => Promise<void>;
let synth: { stdout: string; stderr: string };

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
const templates = new Map<string, { Resources: Record<string, Resource> }>();

beforeAll(async () => {
  ({ dir: out, cleanup } = await tempDir('repscope-cdk-out-'));
  synth = await run(
    process.execPath,
    [path.join(REPO, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--no-notices', '--output', out],
    {
      cwd: REPO,
      env: {
        ...process.env,
        HTTP_PROXY: 'http://127.0.0.1:9',
        HTTPS_PROXY: 'http://127.0.0.1:9',
        http_proxy: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
        CDK_DISABLE_VERSION_CHECK: 'true',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: '',
      },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 240_000,
    },
  );
  for (const file of (await readdir(out)).filter((f) => f.endsWith('.template.json'))) {
    templates.set(file, JSON.parse(await readFile(path.join(out, file), 'utf8')));
  }
}, 300_000);
afterAll(async () => cleanup?.());

/** The handler name of each Lambda function of the pipeline template, by its construct path. */
function handlerFunctions(): Map<string, { name: LambdaName; resource: Resource }> {
  const pipeline = templates.get('RepscopePipeline.template.json')!;
  const found = new Map<string, { name: LambdaName; resource: Resource }>();
  for (const [id, resource] of Object.entries(pipeline.Resources)) {
    const name = /\/Function-([a-z-]+)\/Resource$/.exec(
      String(resource.Metadata?.['aws:cdk:path'] ?? ''),
    )?.[1];
    if (resource.Type === 'AWS::Lambda::Function' && name && name in LAMBDA_HANDLERS) {
      found.set(id, { name: name as LambdaName, resource });
    }
  }
  return found;
}

describe('npx cdk synth, offline', () => {
  it('synthesizes the three stacks with cdk-nag applied and no finding', () => {
    expect([...templates.keys()].sort()).toEqual([
      'RepscopePipeline.template.json',
      'RepscopeSite.template.json',
      'RepscopeStateful.template.json',
    ]);
    expect(`${synth.stdout}\n${synth.stderr}`).not.toMatch(/AwsSolutions-|\[Error at/);
  });

  it('bundles every handler with esbuild: an ES module and its chunks, under 5 MB, each beside its source map', async () => {
    const functions = [...handlerFunctions().values()];
    expect(functions.map((f) => f.name).sort()).toEqual(Object.keys(LAMBDA_HANDLERS).sort());
    for (const { name, resource } of functions) {
      expect(resource.Properties['Handler'], name).toBe('index.handler');
      const key = String((resource.Properties['Code'] as { S3Key: unknown }).S3Key);
      const asset = path.join(out, `asset.${key.replace(/\.zip$/, '')}`);
      const files = (await readdir(asset)).sort();
      const modules = files.filter((f) => f.endsWith('.mjs'));
      expect(modules, name).toContain('index.mjs');
      // The entry and the chunks esbuild split off (loaded on demand), each with its source map.
      expect(files, name).toEqual(modules.flatMap((m) => [m, `${m}.map`]).sort());
      for (const m of modules) expect(m === 'index.mjs' || /^chunk-[A-Z0-9]+\.mjs$/.test(m), m).toBe(true);
      let bytes = 0;
      for (const m of modules) {
        bytes += (await stat(path.join(asset, m))).size;
        const code = await readFile(path.join(asset, m), 'utf8');
        expect(code.startsWith('import { createRequire as __repscopeRequire }'), `${name}/${m}`).toBe(true);
        expect(code).toMatch(new RegExp(`//# sourceMappingURL=${m.replace('.', '\\.')}\\.map\\s*$`));
      }
      console.info(
        `[cdk synth] ${name}: ${(bytes / 1024 / 1024).toFixed(2)} MB in ${modules.length} files (+ source maps)`,
      );
      expect(bytes, name).toBeLessThan(BUDGET_BYTES);
    }
  });

  it('deploys a state machine definition that asl-validator accepts, ARNs and paths checked', () => {
    const pipeline = templates.get('RepscopePipeline.template.json')!;
    const [machine] = Object.values(pipeline.Resources).filter(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    const names = new Map([...handlerFunctions()].map(([id, f]) => [id, f.name]));
    const definition = JSON.parse(resolveDefinitionString(machine!.Properties['DefinitionString'], names));
    const { isValid, errors } = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('gives templates cfn-lint finds nothing in (.cfnlintrc.yaml says which check is off and why)', async () => {
    const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      const why = `cfn-lint is not runnable here (${probe.error?.message ?? `exit ${probe.status}`})`;
      if (requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${why}`);
      console.warn(`[cdk synth] not linting the templates: ${why}`);
      return;
    }
    const files = [...templates.keys()].map((f) => path.join(out, f));
    const lint = spawnSync(
      'cfn-lint',
      ['--config-file', path.join(REPO, '.cfnlintrc.yaml'), '--', ...files],
      {
        encoding: 'utf8',
      },
    );
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  }, 60_000);
});
