import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('functions/', () => {
  it('never scans the table (lists are Queries on indexes)', () => {
    const files = sourceFiles('functions');
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((file) =>
      /\b(ScanCommand|paginateScan|Scan\b)/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
