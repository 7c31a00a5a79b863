import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import-direction rule of DESIGN.md ("Rings"): core is pure; adapters implement core's ports;
 * pipeline uses ports only; web renders reports. A violation fails this test with the file and
 * the import that broke the rule.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Every module specifier a file imports (static, dynamic, re-export). */
function importsOf(text: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /^\s*import\s+(?:type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /^\s*export\s+[^'"]*?from\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const p of patterns) for (const m of text.matchAll(p)) specs.push(m[1]!);
  return specs;
}

function resolvedRing(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = path.normalize(path.join(path.dirname(file), spec));
  const parts = target.split(path.sep);
  if (parts[0] === 'functions') return `functions/${parts[1]}`;
  return parts[0] ?? null;
}

const CORE_PACKAGES = [
  /^zod$/,
  /^yaml$/,
  /^hyparquet(-compressors)?$/,
  /^arquero$/,
  /^vega-lite(\/.*)?$/,
  /^@stdlib\//,
  // The privacy audit's linear programs: pure JS, no install script, no wasm (Lambda bundle budget).
  /^yalps$/,
];

const RULES: { ring: string; forbiddenRings: string[]; packages?: RegExp[] }[] = [
  {
    ring: 'functions/core',
    forbiddenRings: [
      'functions/adapters',
      'functions/pipeline',
      'functions/handlers',
      'functions/cli',
      'web',
      'infra',
    ],
    packages: CORE_PACKAGES,
  },
  {
    ring: 'functions/adapters',
    forbiddenRings: ['functions/pipeline', 'functions/handlers', 'functions/cli', 'web'],
  },
  {
    ring: 'functions/pipeline',
    forbiddenRings: ['functions/adapters', 'functions/handlers', 'functions/cli'],
  },
  {
    ring: 'web',
    forbiddenRings: ['functions/adapters', 'functions/pipeline', 'functions/handlers', 'functions/cli'],
    packages: [...CORE_PACKAGES, /^vega$/, /^preact(\/.*)?$/, /^preact-render-to-string$/],
  },
];

describe('import direction', () => {
  it('finds imports in all their forms', () => {
    const found = importsOf(
      "import a from 'x';\nimport type { B } from \"../y.ts\";\nexport { c } from './z.ts';\nconst d = await import('node:fs');\nimport 'side';",
    );
    expect(found.sort()).toEqual(['../y.ts', './z.ts', 'node:fs', 'side', 'x'].sort());
  });

  for (const rule of RULES) {
    it(`${rule.ring} imports nothing outside its ring`, () => {
      const violations: string[] = [];
      for (const file of sourceFiles(rule.ring)) {
        const text = readFileSync(path.join(ROOT, file), 'utf8');
        for (const spec of importsOf(text)) {
          const ring = resolvedRing(file, spec);
          if (ring && rule.forbiddenRings.includes(ring))
            violations.push(`${file} imports ${spec} (${ring})`);
          if (!ring && rule.packages && !rule.packages.some((p) => p.test(spec))) {
            violations.push(`${file} imports package ${spec}, not allowed in ${rule.ring}`);
          }
        }
        if (rule.ring === 'functions/core' && /process\.env|\brequire\(/.test(text)) {
          violations.push(`${file} reads process.env or uses require()`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('reads process.env only in the one config file per composition root', () => {
    const readers = ['functions', 'web']
      .flatMap(sourceFiles)
      .filter((f) => /process\.env/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(readers).toEqual(['functions/cli/env.ts', 'functions/handlers/config.ts']);
  });
});
