import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { manifestJsonSchema } from '../core/manifest/schema.ts';
import { reportJsonSchema } from '../core/report/schema.ts';
import { REPO_ROOT } from './local.ts';

/** `npm run schemas`: writes the JSON Schemas of the manifest and the report into schemas/. */
const dir = path.join(REPO_ROOT, 'schemas');
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'repscope.schema.json'), `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
await writeFile(path.join(dir, 'report.schema.json'), `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
process.stdout.write(
  `wrote ${path.relative(process.cwd(), dir)}/repscope.schema.json and report.schema.json\n`,
);
