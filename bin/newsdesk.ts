#!/usr/bin/env -S node --import tsx
/**
 * The editor CLI entry point: `npx newsdesk <command>` (see cli/main.ts, cli/help.ts).
 */
import { main } from '../cli/main.ts';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
process.exitCode = code;
