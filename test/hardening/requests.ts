import fc from 'fast-check';
import {
  articleFields,
  badSlug,
  contentType,
  extraHeaders,
  extraQuery,
  hostileText,
  idempotencyKey,
  limitValue,
  notAnObject,
  objectText,
  oddEtag,
  slugAtLimits,
  validSlug,
} from './arbitraries.ts';
import { cursorValue, editorArn, type Fixture, type FuzzRequest } from './fuzz.ts';
import type { RouteKey } from './routes.ts';

/** Request arbitraries for each route, built on a fixture (its slugs, ETags and cursors). */

type Pair = readonly [string, string];

const named = (names: readonly string[], value: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom(...names), value).map(([n, v]): Pair => [n, v]);

const maybe = <T>(arbitrary: fc.Arbitrary<T>, absentWeight = 1, presentWeight = 3) =>
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: absentWeight },
    { arbitrary: arbitrary as fc.Arbitrary<T | undefined>, weight: presentWeight },
  );

/** An ETag value: current, weak, stale, listed with others, or odd. */
export const etagValue = (fixture: Fixture) => {
  const current = fc.constantFrom(...Object.values(fixture.etags));
  return fc.oneof(
    { arbitrary: current, weight: 4 },
    { arbitrary: current.map((e) => `W/${e}`), weight: 1 },
    { arbitrary: current.map((e) => e.slice(1, -1)), weight: 1 },
    { arbitrary: current.map((e) => ` ${e} `), weight: 1 },
    {
      arbitrary: fc.tuple(current, fc.constantFrom(...fixture.staleEtags)).map(([a, b]) => `${b}, ${a}`),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(...fixture.staleEtags), weight: 2 },
    { arbitrary: oddEtag, weight: 2 },
  );
};

/** The path parameter: a known article in any state, an unknown slug, a bad one, or none. */
export const slugParam = (fixture: Fixture) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...fixture.allSlugs), weight: 6 },
    { arbitrary: validSlug, weight: 2 },
    { arbitrary: slugAtLimits, weight: 1 },
    { arbitrary: badSlug, weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );

interface HeaderOptions {
  readonly json?: boolean;
  readonly conditional?: 'If-Match' | 'If-None-Match';
  readonly idempotency?: boolean;
}

const CASES = (name: string) => [name, name.toLowerCase(), name.toUpperCase()];

export const headerList = (fixture: Fixture, options: HeaderOptions) =>
  fc
    .record({
      type: options.json
        ? maybe(named(CASES('Content-Type'), contentType), 1, 12)
        : maybe(named(['Content-Type'], contentType), 4, 1),
      conditional:
        options.conditional === undefined
          ? fc.constant(undefined)
          : maybe(named(CASES(options.conditional), etagValue(fixture)), 1, 3),
      // The same header twice (API Gateway: headers holds the last, multiValueHeaders both).
      repeated:
        options.conditional === undefined
          ? fc.constant(undefined)
          : maybe(named([options.conditional], etagValue(fixture)), 6, 1),
      // Same name, other case, other value.
      clash: maybe(
        fc.constantFrom<Pair>(['content-type', 'text/plain'], ['if-match', '"x"'], ['If-None-Match', '*']),
        8,
        1,
      ),
      idempotency: options.idempotency
        ? maybe(named(CASES('Idempotency-Key'), idempotencyKey), 2, 1)
        : fc.constant(undefined),
      extra: extraHeaders,
    })
    .map(({ type, conditional, repeated, clash, idempotency, extra }) =>
      [type, conditional, repeated, clash, idempotency, ...extra].filter((h): h is Pair => h !== undefined),
    );

/** A body where none is expected: mostly none, sometimes text, sometimes too large. */
const strayBody = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant(null), weight: 12 },
  { arbitrary: fc.constantFrom('', '{}', 'null', '{"title":"x"}'), weight: 1 },
  { arbitrary: fc.constant('x'.repeat(256 * 1024 + 1)), weight: 1 },
);

/** Raw bytes sent base64-encoded (binary media types): valid UTF-8 JSON or broken UTF-8. */
const binaryBody = fc.oneof(
  fc.constant(Buffer.from('{"title":"t","body":"b"}')),
  fc.constant(
    Buffer.from([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  ),
  fc.constant(Buffer.from([0xed, 0xa0, 0x80])), // a UTF-16 surrogate encoded as UTF-8 (CESU)
  fc.constant(Buffer.from([0xc0, 0xaf])), // overlong "/"
  fc.constant(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), // BOM + {}
  fc.uint8Array({ maxLength: 40 }),
  fc.constant(Buffer.alloc(256 * 1024 + 1, 0x20)),
);

export const jsonBody = (fixture: Fixture, withSlug: boolean) =>
  fc.oneof(
    { arbitrary: objectText(articleFields({ withSlug, slugs: fixture.allSlugs })), weight: 12 },
    { arbitrary: notAnObject, weight: 3 },
    { arbitrary: fc.constant(null), weight: 1 },
  );

const common = {
  editor: editorArn,
  nullHeaders: fc.oneof(
    { arbitrary: fc.constant(false), weight: 30 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
};

const listQuery = (fixture: Fixture, filter: 'tag' | 'status') =>
  fc
    .record({
      limit: maybe(
        fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 100 }).map(String), weight: 4 },
          { arbitrary: limitValue, weight: 1 },
        ),
      ),
      cursor: maybe(cursorValue(fixture), 3, 2),
      filter: maybe(
        filter === 'tag'
          ? fc.oneof(
              { arbitrary: fc.constantFrom('news', 'world', 'nothing-here'), weight: 4 },
              { arbitrary: badSlug, weight: 1 },
              { arbitrary: fc.constantFrom(40, 41).map((n) => 't'.repeat(n)), weight: 1 },
            )
          : fc.oneof(
              { arbitrary: fc.constantFrom('draft', 'scheduled', 'published'), weight: 4 },
              { arbitrary: fc.constantFrom('Draft', '', 'all', 'deleted'), weight: 1 },
              { arbitrary: hostileText, weight: 1 },
            ),
        1,
        1,
      ),
      other: maybe(fc.constantFrom<Pair>(['status', 'draft'], ['tag', 'news'], ['page', '5']), 6, 1),
      repeat: maybe(fc.constantFrom('limit', 'cursor', filter), 12, 1),
      extra: extraQuery,
    })
    .map(({ limit, cursor, filter: value, other, repeat, extra }) => {
      const pairs: Pair[] = [];
      if (limit !== undefined) pairs.push(['limit', limit]);
      if (cursor !== undefined) pairs.push(['cursor', cursor]);
      if (value !== undefined) pairs.push([filter, value]);
      if (other !== undefined) pairs.push(other);
      if (repeat !== undefined) pairs.push([repeat, repeat === 'limit' ? '7' : 'news']);
      pairs.push(...extra);
      return pairs;
    });

export function requestsFor(route: RouteKey, fixture: Fixture): fc.Arbitrary<FuzzRequest> {
  switch (route) {
    case 'GET /articles':
    case 'GET /editor/articles':
      return fc.record({
        route: fc.constant(route),
        headers: headerList(fixture, {
          conditional: route === 'GET /articles' ? 'If-None-Match' : undefined,
        }),
        query: listQuery(fixture, route === 'GET /articles' ? 'tag' : 'status'),
        body: strayBody,
        ...common,
      });
    case 'GET /articles/{slug}':
    case 'GET /editor/articles/{slug}':
      return fc.record({
        route: fc.constant(route),
        slug: slugParam(fixture),
        headers: headerList(fixture, {
          conditional: route === 'GET /articles/{slug}' ? 'If-None-Match' : undefined,
        }),
        query: extraQuery,
        body: strayBody,
        ...common,
      });
    case 'POST /editor/articles':
      return fc.record({
        route: fc.constant(route),
        headers: headerList(fixture, { json: true, idempotency: true }),
        query: extraQuery,
        body: jsonBody(fixture, true),
        base64: maybe(binaryBody, 20, 1),
        ...common,
      });
    case 'PUT /editor/articles/{slug}':
      return withCurrentEtag(
        fixture,
        fc.record({
          route: fc.constant(route),
          slug: slugParam(fixture),
          headers: headerList(fixture, { json: true, conditional: 'If-Match' }),
          query: extraQuery,
          body: jsonBody(fixture, false),
          base64: maybe(binaryBody, 20, 1),
          ...common,
        }),
      );
    case 'DELETE /editor/articles/{slug}':
      return withCurrentEtag(
        fixture,
        fc.record({
          route: fc.constant(route),
          slug: slugParam(fixture),
          headers: headerList(fixture, { conditional: 'If-Match' }),
          query: extraQuery,
          body: strayBody,
          ...common,
        }),
      );
  }
}

/**
 * Half of the time, the request targets a live article with its current ETag in If-Match
 * (the only way past the precondition), so writes get through often enough.
 */
function withCurrentEtag(fixture: Fixture, requests: fc.Arbitrary<FuzzRequest>): fc.Arbitrary<FuzzRequest> {
  const live = Object.keys(fixture.etags);
  return fc
    .tuple(requests, fc.option(fc.constantFrom(...live), { nil: undefined, freq: 2 }))
    .map(([request, slug]) => {
      if (slug === undefined) return request;
      const headers = request.headers.filter(([name]) => name.toLowerCase() !== 'if-match');
      return { ...request, slug, headers: [...headers, ['If-Match', fixture.etags[slug] ?? ''] as const] };
    });
}
