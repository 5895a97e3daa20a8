#!/usr/bin/env node
// Runnable entry for the `newsdesk` bin (package.json "bin"): registers tsx so the
// TypeScript sources load without a build step, then runs bin/newsdesk.ts.
import { register } from 'tsx/esm/api';

register();
await import('../bin/newsdesk.ts');
