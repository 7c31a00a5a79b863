// Entry of every worker thread the WorkerPool starts. A worker begins as a plain Node.js ESM
// context: neither the CLI's tsx loader (bin/repscope.mjs) nor vitest's transform reaches it, so
// it registers tsx itself before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker-entry.ts', import.meta.url).href);
