/**
 * Events end to end (API.md "Events", "Locally"): `npm start` (a child process, on the run's
 * DynamoDB Local, a table of its own) with NEWSDESK_WEBHOOKS naming receivers on 127.0.0.1:
 * one that accepts, one that answers 503 twice per event first, one that hangs and a port
 * that refuses. Each change arrives once within 5 s; a go-live within 5 s after its instant
 * and never before; 200 go-lives of the same second within 10 s, none twice; the failing
 * receivers never slow down or fail an editor's write.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local.ts';
import { childEnv, killChild, spawnTsx } from './support/process.ts';
import { type StartedServer, signedFetch, startServer, stopServer, tempDataDir } from './support/server.ts';
import '../setup/provided.ts';

interface Received {
  readonly path: string;
  readonly at: number;
  readonly contentType: string | undefined;
  readonly event: {
    version: string;
    id: string;
    'detail-type': string;
    source: string;
    account: string;
    time: string;
    region: string;
    resources: unknown[];
    detail: {
      eventId: string;
      slug: string;
      version: number;
      status: string;
      publishedAt: string | null;
      reason?: string;
    };
  };
  /** What the receiver answered. */
  readonly status: number;
}

const received: Received[] = [];
const flakyAnswers = new Map<string, number>();
let receiver: Server;
let receiverUrl: string;
let refusingUrl: string;
let server: StartedServer;

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const path = req.url ?? '/';
    if (path === '/hang') return; // never answers: the deliverer's timeout ends the attempt
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['event'];
    let status = 204;
    if (path === '/flaky') {
      const seen = flakyAnswers.get(event.id) ?? 0;
      flakyAnswers.set(event.id, seen + 1);
      if (seen < 2) status = 503;
    }
    received.push({ path, at: Date.now(), contentType: req.headers['content-type'], event, status });
    res.writeHead(status).end();
  });
}

const accepted = (path: string, slug: string) =>
  received.filter((r) => r.path === path && r.status < 300 && r.event.detail.slug === slug);

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const json = { 'content-type': 'application/json' };

async function create(body: Record<string, unknown>): Promise<{ response: Response; ms: number }> {
  const started = Date.now();
  const response = await signedFetch(server, `${server.url}/editor/articles`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ title: 'Event test', body: 'Text.', ...body }),
  });
  return { response, ms: Date.now() - started };
}

beforeAll(async () => {
  receiver = createServer(onRequest);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // A port nobody listens on: connections are refused.
  refusingUrl = `http://127.0.0.1:${await freePort()}/refused`;
  server = await startServer({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `newsdesk-events-${randomUUID().slice(0, 8)}`,
    env: {
      NEWSDESK_WEBHOOKS: [
        `${receiverUrl}/good`,
        `${receiverUrl}/flaky`,
        `${receiverUrl}/hang`,
        refusingUrl,
      ].join(','),
    },
  });
}, 120_000);

afterAll(async () => {
  const stopped = await stopServer(server);
  expect(stopped.code).toBe(0);
  if (server !== undefined) rmSync(server.dataDir, { recursive: true, force: true });
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('events of npm start, delivered to NEWSDESK_WEBHOOKS', () => {
  it('says where events go in the ready block', () => {
    expect(server.child.output()).toContain(`events       logged here and POSTed to ${receiverUrl}/good`);
    expect(server.child.output()).toContain('npx newsdesk events --follow');
  });

  it('create, update and take-down each arrive once within 5 s, as EventBridge events; writes are not held up', async () => {
    const slug = `ev-${randomUUID().slice(0, 8)}`;
    const created = await create({ slug });
    expect(created.response.status).toBe(201);
    // Two receivers refuse or hang: the write still answers at once.
    expect(created.ms).toBeLessThan(2_000);
    const t1 = Date.now();
    await until(() => accepted('/good', slug).length === 1, 5_000);
    expect(accepted('/good', slug)[0]?.at ?? Infinity).toBeLessThanOrEqual(t1 + 5_000);

    const etag = created.response.headers.get('etag') ?? '';
    const updated = await signedFetch(server, `${server.url}/editor/articles/${slug}`, {
      method: 'PUT',
      headers: { ...json, 'if-match': etag },
      body: JSON.stringify({ title: 'Event test, changed', body: 'Text.', status: 'published' }),
    });
    expect(updated.status).toBe(200);
    await until(() => accepted('/good', slug).length === 2, 5_000);

    const started = Date.now();
    const removed = await signedFetch(server, `${server.url}/editor/articles/${slug}`, {
      method: 'DELETE',
      headers: { 'if-match': updated.headers.get('etag') ?? '' },
    });
    expect(removed.status).toBeLessThan(300);
    expect(Date.now() - started).toBeLessThan(2_000);
    await until(() => accepted('/good', slug).length === 3, 5_000);

    // Nothing twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = accepted('/good', slug);
    expect(events.map((r) => r.event['detail-type'])).toEqual([
      'Article Published',
      'Article Updated',
      'Article Unpublished',
    ]);
    expect(events[2]?.event.detail.reason).toBe('taken-down');
    for (const { event, contentType } of events) {
      expect(contentType).toBe('application/json');
      expect(event).toMatchObject({
        version: '0',
        source: 'newsdesk',
        account: '000000000000',
        region: 'us-east-1',
        resources: [],
        detail: { slug },
      });
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    }
    // Each change is logged by the server.
    expect(server.child.output()).toMatch(new RegExp(`event Article Updated ${slug} v2`));
  });

  it('a receiver that answers 503 twice still gets each event, once successfully', async () => {
    const slug = `flaky-${randomUUID().slice(0, 8)}`;
    expect((await create({ slug })).response.status).toBe(201);
    await until(() => accepted('/flaky', slug).length === 1, 6_000);
    const all = received.filter((r) => r.path === '/flaky' && r.event.detail.slug === slug);
    expect(all.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(new Set(all.map((r) => r.event.id)).size).toBe(1);
    // The server logs every attempt.
    await until(() => server.child.output().includes(`webhook delivered ${receiverUrl}/flaky`), 2_000);
    expect(server.child.output()).toMatch(new RegExp(`webhook retrying ${refusingUrl}.*ECONNREFUSED`));
  });

  it('a go-live 3 s ahead is announced within 5 s after its instant, never before', async () => {
    const slug = `golive-${randomUUID().slice(0, 8)}`;
    const publishedAt = new Date(Date.now() + 3_000);
    expect((await create({ slug, publishedAt: publishedAt.toISOString() })).response.status).toBe(201);
    await until(() => accepted('/good', slug).length === 1, 3_000);
    expect(accepted('/good', slug)[0]?.event['detail-type']).toBe('Article Scheduled');

    await until(() => accepted('/good', slug).length === 2, 10_000);
    const live = accepted('/good', slug)[1];
    expect(live?.event['detail-type']).toBe('Article Published');
    expect(live?.at ?? 0).toBeGreaterThanOrEqual(publishedAt.getTime());
    expect(live?.at ?? Infinity).toBeLessThanOrEqual(publishedAt.getTime() + 5_000);
    // And the article is visible by then.
    expect((await fetch(`${server.url}/articles/${slug}`)).status).toBe(200);
  });

  it('200 articles scheduled for the same second all go live within 10 s of it, none twice', async () => {
    const prefix = `load-${randomUUID().slice(0, 6)}`;
    const instant = new Date(Math.ceil((Date.now() + 12_000) / 1000) * 1000);
    const slugs = Array.from({ length: 200 }, (_, i) => `${prefix}-${i}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < slugs.length) {
          const slug = slugs[next++] ?? '';
          const { response } = await create({ slug, publishedAt: instant.toISOString() });
          expect(response.status).toBe(201);
        }
      }),
    );
    // Every one was scheduled before its go-live (else the test would prove nothing).
    expect(Date.now()).toBeLessThan(instant.getTime());

    const published = () =>
      received.filter(
        (r) =>
          r.path === '/good' &&
          r.event.detail.slug.startsWith(`${prefix}-`) &&
          r.event['detail-type'] === 'Article Published',
      );
    await until(() => published().length >= 200, instant.getTime() + 10_000 - Date.now());
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = published();
    expect(events).toHaveLength(200);
    expect(new Set(events.map((r) => r.event.detail.slug)).size).toBe(200);
    for (const r of events) {
      expect(r.at).toBeGreaterThanOrEqual(instant.getTime());
      expect(r.at).toBeLessThanOrEqual(instant.getTime() + 10_000);
    }
  }, 60_000);
});

describe('events across a restart, and a bad NEWSDESK_WEBHOOKS', () => {
  it('a go-live scheduled before a restart still goes live after it', { timeout: 120_000 }, async () => {
    const dataDir = tempDataDir();
    const options = {
      dataDir,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: `newsdesk-restart-${randomUUID().slice(0, 8)}`,
      env: { NEWSDESK_WEBHOOKS: `${receiverUrl}/good` },
    };
    let first: StartedServer | undefined = await startServer(options);
    let second: StartedServer | undefined;
    try {
      const slug = `restart-${randomUUID().slice(0, 8)}`;
      const publishedAt = new Date(Date.now() + 12_000);
      const response = await signedFetch(first, `${first.url}/editor/articles`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          slug,
          title: 'Restart',
          body: 'Text.',
          publishedAt: publishedAt.toISOString(),
        }),
      });
      expect(response.status).toBe(201);
      await until(() => accepted('/good', slug).length === 1, 5_000);
      expect((await stopServer(first)).code).toBe(0);
      first = undefined;

      second = await startServer(options);
      expect(second.child.output()).toContain('1 scheduled go-live(s) re-armed from the table');
      expect(Date.now()).toBeLessThan(publishedAt.getTime());
      await until(() => accepted('/good', slug).length === 2, publishedAt.getTime() + 5_000 - Date.now());
      const live = accepted('/good', slug)[1];
      expect(live?.event['detail-type']).toBe('Article Published');
      expect(live?.at ?? 0).toBeGreaterThanOrEqual(publishedAt.getTime());
    } finally {
      await stopServer(first);
      await stopServer(second);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a NEWSDESK_WEBHOOKS entry that is not an http(s) URL, naming it', async () => {
    const dataDir = tempDataDir();
    const child = spawnTsx(
      ['bin/local-server.ts'],
      childEnv({
        PORT: '0',
        NEWSDESK_DATA_DIR: dataDir,
        DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
        NEWSDESK_WEBHOOKS: `${receiverUrl}/good,localhost:8080/hook`,
      }),
    );
    try {
      const exit = await child.exited();
      expect(exit.code).not.toBe(0);
      expect(child.output()).toContain('NEWSDESK_WEBHOOKS: "localhost:8080/hook"');
    } finally {
      await killChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
