/**
 * `npm run openapi`: writes openapi.json from the routes and schemas (openapi/document.ts).
 * `npm run openapi -- --check`: changes nothing; exits 1 when the committed file is stale.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from './document.ts';
import { OPENAPI_FILE } from './file.ts';

export interface GenerateOutcome {
  readonly code: 0 | 1;
  readonly message: string;
}

export function generate(argv: readonly string[], file: string = OPENAPI_FILE): GenerateOutcome {
  const fresh = renderOpenApiDocument();
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const name = relative(process.cwd(), file) || file;
  if (argv.includes('--check')) {
    return current === fresh
      ? { code: 0, message: `${name} is up to date` }
      : {
          code: 1,
          message: `${name} is ${current === undefined ? 'missing' : 'stale'}: run \`npm run openapi\``,
        };
  }
  if (current === fresh) return { code: 0, message: `${name} unchanged (${fresh.length} bytes)` };
  writeFileSync(file, fresh);
  return { code: 0, message: `wrote ${name} (${fresh.length} bytes)` };
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const outcome = generate(process.argv.slice(2));
  (outcome.code === 0 ? console.log : console.error)(outcome.message);
  process.exitCode = outcome.code;
}
