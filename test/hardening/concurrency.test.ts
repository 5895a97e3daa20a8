import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CreateArticleInput } from '../../functions/core/article.ts';
import { ArticleGoneError, VersionMismatchError } from '../../functions/core/store/errors.ts';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { localService } from '../support/dynamodb.ts';
import { type Credentials, signedFetch } from '../support/sigv4.ts';
import { bodiesByVersion, checkConsistency } from './invariants.ts';
import { rawClient, scanAll } from './table.ts';

/**
 * Every write race. First the store's write condition with the interleaving forced (two
 * writers read the same version, one writes first); then races over real HTTP against the
 * local server, every editor request SigV4-signed, each checked on the table itself:
 * - writers holding one ETag at once (updates, take-downs, or both): exactly one wins and
 *   every loser is told why (412 when the article changed, 404 when it is gone);
 * - 50 editors doing read → modify → PUT with If-Match in a loop (CONCURRENCY_SECONDS,
 *   default 10): no lost update;
 * - 50 simultaneous creates of one slug: exactly one 201.
 * Concurrent creates with one Idempotency-Key are in idempotency.test.ts.
 */

const EDITORS = Number(process.env.CONCURRENCY_EDITORS ?? 50);
const SECONDS = Number(process.env.CONCURRENCY_SECONDS ?? 10);

const credentials: Credentials = {
  accessKeyId: 'AKIDCONCURRENCY00001',
  secretAccessKey: 'concurrency-secret-key-0123456789abcdefgh',
};

let server: LocalServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-concurrency-'));
  server = await startLocalServer({
    port: 0,
    dataDir,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `concurrency-${randomUUID()}`,
    editor: credentials,
    seed: false,
    log: () => {},
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly etag: string | null;
  readonly type: string | null;
  readonly text: string;
}

/** One signed request to the editor API. */
async function editor(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  slug: string | undefined,
  options: { body?: unknown; ifMatch?: string } = {},
): Promise<Answer> {
  const response = await signedFetch(
    credentials,
    `${server.url}/editor/articles${slug === undefined ? '' : `/${slug}`}`,
    {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.ifMatch === undefined ? {} : { 'if-match': options.ifMatch }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    },
  );
  const { headers } = response;
  return {
    status: response.status,
    etag: headers.get('etag'),
    type: headers.get('content-type'),
    text: await response.text(),
  };
}

const table = async () => scanAll(rawClient(inject('dynamodbEndpoint')), server.tableName);

describe('the write condition, with the interleaving forced (store on DynamoDB Local)', () => {
  const ALICE = 'arn:aws:iam::000000000000:user/alice';
  const input = (title: string): CreateArticleInput => ({
    slug: null,
    title,
    summary: null,
    body: title,
    author: null,
    tags: ['news'],
    status: 'published',
    publishedAt: null,
  });

  it('a write based on a version another write has replaced is refused: VersionMismatchError, nothing written', async () => {
    const { store, service } = await localService();
    await service.create(input('Forced'), ALICE);
    const read = await store.get('forced', { consistent: true });
    if (read === undefined) throw new Error('the article was not written');
    const updated = await service.update('forced', `"${read.etag}"`, input('Won'), ALICE);
    const stale = { ...read, title: 'Lost', version: 2, etag: 'lost-etag-0000000000' };
    await expect(store.replace(read, stale)).rejects.toBeInstanceOf(VersionMismatchError);
    await expect(store.takeDown(read, { by: ALICE, at: read.updatedAt, etag: 'x' })).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
    expect(await store.get('forced', { consistent: true })).toMatchObject({ title: 'Won', version: 2 });
    expect(updated.article.version).toBe(2);
  });

  it('a write based on a version that has been taken down since is refused: ArticleGoneError, nothing written', async () => {
    const { store, service } = await localService();
    const { etag } = await service.create(input('Gone'), ALICE);
    const read = await store.get('gone', { consistent: true });
    if (read === undefined) throw new Error('the article was not written');
    await service.takeDown('gone', etag, ALICE);
    await expect(store.replace(read, { ...read, title: 'Lost', version: 2 })).rejects.toBeInstanceOf(
      ArticleGoneError,
    );
    await expect(store.takeDown(read, { by: ALICE, at: read.updatedAt, etag: 'x' })).rejects.toBeInstanceOf(
      ArticleGoneError,
    );
    expect(await store.get('gone', { consistent: true })).toBeUndefined();
    expect(await store.getVersion('gone', 2)).toBeUndefined();
  });
});

describe('writers holding the same ETag (SigV4, local server)', () => {
  it.each([
    ['8 updates', ['PUT', 'PUT', 'PUT', 'PUT', 'PUT', 'PUT', 'PUT', 'PUT']],
    ['an update and a take-down', ['PUT', 'DELETE']],
    ['2 take-downs', ['DELETE', 'DELETE']],
    ['4 updates and 4 take-downs', ['PUT', 'DELETE', 'PUT', 'DELETE', 'PUT', 'DELETE', 'PUT', 'DELETE']],
  ] as const)(
    '%s at once, ten times over: exactly one wins, each loser gets 412 (changed) or 404 (gone)',
    async (_, methods) => {
      const rounds = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const slug = `race-${randomUUID().slice(0, 8)}`;
          const created = await editor('POST', undefined, {
            body: { slug, title: 'Start', body: 'v1', tags: ['news'] },
          });
          expect(created.status, created.text).toBe(201);
          const ifMatch = created.etag ?? '';
          const answers = await Promise.all(
            methods.map((method, i) =>
              method === 'PUT'
                ? editor('PUT', slug, {
                    ifMatch,
                    body: { title: `Writer ${i}`, body: `writer ${i}`, tags: ['world'] },
                  })
                : editor('DELETE', slug, { ifMatch }),
            ),
          );
          return { slug, answers: answers.map((answer, i) => ({ ...answer, method: methods[i], i })) };
        }),
      );
      const items = await table();
      const consistency = checkConsistency(items);
      expect(consistency.violations).toEqual([]);
      for (const { slug, answers } of rounds) {
        const winners = answers.filter((a) => a.status < 300);
        expect(
          winners.map((w) => `${w.method} ${w.status}`),
          slug,
        ).toHaveLength(1);
        const [winner] = winners;
        // An update won: the article changed under every other writer. A take-down won: it is gone.
        const lost = winner?.method === 'PUT' ? 412 : 404;
        expect(winner?.status).toBe(winner?.method === 'PUT' ? 200 : 204);
        for (const loser of answers.filter((a) => a !== winner)) {
          expect(loser.status, `${slug}: ${loser.method} lost to ${winner?.method}: ${loser.text}`).toBe(
            lost,
          );
          expect(loser.type).toBe('application/problem+json');
          expect(JSON.parse(loser.text)).toMatchObject({ status: lost });
        }
        // One new version, the winner's: an update's content, or a take-down keeping version 1's.
        expect(consistency.articles.get(slug)).toMatchObject({
          version: 2,
          live: winner?.method === 'PUT',
          revisions: winner?.method === 'PUT' ? [1, 2] : [1],
        });
        expect(bodiesByVersion(items, slug).get(2)).toBe(
          winner?.method === 'PUT' ? `writer ${winner.i}` : undefined,
        );
      }
    },
    60_000,
  );
});

describe('concurrent editors over HTTP (SigV4, local server)', () => {
  it(
    `${EDITORS} editors read → modify → PUT with If-Match for ${SECONDS} s: no lost update, every loser got 412`,
    async () => {
      const created = await editor('POST', undefined, {
        body: { slug: 'contested', title: 'Contested', body: 'v1', tags: ['news'] },
      });
      expect(created.status, created.text).toBe(201);

      interface Win {
        readonly version: number;
        readonly body: string;
      }
      const wins: Win[] = [];
      const statuses: Record<number, number> = {};
      const unexpected: string[] = [];
      const deadline = Date.now() + SECONDS * 1_000;

      const run = async (id: number) => {
        for (let round = 0; Date.now() < deadline; round++) {
          const read = await editor('GET', 'contested');
          if (read.status !== 200) {
            unexpected.push(`GET ${read.status} ${read.text}`);
            continue;
          }
          const current = JSON.parse(read.text) as { title: string; tags: string[] };
          const body = `editor ${id} round ${round}`;
          const written = await editor('PUT', 'contested', {
            ifMatch: read.etag ?? '',
            body: { title: current.title, body, tags: current.tags },
          });
          statuses[written.status] = (statuses[written.status] ?? 0) + 1;
          if (written.status === 200) {
            wins.push({ version: (JSON.parse(written.text) as { version: number }).version, body });
          } else if (written.status !== 412) {
            unexpected.push(`PUT ${written.status} ${written.text}`);
          }
        }
      };
      await Promise.all(Array.from({ length: EDITORS }, (_, id) => run(id)));

      const final = await editor('GET', 'contested');
      const finalVersion = (JSON.parse(final.text) as { version: number }).version;
      if (process.env.NEWSDESK_TEST_VERBOSE) {
        console.log(`concurrency: ${JSON.stringify(statuses)} PUT answers, final version ${finalVersion}`);
      }
      // Every loser got 412 (and nothing else went wrong).
      expect(unexpected).toEqual([]);
      expect(Object.keys(statuses).sort()).toEqual(statuses[412] === undefined ? ['200'] : ['200', '412']);
      // Zero lost updates: every 200 made exactly one new version, in a gap-free sequence.
      expect(wins.length).toBeGreaterThan(0);
      expect(finalVersion).toBe(wins.length + 1);
      expect(wins.map((w) => w.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: wins.length }, (_, i) => i + 2),
      );
      // The table agrees: one revision per version, each holding what its winner wrote.
      const items = await table();
      const consistency = checkConsistency(items);
      expect(consistency.violations).toEqual([]);
      const article = consistency.articles.get('contested');
      expect(article?.version).toBe(finalVersion);
      expect(article?.revisions).toHaveLength(finalVersion);
      const bodies = bodiesByVersion(items, 'contested');
      expect(bodies.get(1)).toBe('v1');
      for (const win of wins) expect(bodies.get(win.version), `version ${win.version}`).toBe(win.body);
    },
    (SECONDS + 60) * 1_000,
  );

  it(`${EDITORS} simultaneous creates of one slug: exactly one 201, the rest 409`, async () => {
    const answers = await Promise.all(
      Array.from({ length: EDITORS }, (_, i) =>
        editor('POST', undefined, { body: { slug: 'first-come', title: `Racer ${i}`, body: `racer ${i}` } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(EDITORS - 1);
    const winner = answers.find((a) => a.status === 201);
    const consistency = checkConsistency(await table());
    expect(consistency.violations).toEqual([]);
    expect(consistency.articles.get('first-come')).toMatchObject({
      version: 1,
      body: (JSON.parse(winner?.text ?? '{}') as { body: string }).body,
    });
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(loser.type).toBe('application/problem+json');
      expect(JSON.parse(loser.text)).toMatchObject({
        status: 409,
        type: expect.stringContaining('slug-taken'),
      });
    }
  }, 60_000);
});
