/**
 * `newsdesk events` end to end: the CLI as a child process against the local server (in
 * this process, on the run's DynamoDB Local, a table of its own), reading the local-only
 * events route; and against a deployed (execute-api) URL, where it explains how to subscribe.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { signedFetch } from '../support/sigv4.ts';
import { spawnCli } from './support/run.ts';
import '../setup/provided.ts';

const EDITOR = {
  accessKeyId: 'AKIACLIEVENTSTESTK01',
  secretAccessKey: 'cli-events-secret-0123456789abcdefghij',
};

let server: LocalServer;
let work: string;

const cli = (args: string[]) =>
  spawnCli({ work, url: server.url, region: server.region, editor: EDITOR }, args);

const exited = (child: ReturnType<typeof cli>) =>
  new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function publish(slug: string): Promise<void> {
  const response = await signedFetch(EDITOR, `${server.url}/editor/articles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ slug, title: 'CLI events', body: 'Text.' }),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'newsdesk-cli-events-'));
  server = await startLocalServer({
    port: 0,
    dataDir: path.join(work, 'data'),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `newsdesk-cli-events-${process.pid}-${Date.now()}`,
    editor: EDITOR,
    seed: false,
    readerPort: false,
    webhooks: [],
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('newsdesk events', () => {
  it('--follow prints one line per event as it happens', async () => {
    const child = cli(['events', '--follow']);
    try {
      // Let it reach its long poll, then change something.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await publish('followed-article');
      await until(() => child.out().includes('followed-article'), 10_000);
      const line =
        child
          .out()
          .split('\n')
          .find((l) => l.includes('followed-article')) ?? '';
      expect(line).toMatch(
        /^\d{4}-\d{2}-\d{2}T\S+Z\s+Article Published\s+followed-article\s+v1\s+published$/,
      );
      expect(child.err()).toBe('');
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('without --follow prints the buffered events and exits; --json prints the EventBridge JSON', async () => {
    await publish('buffered-article');
    // The event goes through the stream first: ask until it is there.
    let lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      const child = cli(['events', '--json']);
      expect(await exited(child)).toBe(0);
      lines = child.out().trim().split('\n').filter(Boolean);
      if (lines.some((l) => l.includes('buffered-article'))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const event = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => (e.detail as { slug?: string }).slug === 'buffered-article');
    expect(event).toMatchObject({ version: '0', source: 'newsdesk', 'detail-type': 'Article Published' });
  });

  it('against a deployed API says how to subscribe and exits with 2', async () => {
    const child = cli([
      'events',
      '--follow',
      '--endpoint',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    ]);
    expect(await exited(child)).toBe(2);
    expect(child.err()).toContain('EventBusName');
    expect(child.err()).toContain('webhooks');
    expect(child.out()).toBe('');
  });

  it('the events route is signed like the editor routes', async () => {
    expect((await fetch(`${server.url}/editor/_local/events`)).status).toBe(403);
    const signed = await signedFetch(EDITOR, `${server.url}/editor/_local/events?wait=0`);
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({ events: expect.any(Array) });
  });
});
