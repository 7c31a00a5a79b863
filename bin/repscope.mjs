#!/usr/bin/env node
// The `repscope` command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../functions/cli/cli.ts');
