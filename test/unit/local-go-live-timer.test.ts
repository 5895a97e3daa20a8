/**
 * The local go-live timer (local/events/go-live-timer.ts): fires at publishedAt and never
 * before, is replaced by a new schedule and cleared by a cancel, re-arms waits longer than
 * setTimeout allows, retries a failing go-live, and is rebuilt from the scheduled list.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ArticleSummary } from '../../functions/core/article-model.ts';
import type { GoLive } from '../../functions/core/events/types.ts';
import type { ListRequest } from '../../functions/core/store/port.ts';
import { GoLiveTimer, MAX_TIMER_MS, rebuildGoLives } from '../../local/events/go-live-timer.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function recorder() {
  const fired: { goLive: GoLive; at: number }[] = [];
  return { fired, fire: async (goLive: GoLive) => void fired.push({ goLive, at: Date.now() }) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('GoLiveTimer', () => {
  it('fires at publishedAt, not before', async () => {
    const { fired, fire } = recorder();
    const timer = new GoLiveTimer({ fire });
    await timer.schedule({ slug: 'a', version: 2, publishedAt: at(3_000) });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([{ goLive: { slug: 'a', version: 2, publishedAt: at(3_000) }, at: T0 + 3_000 }]);
    expect(timer.scheduled().size).toBe(0);
  });

  it('accepts any offset in publishedAt', async () => {
    const { fired, fire } = recorder();
    const timer = new GoLiveTimer({ fire });
    await timer.schedule({ slug: 'a', version: 1, publishedAt: '2026-05-01T12:00:05+02:00' });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(fired).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveLength(1);
  });

  it('fires at once for an instant already past', async () => {
    const { fired, fire } = recorder();
    const timer = new GoLiveTimer({ fire });
    await timer.schedule({ slug: 'a', version: 1, publishedAt: at(-5_000) });
    await vi.advanceTimersByTimeAsync(0);
    expect(fired).toHaveLength(1);
  });

  it('a new schedule replaces the pending one; cancel clears it', async () => {
    const { fired, fire } = recorder();
    const timer = new GoLiveTimer({ fire });
    await timer.schedule({ slug: 'a', version: 1, publishedAt: at(1_000) });
    await timer.schedule({ slug: 'a', version: 2, publishedAt: at(5_000) });
    await timer.schedule({ slug: 'b', version: 1, publishedAt: at(2_000) });
    await timer.cancel('b');
    await timer.cancel('never-scheduled');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired).toEqual([{ goLive: { slug: 'a', version: 2, publishedAt: at(5_000) }, at: T0 + 5_000 }]);
  });

  it('re-arms a wait longer than setTimeout can hold (2^31 ms)', async () => {
    const { fired, fire } = recorder();
    const timer = new GoLiveTimer({ fire });
    const far = MAX_TIMER_MS * 2 + 10_000; // about 50 days
    await timer.schedule({ slug: 'far', version: 1, publishedAt: at(far) });
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
    expect(fired).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(far - MAX_TIMER_MS - 2);
    expect(fired).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([{ goLive: expect.objectContaining({ slug: 'far' }), at: T0 + far }]);
  });

  it('never fires early even when the clock lags the timer', async () => {
    const { fired, fire } = recorder();
    // The timer's clock reads 1 ms behind: the first firing is re-armed.
    const timer = new GoLiveTimer({ fire, now: () => Date.now() - 1 });
    await timer.schedule({ slug: 'a', version: 1, publishedAt: at(1_000) });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveLength(1);
  });

  it('retries a failing go-live with backoff, and logs it', async () => {
    const lines: string[] = [];
    let calls = 0;
    const timer = new GoLiveTimer({
      fire: async () => {
        calls++;
        if (calls < 3) throw new Error('DynamoDB unreachable');
      },
      log: (line) => lines.push(line),
      retryDelaysMs: [100, 200],
    });
    await timer.schedule({ slug: 'a', version: 1, publishedAt: at(0) });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(3);
    expect(lines).toEqual([
      'go-live a v1 failed (attempt 1): DynamoDB unreachable; retry in 0.1 s',
      'go-live a v1 failed (attempt 2): DynamoDB unreachable; retry in 0.2 s',
    ]);
  });

  it('close() clears every pending go-live', async () => {
    const { fired, fire } = recorder();
    const timer = new GoLiveTimer({ fire });
    await timer.schedule({ slug: 'a', version: 1, publishedAt: at(1_000) });
    await timer.close();
    await timer.schedule({ slug: 'b', version: 1, publishedAt: at(1_000) });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toEqual([]);
  });

  it('rejects a publishedAt that is not a time', async () => {
    const timer = new GoLiveTimer({ fire: async () => {} });
    await expect(timer.schedule({ slug: 'a', version: 1, publishedAt: 'soon' })).rejects.toThrow(
      /not a time/,
    );
  });
});

describe('rebuildGoLives', () => {
  it('schedules every scheduled article of the editor list, page by page', async () => {
    const summary = (slug: string, publishedAt: string, version: number) =>
      ({ slug, publishedAt, version }) as unknown as ArticleSummary;
    const requests: ListRequest[] = [];
    const store = {
      list: async (request: ListRequest) => {
        requests.push(request);
        return request.startKey === undefined
          ? { items: [summary('a', at(1_000), 3)], lastKey: { pk: 'x' } }
          : { items: [summary('b', at(2_000), 1)], lastKey: undefined };
      },
    };
    const { fired, fire } = recorder();
    const timer = new GoLiveTimer({ fire });
    expect(await rebuildGoLives(store, timer, new Date(T0))).toBe(2);
    expect(requests.map((r) => r.query)).toEqual([
      { kind: 'editor', status: 'scheduled' },
      { kind: 'editor', status: 'scheduled' },
    ]);
    expect([...timer.scheduled().values()]).toEqual([
      { slug: 'a', version: 3, publishedAt: at(1_000) },
      { slug: 'b', version: 1, publishedAt: at(2_000) },
    ]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fired.map((f) => f.goLive.slug)).toEqual(['a', 'b']);
  });
});
