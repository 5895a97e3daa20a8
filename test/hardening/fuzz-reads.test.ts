import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Answer } from './checks.ts';
import { createFixture, type Fixture, FUZZ_RUNS, type FuzzRequest, formatStats, fuzzRoute } from './fuzz.ts';
import { requestsFor } from './requests.ts';
import type { RouteKey } from './routes.ts';

/**
 * Hostile input on the read routes, in-process against DynamoDB Local: FUZZ_RUNS
 * generated requests per route (default 1 000). See fuzz.ts for the properties.
 */

const ROUTES: RouteKey[] = [
  'GET /articles',
  'GET /articles/{slug}',
  'GET /editor/articles',
  'GET /editor/articles/{slug}',
];

describe('hostile input on read routes', () => {
  let fixture: Fixture;

  beforeAll(async () => {
    fixture = await createFixture(inject('dynamodbEndpoint'));
  });

  /**
   * Object-level visibility: the public routes show only visible articles (never a
   * draft, a scheduled or a taken-down one), the editor routes never a taken-down one.
   */
  const visibility =
    (route: RouteKey) =>
    (request: FuzzRequest, answer: Answer): string[] => {
      const { published, draft, scheduled, gone } = fixture.slugs;
      const hidden = route.startsWith('GET /articles') ? [draft, scheduled, gone] : [gone];
      if (answer.status !== 200) return [];
      if (route.endsWith('{slug}')) {
        return hidden.includes(request.slug ?? '') ? [`${request.slug} answered ${answer.status}`] : [];
      }
      const { items } = JSON.parse(answer.body) as { items: { slug: string }[] };
      const allowed = route === 'GET /articles' ? published : [...published, draft, scheduled];
      return items.filter((item) => !allowed.includes(item.slug)).map((item) => `list shows ${item.slug}`);
    };

  it.each(ROUTES)(
    '%s: never 5xx, problem+json errors, safe HTML, no write, nothing hidden shown',
    async (route) => {
      const stats = await fuzzRoute(fixture, route, requestsFor(route, fixture), visibility(route));
      if (process.env.NEWSDESK_TEST_VERBOSE) console.log(formatStats(route, stats));
      expect(stats.cases).toBeGreaterThanOrEqual(FUZZ_RUNS);
      // The generator must reach past validation often, and get answers of both kinds.
      const ok = (stats.byStatus[200] ?? 0) + (stats.byStatus[304] ?? 0);
      expect(ok / stats.cases).toBeGreaterThan(0.1);
      expect(stats.reachedDatabase / stats.cases).toBeGreaterThan(0.2);
      expect(stats.byStatus[400] ?? 0).toBeGreaterThan(0);
    },
    300_000,
  );
});
