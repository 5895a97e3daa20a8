/**
 * HTTP tests against the local server (`bin/local-server.ts` as a child process on a
 * random port, a temporary data dir, the run's DynamoDB Local via DYNAMODB_ENDPOINT and
 * a table of its own). Restart and process-lifecycle tests are in local-lifecycle.test.ts.
 *
 * The contract tests are shared with the deploy rehearsal (support/api-suite.ts); this
 * file adds what only `npm start` does (its ready block, the sample article).
 */
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiContractSuite } from './support/api-suite.ts';
import { problemOf, type StartedServer, signedFetch, startServer, stopServer } from './support/server.ts';

const SEED_SLUG = 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia';

let server: StartedServer;
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  server = await startServer({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: unique('newsdesk-e2e'),
  });
});

afterAll(async () => {
  const stopped = await stopServer(server);
  expect(stopped.code).toBe(0);
  rmSync(server.dataDir, { recursive: true, force: true });
});

describe('start-up', () => {
  it('prints one ready block with the URL, the key id, where the secret is and a curl example', () => {
    const out = server.child.output();
    expect(out.match(/Newsdesk local API ready at/g)).toHaveLength(1);
    expect(out).toContain(`editor key   ${server.credentials.accessKeyId}`);
    expect(out).toContain(join(server.dataDir, 'editor-credentials.json'));
    expect(out).toContain(`curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "$KEY:$SECRET"`);
    expect(out).toContain(`${server.url}/editor/articles`);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.javaPid).toBeUndefined();
  });

  it('keeps the generated editor key pair in the data dir with mode 0600', () => {
    const file = join(server.dataDir, 'editor-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(server.credentials.accessKeyId).toMatch(/^AKIA/);
  });

  it('published the sample article on first start, by the seed identity', async () => {
    const response = await fetch(`${server.url}/articles/${SEED_SLUG}`);
    expect(response.status).toBe(200);
    const article = (await response.json()) as Record<string, unknown>;
    expect(article).toMatchObject({ slug: SEED_SLUG, author: 'Sky News' });
    expect(Date.parse(String(article.publishedAt))).toBe(Date.parse('2024-05-31T06:00:00Z'));
    const editor = await signedFetch(server, `${server.url}/editor/articles/${SEED_SLUG}`);
    expect(await editor.json()).toMatchObject({ createdBy: 'arn:aws:iam::000000000000:user/newsdesk-seed' });
  });
});

describe('what only the local server answers itself', () => {
  // API Gateway checks the signature before any body limit of the handlers applies, so
  // this unsigned-but-oversized case differs when deployed (403): it is local-only.
  it('answers 413 to a chunked body that grows past 256 KiB', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/editor/articles`, {
      method: 'POST',
      headers: {
        ...json,
        authorization: 'AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=00',
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    await problemOf(response);
  });
});

describe('the API contract', () => {
  apiContractSuite(() => server);
});
