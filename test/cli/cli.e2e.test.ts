/**
 * End to end: the `newsdesk` CLI as a child process against the local server
 * (in this process, on a random port, on the run's DynamoDB Local, a table of its own).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { runCli } from './support/run.ts';
import '../setup/provided.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLE = path.join(ROOT, 'fixtures/seed-article.md');
const SAMPLE_SLUG = 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia';
const EDITOR = {
  accessKeyId: 'AKIACLIE2ETESTKEY001',
  secretAccessKey: 'cli-e2e-secret-0123456789abcdefghij',
};

let server: LocalServer;
let work: string;

/** Runs the CLI as a child process against the server, in a scratch directory. */
const newsdesk = (args: string[], env: Record<string, string> = {}) =>
  runCli({ work, url: server.url, region: server.region, editor: EDITOR }, args, env);

/** The public (unsigned) view of an article: status and body, without running the CLI. */
async function publicArticle(slug: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/articles/${slug}`);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function getArticle(slug: string): Promise<Record<string, unknown>> {
  const run = await newsdesk(['get', slug]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

function article(fields: Record<string, string>, body: string): string {
  const lines = Object.entries(fields).map(([key, value]) => `${key}: ${value}`);
  return ['---', ...lines, '---', '', body, ''].join('\n');
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'newsdesk-cli-e2e-'));
  server = await startLocalServer({
    port: 0,
    dataDir: path.join(work, 'data'),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `newsdesk-cli-e2e-${process.pid}-${Date.now()}`,
    editor: EDITOR,
    seed: false,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('newsdesk CLI against the local server', () => {
  it('publishes the sample file (created), then again (unchanged), then edited (updated)', async () => {
    const first = await newsdesk(['publish', SAMPLE]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`created      ${SAMPLE_SLUG}`);
    expect(first.stdout).toContain('1 file: 1 created, 0 updated, 0 unchanged, 0 failed.');

    const again = await newsdesk(['publish', SAMPLE]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`unchanged    ${SAMPLE_SLUG}`);
    expect(again.stdout).toContain('1 file: 0 created, 0 updated, 1 unchanged, 0 failed.');

    const edited = path.join(work, 'edited.md');
    writeFileSync(
      edited,
      readFileSync(SAMPLE, 'utf8')
        .replace('title: "Biden partially', 'title: "UPDATED: Biden partially')
        .replace('Source Agencies', 'Source: agencies'),
    );
    const updated = await newsdesk(['publish', edited]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain(`updated      ${SAMPLE_SLUG}`);
    expect(updated.stdout).toContain('changed: title, body');
    expect(updated.stdout).toContain('1 file: 0 created, 1 updated, 0 unchanged, 0 failed.');

    const stored = await getArticle(SAMPLE_SLUG);
    expect(stored).toMatchObject({
      slug: SAMPLE_SLUG,
      title: 'UPDATED: Biden partially lifts ban on Ukraine using US weapons to strike inside Russia',
      status: 'published',
      version: 2,
      tags: ['ukraine', 'russia', 'us-politics'],
    });
    expect(String(stored.body).endsWith('Source: agencies')).toBe(true);

    const html = await newsdesk(['get', '--html', SAMPLE_SLUG]);
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('<p>President Joe Biden has partially lifted');
  });

  it('changes nothing in a dry run', async () => {
    const draft = path.join(work, 'dry.md');
    writeFileSync(draft, article({ title: 'Dry run only', tags: '[dry]' }, 'Never sent.'));
    const sampleBefore = await publicArticle(SAMPLE_SLUG);
    expect(sampleBefore.status).toBe(200);

    const run = await newsdesk(['publish', '--dry-run', draft, SAMPLE]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('would create dry-run-only');
    expect(run.stdout).toContain(`would update ${SAMPLE_SLUG}`);
    expect(run.stdout).toContain(
      'Dry run, nothing was changed. 2 files: 1 would be created, 1 would be updated',
    );

    expect((await publicArticle('dry-run-only')).status).toBe(404);
    expect(await publicArticle(SAMPLE_SLUG)).toEqual(sampleBefore);
  });

  it('publishes a directory of 30 files with two broken ones: 28 published, 2 reported, exit code 1', async () => {
    const dir = path.join(work, 'bulk');
    mkdirSync(dir);
    for (let i = 1; i <= 30; i++) {
      const name = path.join(dir, `article-${String(i).padStart(2, '0')}.md`);
      writeFileSync(name, article({ title: `Bulk article ${i}`, tags: '[bulk]' }, `Body of article ${i}.`));
    }
    // Broken: unknown key and a bad tag (line numbers 3 and 4), and unclosed YAML.
    writeFileSync(
      path.join(dir, 'article-07.md'),
      article({ title: 'Bulk article 7', subtitle: 'not a field', tags: '[bulk, Bad_Tag]' }, 'x'),
    );
    writeFileSync(path.join(dir, 'article-19.md'), '---\ntitle: "Bulk article 19\ntags: [bulk\n---\nBody\n');

    const run = await newsdesk(['publish', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('30 files: 28 created, 0 updated, 0 unchanged, 2 failed.');
    expect(run.stdout.match(/^created /gm)).toHaveLength(28);
    expect(run.stderr).toContain(`failed       ${path.join(dir, 'article-07.md')}`);
    expect(run.stderr).toContain(`${path.join(dir, 'article-07.md')}:3: subtitle: is not a known field`);
    expect(run.stderr).toMatch(/article-07\.md:4: tags\.1: must be lower-case/);
    expect(run.stderr).toMatch(/article-19\.md:\d+: YAML: /);

    const list = await newsdesk(['list', '--tag', 'bulk', '--all', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const { items } = JSON.parse(list.stdout) as { items: { slug: string }[] };
    expect(items).toHaveLength(28);
    expect(items.map((item) => item.slug)).not.toContain('bulk-article-7');

    const table = await newsdesk(['list', '--limit', '5']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^STATUS +PUBLISHED AT +SLUG +TITLE +TAGS$/m);
    expect(table.stdout).toContain('5 articles');
    expect(table.stdout).toMatch(/More articles: newsdesk list --cursor \S+/);

    const again = await newsdesk(['publish', '--concurrency', '8', dir]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('30 files: 0 created, 0 updated, 28 unchanged, 2 failed.');
  });

  it('publishes as a draft with --status draft and lists it by status', async () => {
    const file = path.join(work, 'draft.md');
    writeFileSync(file, article({ title: 'A draft for later', status: 'published' }, 'Draft body.'));
    const run = await newsdesk(['publish', '--status', 'draft', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('created      a-draft-for-later');
    const list = await newsdesk(['list', '--status', 'draft', '--json']);
    const { items } = JSON.parse(list.stdout) as { items: { slug: string; status: string }[] };
    expect(items).toEqual([expect.objectContaining({ slug: 'a-draft-for-later', status: 'draft' })]);
  });

  it('takes an article down: refuses without --yes off a terminal, then does it with --yes', async () => {
    const file = path.join(work, 'doomed.md');
    writeFileSync(file, article({ title: 'Doomed article' }, 'Soon gone.'));
    expect((await newsdesk(['publish', file])).code).toBe(0);

    const refused = await newsdesk(['take-down', 'doomed-article']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to take down "doomed-article" without confirmation');
    expect(refused.stderr).toContain('--yes');
    expect((await publicArticle('doomed-article')).status).toBe(200);

    const done = await newsdesk(['take-down', '--yes', 'doomed-article']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('taken down  doomed-article');

    const gone = await newsdesk(['get', 'doomed-article']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('GET /editor/articles/doomed-article: not found (404)');
    expect((await publicArticle('doomed-article')).status).toBe(404);

    // The slug stays taken: republishing the file explains the 409.
    const republish = await newsdesk(['publish', file]);
    expect(republish.code).toBe(1);
    expect(republish.stderr).toContain('the slug "doomed-article" is already taken (409)');
  });

  it('explains refused credentials and exits 1', async () => {
    const run = await newsdesk(['publish', SAMPLE], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('403 Forbidden: the API refused the request signature or the IAM policy');
    expect(run.stderr).toContain(`region ${server.region}, service execute-api`);
    expect(run.stdout).toContain('1 file: 0 created, 0 updated, 0 unchanged, 1 failed.');

    const wrongRegion = await newsdesk(['get', SAMPLE_SLUG, '--region', 'eu-west-3']);
    expect(wrongRegion.code).toBe(1);
    expect(wrongRegion.stderr).toContain('region eu-west-3, service execute-api');
  });

  it('answers usage errors with exit code 2 and help on --help', async () => {
    const unknown = await newsdesk(['publish', '--bogus', SAMPLE]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    const missing = await newsdesk(['publish', path.join(work, 'nope.md')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.md: no such file or directory');
    const help = await newsdesk(['list', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: newsdesk list [options]');
    const version = await newsdesk(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
