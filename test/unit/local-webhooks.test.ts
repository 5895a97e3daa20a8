/**
 * The local webhook deliverer (local/events/webhooks.ts): retries with exponential backoff
 * on 5xx, refused connections and timeouts, none on 4xx, per-article order per receiver,
 * and the NEWSDESK_WEBHOOKS parsing. Fake timers and a stub receiver (an injected fetch).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type DeliverableEvent,
  type DeliveryAttempt,
  parseWebhookUrls,
  RETRY_DELAYS_MS,
  WebhookConfigError,
  WebhookDeliverer,
} from '../../local/events/webhooks.ts';

const URL_A = new URL('http://127.0.0.1:8080/hook');
const URL_B = new URL('https://example.com/b');

const event = (id: string, slug = 'a-slug'): DeliverableEvent => ({
  id,
  'detail-type': 'Article Published',
  detail: { slug },
});

/** A stub receiver: answers each POST with the next scripted outcome (a status, or a thrown error). */
function receiver(script: (url: string, attempt: number, body: DeliverableEvent) => number | Error | 'hang') {
  const calls: { url: string; body: DeliverableEvent; at: number; contentType: string | null }[] = [];
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const body = JSON.parse(String(init?.body)) as DeliverableEvent;
    calls.push({
      url,
      body,
      at: Date.now(),
      contentType: new Headers(init?.headers).get('content-type'),
    });
    const outcome = script(url, calls.filter((c) => c.url === url && c.body.id === body.id).length, body);
    if (outcome === 'hang') {
      return new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    if (outcome instanceof Error) throw outcome;
    return new Response(null, { status: outcome });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const refused = () =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-05-01T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('parseWebhookUrls', () => {
  it('reads comma-separated absolute http(s) URLs, ignoring blanks and duplicates', () => {
    expect(parseWebhookUrls(undefined)).toEqual([]);
    expect(parseWebhookUrls('')).toEqual([]);
    expect(
      parseWebhookUrls(' http://127.0.0.1:8080/hook , https://example.com/b,,http://127.0.0.1:8080/hook').map(
        String,
      ),
    ).toEqual([URL_A.href, URL_B.href]);
  });

  it('names the bad entry', () => {
    expect(() => parseWebhookUrls('http://ok.example/x, /relative')).toThrow(WebhookConfigError);
    expect(() => parseWebhookUrls('http://ok.example/x, /relative')).toThrow(
      /"\/relative" is not an absolute URL/,
    );
    expect(() => parseWebhookUrls('ftp://example.com/x')).toThrow(/"ftp:\/\/example.com\/x" must be an http/);
  });
});

describe('WebhookDeliverer', () => {
  it('POSTs the event JSON to every receiver once when they accept it', async () => {
    const stub = receiver(() => 200);
    const lines: string[] = [];
    const deliverer = new WebhookDeliverer({
      urls: [URL_A, URL_B],
      fetch: stub.fetch,
      log: (l) => lines.push(l),
    });
    deliverer.enqueue(event('e1'));
    await deliverer.idle();
    expect(stub.calls.map((c) => [c.url, c.body.id, c.contentType])).toEqual([
      [URL_A.href, 'e1', 'application/json'],
      [URL_B.href, 'e1', 'application/json'],
    ]);
    expect(lines).toEqual([
      `webhook delivered ${URL_A.href} event e1 (Article Published a-slug) attempt 1: 200`,
      `webhook delivered ${URL_B.href} event e1 (Article Published a-slug) attempt 1: 200`,
    ]);
  });

  it('retries 5xx with exponential backoff until the receiver accepts', async () => {
    const stub = receiver((_url, attempt) => (attempt <= 2 ? 503 : 204));
    const attempts: DeliveryAttempt[] = [];
    const deliverer = new WebhookDeliverer({
      urls: [URL_A],
      fetch: stub.fetch,
      onAttempt: (a) => attempts.push(a),
    });
    const start = Date.now();
    deliverer.enqueue(event('e1'));
    await vi.runAllTimersAsync();
    await deliverer.idle();
    expect(stub.calls.map((c) => c.at - start)).toEqual([0, 500, 1_500]);
    expect(attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 503, 'retrying'],
      [2, 503, 'retrying'],
      [3, 204, 'delivered'],
    ]);
  });

  it('retries refused connections for at least a minute (0.5 s doubling to 32 s), then gives up', async () => {
    const stub = receiver(() => refused());
    const attempts: DeliveryAttempt[] = [];
    const deliverer = new WebhookDeliverer({
      urls: [URL_A],
      fetch: stub.fetch,
      onAttempt: (a) => attempts.push(a),
    });
    const start = Date.now();
    deliverer.enqueue(event('e1'));
    await vi.runAllTimersAsync();
    await deliverer.idle();
    const offsets = stub.calls.map((c) => c.at - start);
    expect(offsets).toEqual([0, 500, 1_500, 3_500, 7_500, 15_500, 31_500, 63_500]);
    expect(offsets.at(-1)).toBeGreaterThanOrEqual(60_000);
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(60_000);
    expect(attempts.at(-1)).toMatchObject({ attempt: 8, outcome: 'failed', error: 'ECONNREFUSED' });
    expect(attempts[0]).toMatchObject({ outcome: 'retrying', error: 'ECONNREFUSED', retryInMs: 500 });
  });

  it('times an attempt out (5 s) and retries it', async () => {
    const stub = receiver((_url, attempt) => (attempt === 1 ? 'hang' : 200));
    const attempts: DeliveryAttempt[] = [];
    const deliverer = new WebhookDeliverer({
      urls: [URL_A],
      fetch: stub.fetch,
      onAttempt: (a) => attempts.push(a),
    });
    const start = Date.now();
    deliverer.enqueue(event('e1'));
    await vi.runAllTimersAsync();
    await deliverer.idle();
    expect(stub.calls.map((c) => c.at - start)).toEqual([0, 5_500]);
    expect(attempts.map((a) => [a.outcome, a.error ?? a.status])).toEqual([
      ['retrying', 'timeout'],
      ['delivered', 200],
    ]);
  });

  it('does not retry a 4xx', async () => {
    const stub = receiver(() => 410);
    const attempts: DeliveryAttempt[] = [];
    const deliverer = new WebhookDeliverer({
      urls: [URL_A],
      fetch: stub.fetch,
      onAttempt: (a) => attempts.push(a),
    });
    deliverer.enqueue(event('e1'));
    await vi.runAllTimersAsync();
    await deliverer.idle();
    expect(stub.calls).toHaveLength(1);
    expect(attempts).toMatchObject([{ attempt: 1, status: 410, outcome: 'failed' }]);
  });

  it("keeps an article's order per receiver while its first event is retried; others are not held up", async () => {
    const stub = receiver((url, attempt, body) =>
      url === URL_A.href && body.id === 'a1' && attempt === 1 ? 500 : 200,
    );
    const deliverer = new WebhookDeliverer({ urls: [URL_A, URL_B], fetch: stub.fetch });
    deliverer.enqueue(event('a1', 'article-a'));
    deliverer.enqueue(event('a2', 'article-a'));
    deliverer.enqueue(event('b1', 'article-b'));
    await vi.runAllTimersAsync();
    await deliverer.idle();
    const toA = stub.calls.filter((c) => c.url === URL_A.href).map((c) => c.body.id);
    // b1 went out at once; a2 waited for a1's successful retry.
    expect(toA).toEqual(['a1', 'b1', 'a1', 'a2']);
    expect(
      stub.calls
        .filter((c) => c.url === URL_B.href)
        .map((c) => c.body.id)
        .sort(),
    ).toEqual(['a1', 'a2', 'b1']);
  });

  it('enqueue never waits for a receiver, and close() abandons pending retries', async () => {
    const stub = receiver(() => 503);
    const attempts: DeliveryAttempt[] = [];
    const deliverer = new WebhookDeliverer({
      urls: [URL_A],
      fetch: stub.fetch,
      onAttempt: (a) => attempts.push(a),
    });
    expect(deliverer.enqueue(event('e1'))).toBeUndefined();
    await vi.advanceTimersByTimeAsync(600);
    await deliverer.close();
    expect(attempts.at(-1)).toMatchObject({ outcome: 'abandoned' });
    const calls = stub.calls.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(stub.calls.length).toBe(calls);
  });
});
