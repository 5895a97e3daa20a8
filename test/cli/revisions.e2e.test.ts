/**
 * End to end: `newsdesk history`, `restore` and `preview` as a child process against the
 * local server (in this process, on a random port, on the run's DynamoDB Local, a table
 * of its own), as cli.e2e.test.ts runs the other commands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { signedFetch } from '../support/sigv4.ts';
import { runCli } from './support/run.ts';
import '../setup/provided.ts';

const EDITOR = {
  accessKeyId: 'AKIACLIREVISIONS0001',
  secretAccessKey: 'cli-revisions-secret-0123456789abcdef',
};

let server: LocalServer;
let work: string;

const newsdesk = (args: string[]) =>
  runCli({ work, url: server.url, region: server.region, editor: EDITOR }, args);

/** A signed request straight to the API (setting up what the CLI then reads). */
async function api(method: string, apiPath: string, body?: unknown, ifMatch?: string) {
  const response = await signedFetch(EDITOR, `${server.url}${apiPath}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    etag: response.headers.get('etag') ?? '',
    json: (await response.json()) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'newsdesk-cli-revisions-'));
  server = await startLocalServer({
    port: 0,
    dataDir: path.join(work, 'data'),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `newsdesk-cli-revisions-${process.pid}-${Date.now()}`,
    editor: EDITOR,
    seed: false,
    readerPort: false,
  });
  const created = await api('POST', '/editor/articles', {
    slug: 'cli-history',
    title: 'First title',
    body: 'One.',
  });
  expect(created.status).toBe(201);
  const updated = await api(
    'PUT',
    '/editor/articles/cli-history',
    { title: 'Second title', body: 'Two.', status: 'draft' },
    created.etag,
  );
  expect(updated.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('newsdesk history, restore and preview against the local server', () => {
  it('history: a table of the versions, newest first, and --json', async () => {
    const table = await newsdesk(['history', 'cli-history']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+STATUS\s+UPDATED AT\s+BY\s+TITLE$/);
    expect(lines[1]).toMatch(/^2\s+draft\s+\S+\s+user\/\S+\s+Second title$/);
    expect(lines[2]).toMatch(/^1\s+published\s/);
    expect(lines[2]).toContain('First title');
    expect(lines.at(-1)).toBe('2 versions');

    const json = await newsdesk(['history', '--json', 'cli-history']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { items: { version: number; title: string }[] };
    expect(parsed.items.map((item) => [item.version, item.title])).toEqual([
      [2, 'Second title'],
      [1, 'First title'],
    ]);

    const missing = await newsdesk(['history', 'no-such-article']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    expect((await newsdesk(['history'])).code).toBe(2);
    expect((await newsdesk(['history', 'Not A Slug'])).code).toBe(2);
  });

  it('restore: refuses without --yes off a terminal; with --yes writes a new version from the old one', async () => {
    const refused = await newsdesk(['restore', 'cli-history', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await newsdesk(['restore', '--yes', 'cli-history', 'one'])).code).toBe(2);

    const done = await newsdesk(['restore', '--yes', 'cli-history', '1']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('restored    cli-history  version 1 -> version 3 (published)');
    const current = await api('GET', '/editor/articles/cli-history');
    expect(current.json).toMatchObject({
      version: 3,
      title: 'First title',
      body: 'One.',
      status: 'published',
    });

    const unknown = await newsdesk(['restore', '--yes', 'cli-history', '9']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404/);
  });

  it('preview: prints the link to share, which shows the current version', async () => {
    const made = await newsdesk(['preview', 'cli-history', '--expires', '2h']);
    expect(made.code, made.stderr).toBe(0);
    const url = made.stdout.trim();
    const token = url.slice(url.lastIndexOf('/') + 1);
    expect(url).toBe(server.site.previewUrl.replace('{token}', token));
    const apiUrl = /^API: (\S+)$/m.exec(made.stderr)?.[1] ?? '';
    expect(apiUrl).toBe(`${server.url}/preview/${token}`);
    const expires = /^expires (\S+)$/m.exec(made.stderr)?.[1] ?? '';
    expect(Math.abs(Date.parse(expires) - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
    const shown = await fetch(apiUrl);
    expect(shown.status).toBe(200);
    expect(((await shown.json()) as { title: string }).title).toBe('First title');

    for (const bad of ['30s', '8d', 'soon', '2w']) {
      const refused = await newsdesk(['preview', 'cli-history', '--expires', bad]);
      expect(refused.code, bad).toBe(2);
    }
    expect((await newsdesk(['preview', 'no-such-article'])).code).toBe(1);
  });
});
