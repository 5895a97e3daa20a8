import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createFixture, type Fixture, FUZZ_RUNS, formatStats, fuzzRoute } from './fuzz.ts';
import { requestsFor } from './requests.ts';
import type { RouteKey } from './routes.ts';

/**
 * Hostile input on the write routes, in-process against DynamoDB Local: FUZZ_RUNS
 * generated requests per route (default 1 000). Every rejected request is checked to
 * leave the table byte-for-byte unchanged (Scan before and after); every accepted one
 * to leave it consistent, and is then undone.
 */

const ROUTES: RouteKey[] = [
  'POST /editor/articles',
  'PUT /editor/articles/{slug}',
  'DELETE /editor/articles/{slug}',
];

describe('hostile input on write routes', () => {
  let fixture: Fixture;

  beforeAll(async () => {
    fixture = await createFixture(inject('dynamodbEndpoint'));
  });

  it.each(ROUTES)(
    '%s: never 5xx, problem+json errors, safe HTML, a rejected request writes nothing',
    async (route) => {
      const stats = await fuzzRoute(fixture, route, requestsFor(route, fixture));
      if (process.env.NEWSDESK_TEST_VERBOSE) console.log(formatStats(route, stats));
      expect(stats.cases).toBeGreaterThanOrEqual(FUZZ_RUNS);
      const ok = Object.entries(stats.byStatus)
        .filter(([status]) => Number(status) < 300)
        .reduce((sum, [, n]) => sum + n, 0);
      expect(ok / stats.cases).toBeGreaterThan(0.05);
      expect(stats.reachedDatabase / stats.cases).toBeGreaterThan(0.1);
      expect(stats.scans).toBeGreaterThanOrEqual(stats.reachedDatabase);
    },
    300_000,
  );
});
