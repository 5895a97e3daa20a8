/**
 * The publish flow against a scripted fake API: the cases the local server cannot
 * easily produce (a concurrent edit, a lost response, an unreachable endpoint).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiResponse, RequestOptions } from '../../cli/client.ts';
import { NetworkError } from '../../cli/client.ts';
import { type Outcome, publishFiles } from '../../cli/publish.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'newsdesk-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, title: string, body = 'Body.'): string {
  const full = path.join(dir, name);
  writeFileSync(full, `---\ntitle: ${title}\ntags: [one]\n---\n\n${body}\n`);
  return full;
}

const stored = (slug: string, title: string, body = 'Body.') => ({
  slug,
  title,
  summary: null,
  body,
  bodyHtml: '',
  author: null,
  tags: ['one'],
  status: 'published',
  publishedAt: '2024-01-01T00:00:00Z',
  version: 1,
});

const response = (status: number, json?: unknown, extra: Partial<ApiResponse> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json', etag: '"v1"' },
  text: JSON.stringify(json ?? {}),
  json,
  attempts: 1,
  maybeAppliedBefore: false,
  ...extra,
});

interface Call {
  method: string;
  path: string;
  options: RequestOptions;
}

function fakeClient(script: (call: Call, calls: Call[]) => ApiResponse | Promise<ApiResponse>): {
  client: ApiClient;
  calls: Call[];
} {
  const calls: Call[] = [];
  return {
    calls,
    client: {
      async send(method, apiPath, options = {}) {
        const call = { method, path: apiPath, options };
        calls.push(call);
        return script(call, calls);
      },
      context: (request, slug) => ({
        request,
        endpoint: 'http://127.0.0.1:3000',
        region: 'us-east-1',
        service: 'execute-api',
        accessKeyId: 'AKIATESTTESTTEST',
        slug,
      }),
    },
  };
}

async function publish(files: string[], client: ApiClient, dryRun = false) {
  const outcomes: Outcome[] = [];
  const summary = await publishFiles({
    files,
    client,
    dryRun,
    reporter: { start() {}, result: (outcome) => outcomes.push(outcome), finish() {} },
  });
  return { summary, outcomes };
}

describe('publish flow', () => {
  it('creates with an Idempotency-Key and the full body', async () => {
    const { client, calls } = fakeClient((call) =>
      call.method === 'GET' ? response(404, { detail: 'no' }) : response(201, stored('hello', 'Hello')),
    );
    const { summary } = await publish([file('hello.md', 'Hello')], client);
    expect(summary).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 0 });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /editor/articles/hello',
      'POST /editor/articles',
    ]);
    expect(calls[1]?.options.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls[1]?.options.body).toEqual({
      slug: 'hello',
      title: 'Hello',
      summary: null,
      body: 'Body.',
      author: null,
      tags: ['one'],
      status: 'published',
    });
  });

  it('replaces with If-Match set to the ETag just read', async () => {
    const { client, calls } = fakeClient((call) =>
      call.method === 'GET'
        ? response(200, stored('hello', 'Old title'), { headers: { etag: '"etag-7"' } })
        : response(200, stored('hello', 'Hello')),
    );
    const { summary, outcomes } = await publish([file('hello.md', 'Hello')], client);
    expect(summary.updated).toBe(1);
    expect(outcomes[0]?.changed).toEqual(['title']);
    expect(calls[1]).toMatchObject({
      method: 'PUT',
      path: '/editor/articles/hello',
      options: { ifMatch: '"etag-7"' },
    });
  });

  it('says someone else changed the article on 412', async () => {
    const { client } = fakeClient((call) =>
      call.method === 'GET'
        ? response(200, stored('hello', 'Old title'))
        : response(412, { title: 'Precondition Failed', detail: 'The article changed since it was read.' }),
    );
    const { summary, outcomes } = await publish([file('hello.md', 'Hello')], client);
    expect(summary.failed).toBe(1);
    expect(outcomes[0]?.errors?.[0]).toMatch(/someone else changed "hello" after it was read \(412/);
    expect(outcomes[0]?.errors?.[1]).toBe('  The article changed since it was read.');
  });

  it('counts a 412 after a retried PUT as updated when the article now matches the file', async () => {
    const { client } = fakeClient((call, calls) => {
      if (call.method === 'PUT') return response(412, {}, { maybeAppliedBefore: true });
      return calls.length === 1
        ? response(200, stored('hello', 'Old'))
        : response(200, stored('hello', 'Hello'));
    });
    const { summary } = await publish([file('hello.md', 'Hello')], client);
    expect(summary.updated).toBe(1);
  });

  it("maps the API's field errors to lines of the file", async () => {
    const { client } = fakeClient((call) =>
      call.method === 'GET'
        ? response(404)
        : response(400, {
            detail: 'The request body does not follow the article rules.',
            errors: [{ path: 'tags.0', message: 'is not allowed here' }],
          }),
    );
    const name = file('bad.md', 'Bad');
    const { outcomes } = await publish([name], client);
    expect(outcomes[0]?.errors).toEqual([
      'POST /editor/articles (bad): the API rejected the request (400 Bad Request)',
      '  The request body does not follow the article rules.',
      `  ${name}:3: tags.0: is not allowed here`,
    ]);
  });

  it('fails both files that claim one slug, without sending anything for them', async () => {
    const { client, calls } = fakeClient(() => response(404));
    const { summary, outcomes } = await publish([file('a.md', 'Same'), file('b.md', 'Same')], client);
    expect(summary.failed).toBe(2);
    expect(calls).toEqual([]);
    expect(outcomes[0]?.errors?.[0]).toMatch(/a\.md:2: slug: "same" is also the slug of .*b\.md/);
  });

  it('does not attempt the other files once the endpoint is unreachable', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { client, calls } = fakeClient((call) => {
      throw new NetworkError(refused, { ...client.context(`GET ${call.path}`), slug: undefined });
    });
    const files = Array.from({ length: 6 }, (_, i) => file(`u${i}.md`, `Unreachable ${i}`));
    const { summary, outcomes } = await publish(files, client);
    expect(summary.failed).toBe(6);
    // The first wave of workers (4) tried; the rest were not attempted.
    expect(calls.length).toBeLessThanOrEqual(4);
    expect(outcomes.some((o) => o.errors?.[0]?.includes('Is the local server running'))).toBe(true);
    expect(outcomes.filter((o) => o.errors?.[0]?.startsWith('not attempted'))).toHaveLength(2);
  });

  it('only reads in a dry run', async () => {
    const { client, calls } = fakeClient((call) =>
      call.path.endsWith('/new') ? response(404) : response(200, stored('old', 'Old', 'Other body.')),
    );
    const { summary, outcomes } = await publish([file('new.md', 'New'), file('old.md', 'Old')], client, true);
    expect(summary).toEqual({ created: 1, updated: 1, unchanged: 0, failed: 0 });
    expect(outcomes.every((o) => o.dryRun)).toBe(true);
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });
});
