import { beforeAll, describe, expect, inject, it } from 'vitest';
import { renderMarkdown } from '../../functions/core/markdown.ts';
import { localService } from '../support/dynamodb.ts';
import { createEvent, replaceEvent } from '../support/events.ts';
import { answerViolations } from './checks.ts';
import { bodiesByVersion, checkConsistency } from './invariants.ts';
import { call, type Handler, handlersFor } from './routes.ts';
import { rawClient, scanAll } from './table.ts';

/**
 * Directed cases at the far edges of the contract, found while fuzzing: requests the
 * contract accepts whose stored form is largest (rendered HTML expands, content past an
 * item's size goes into slices, each revision keeps its own). Each is accepted and stored
 * whole. (A large idempotent replay is in idempotency.test.ts.)
 */

/**
 * A body of a few KB whose HTML is just under the 1 MiB render limit and whose HTML,
 * JSON-escaped for storage, is about twice that: one reference link whose title is
 * backslashes, used over and over.
 */
async function expandingBody(): Promise<string> {
  const body = (uses: number) => `[r]: /u "${'\\\\'.repeat(3_000)}"\n\n${'[r] '.repeat(uses)}`;
  const fits = (uses: number) =>
    renderMarkdown(body(uses)).then(
      () => true,
      () => false,
    );
  let uses = 1;
  for (let step = 512; step >= 1; step /= 2) while (await fits(uses + step)) uses += step;
  return body(uses);
}

let create: Handler;
let update: Handler;
let tableName: string;
const raw = () => rawClient(inject('dynamodbEndpoint'));

beforeAll(async () => {
  const env = await localService();
  tableName = env.tableName;
  const handlers = handlersFor(env.service);
  create = handlers['POST /editor/articles'];
  update = handlers['PUT /editor/articles/{slug}'];
});

describe('largest stored forms', () => {
  it('an article of 100 000 quotes (600 KB of HTML) is created, updated and updated again', async () => {
    const created = await call(
      create,
      createEvent({ slug: 'quotes', title: 'Quotes', body: '"'.repeat(100_000) }),
    );
    expect(created.status, created.body.slice(0, 300)).toBe(201);
    let etag = created.headers.etag ?? '';
    for (const round of [1, 2]) {
      const updated = await call(
        update,
        replaceEvent('quotes', etag, { title: `Quotes ${round}`, body: `${'"'.repeat(99_999)}${round}` }),
      );
      expect(updated.status, updated.body.slice(0, 300)).toBe(200);
      etag = updated.headers.etag ?? '';
    }
    expect(checkConsistency(await scanAll(raw(), tableName)).violations).toEqual([]);
  });

  it('a 7 KB body that renders to 1 MiB of HTML (2 MB stored) is created, then updated with the same kind of body', async () => {
    const body = await expandingBody();
    expect(body.length).toBeLessThan(16_000);
    const created = await call(create, createEvent({ slug: 'expands', title: 'Expands', body }));
    expect(answerViolations('POST /editor/articles', created)).toEqual([]);
    expect(created.status, created.body.slice(0, 300)).toBe(201);
    const updated = await call(
      update,
      replaceEvent('expands', created.headers.etag ?? '', { title: 'Expands again', body: `${body} ` }),
    );
    expect(answerViolations('PUT /editor/articles/{slug}', updated), updated.body.slice(0, 300)).toEqual([]);
    expect(updated.status, updated.body.slice(0, 300)).toBe(200);
    const items = await scanAll(raw(), tableName);
    expect(checkConsistency(items).violations).toEqual([]);
    // Both versions kept whole: the current one and its revision, and version 1's revision.
    expect(bodiesByVersion(items, 'expands')).toEqual(
      new Map([
        [1, body],
        [2, `${body} `],
      ]),
    );
  });
});
