/**
 * The local stand-in for EventBridge Scheduler (GoLiveScheduler): one timer per article,
 * firing at its publishedAt (never before), replaced when the article is scheduled again
 * and cleared when it is cancelled. When it fires it runs the go-live handler, which
 * checks the article is still scheduled for that version and instant and announces it.
 *
 * Timers live in memory: on start, the server rebuilds them from the scheduled articles
 * in the table (rebuildGoLives), so a restart loses no go-live still ahead.
 */

import type { GoLive, GoLiveScheduler } from '../../functions/core/events/types.ts';
import type { ArticleStore } from '../../functions/core/store/port.ts';

/** setTimeout's longest delay (2^31 − 1 ms, about 24.8 days); longer waits are re-armed. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface GoLiveTimerOptions {
  /** The go-live handler (makeGoLiveHandler). A failure is logged and retried with backoff. */
  readonly fire: (goLive: GoLive) => Promise<void>;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  /** Waits before retrying a failed go-live (the last one repeats up to maxAttempts). */
  readonly retryDelaysMs?: readonly number[];
  readonly maxAttempts?: number;
}

interface Pending {
  readonly goLive: GoLive;
  readonly at: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class GoLiveTimer implements GoLiveScheduler {
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Set<Promise<void>>();
  private readonly fire: (goLive: GoLive) => Promise<void>;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly retryDelaysMs: readonly number[];
  private readonly maxAttempts: number;
  private closed = false;

  constructor(options: GoLiveTimerOptions) {
    this.fire = options.fire;
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 2_000, 5_000, 10_000];
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  async schedule(goLive: GoLive): Promise<void> {
    const at = Date.parse(goLive.publishedAt);
    if (Number.isNaN(at))
      throw new Error(`go-live of ${goLive.slug}: publishedAt "${goLive.publishedAt}" is not a time`);
    this.clear(goLive.slug);
    if (this.closed) return;
    const entry: Pending = { goLive, at, timer: undefined };
    this.pending.set(goLive.slug, entry);
    this.arm(entry);
  }

  async cancel(slug: string): Promise<void> {
    this.clear(slug);
  }

  /** The pending go-lives (slug → instant), for the log and tests. */
  scheduled(): ReadonlyMap<string, GoLive> {
    return new Map([...this.pending].map(([slug, entry]) => [slug, entry.goLive]));
  }

  /** Clears every timer and waits for go-lives under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slug of [...this.pending.keys()]) this.clear(slug);
    await Promise.allSettled([...this.running]);
  }

  private clear(slug: string): void {
    const entry = this.pending.get(slug);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(slug);
  }

  /** Sets the entry's timer for its instant, or for MAX_TIMER_MS when that is further away. */
  private arm(entry: Pending): void {
    const delay = entry.at - this.now();
    entry.timer = setTimeout(() => this.due(entry), Math.max(0, Math.min(delay, MAX_TIMER_MS)));
    // A pending go-live alone does not keep the process alive (the server does).
    entry.timer.unref?.();
  }

  private due(entry: Pending): void {
    if (this.pending.get(entry.goLive.slug) !== entry) return; // replaced or cancelled meanwhile
    // Never before the instant: a long wait is re-armed, and timers may fire a millisecond early.
    if (this.now() < entry.at) {
      this.arm(entry);
      return;
    }
    this.pending.delete(entry.goLive.slug);
    const run = this.run(entry.goLive).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Runs the go-live handler, retrying a failure (e.g. DynamoDB unreachable) with backoff. */
  private async run(goLive: GoLive): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.fire(goLive);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const delay = this.retryDelaysMs[Math.min(attempt - 1, this.retryDelaysMs.length - 1)] ?? 1_000;
        if (attempt >= this.maxAttempts || this.closed) {
          this.log(`go-live ${goLive.slug} v${goLive.version} failed after ${attempt} attempts: ${message}`);
          return;
        }
        this.log(
          `go-live ${goLive.slug} v${goLive.version} failed (attempt ${attempt}): ${message}; retry in ${delay / 1000} s`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay).unref?.());
        // Scheduled again meanwhile (a newer version): that schedule takes over.
        if (this.pending.has(goLive.slug)) return;
      }
    }
  }
}

/**
 * Schedules a go-live for every article the table holds as scheduled (published with a
 * future publishedAt), page by page through the store's editor list. Returns how many.
 */
export async function rebuildGoLives(
  store: Pick<ArticleStore, 'list'>,
  scheduler: GoLiveScheduler,
  now: Date = new Date(),
): Promise<number> {
  let count = 0;
  let startKey: Awaited<ReturnType<ArticleStore['list']>>['lastKey'];
  do {
    const page = await store.list({
      query: { kind: 'editor', status: 'scheduled' },
      now,
      limit: 100,
      startKey,
    });
    for (const article of page.items) {
      if (article.publishedAt === null) continue;
      await scheduler.schedule({
        slug: article.slug,
        version: article.version,
        publishedAt: article.publishedAt,
      });
      count++;
    }
    startKey = page.lastKey;
  } while (startKey !== undefined);
  return count;
}
