import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { bodiesByVersion, checkConsistency } from './invariants.ts';
import { type EditorCredentials, signedFetch } from './signing.ts';
import { rawClient, scanAll } from './table.ts';

/**
 * Races over real HTTP against the local server, every editor request SigV4-signed:
 * 50 editors doing read → modify → PUT with If-Match in a loop (CONCURRENCY_SECONDS,
 * default 10), and 50 simultaneous creates of one slug. Checked on the table itself.
 */

const EDITORS = Number(process.env.CONCURRENCY_EDITORS ?? 50);
const SECONDS = Number(process.env.CONCURRENCY_SECONDS ?? 10);

const credentials: EditorCredentials = {
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

const editorUrl = (slug?: string) => `${server.url}/editor/articles${slug === undefined ? '' : `/${slug}`}`;

const post = (body: unknown) =>
  signedFetch(credentials, {
    method: 'POST',
    url: editorUrl(),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('concurrent editors over HTTP (SigV4, local server)', () => {
  it(
    `${EDITORS} editors read → modify → PUT with If-Match for ${SECONDS} s: no lost update, every loser got 412`,
    async () => {
      const created = await post({ slug: 'contested', title: 'Contested', body: 'v1', tags: ['news'] });
      expect(created.status, created.text).toBe(201);

      interface Win {
        readonly version: number;
        readonly body: string;
      }
      const wins: Win[] = [];
      const statuses: Record<number, number> = {};
      const unexpected: string[] = [];
      const deadline = Date.now() + SECONDS * 1_000;

      const editor = async (id: number) => {
        for (let round = 0; Date.now() < deadline; round++) {
          const read = await signedFetch(credentials, { method: 'GET', url: editorUrl('contested') });
          if (read.status !== 200) {
            unexpected.push(`GET ${read.status} ${read.text}`);
            continue;
          }
          const etag = read.headers.get('etag') ?? '';
          const current = JSON.parse(read.text) as { title: string; tags: string[] };
          const body = `editor ${id} round ${round}`;
          const written = await signedFetch(credentials, {
            method: 'PUT',
            url: editorUrl('contested'),
            headers: { 'content-type': 'application/json', 'if-match': etag },
            body: JSON.stringify({ title: current.title, body, tags: current.tags }),
          });
          statuses[written.status] = (statuses[written.status] ?? 0) + 1;
          if (written.status === 200) {
            wins.push({ version: (JSON.parse(written.text) as { version: number }).version, body });
          } else if (written.status !== 412) {
            unexpected.push(`PUT ${written.status} ${written.text}`);
          }
        }
      };
      await Promise.all(Array.from({ length: EDITORS }, (_, id) => editor(id)));

      const final = await signedFetch(credentials, { method: 'GET', url: editorUrl('contested') });
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
      const items = await scanAll(rawClient(inject('dynamodbEndpoint')), server.tableName);
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
        post({ slug: 'first-come', title: `Racer ${i}`, body: `racer ${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(EDITORS - 1);
    const winner = answers.find((a) => a.status === 201);
    const consistency = checkConsistency(
      await scanAll(rawClient(inject('dynamodbEndpoint')), server.tableName),
    );
    expect(consistency.violations).toEqual([]);
    expect(consistency.articles.get('first-come')).toMatchObject({
      version: 1,
      body: (JSON.parse(winner?.text ?? '{}') as { body: string }).body,
    });
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(loser.headers.get('content-type')).toBe('application/problem+json');
    }
  }, 60_000);
});
