/**
 * The local EventPublisher: where the consumer's and the go-live's events go when the API
 * runs on this machine. Each ArticleEvent becomes the event EventBridge would carry
 * (version, id, detail-type, source, account, time, region, resources, detail), is logged
 * on one line, kept in a bounded buffer for followers (GET /editor/_local/events, the
 * CLI's `newsdesk events --follow`) and handed to the webhook deliverer.
 */
import { randomUUID } from 'node:crypto';
import type { ArticleEvent, ArticleEventDetail, EventPublisher } from '../../functions/core/events/types.ts';
import { EVENT_SOURCE } from '../../functions/core/events/types.ts';

/** The account id local events carry (no AWS account is involved). */
export const LOCAL_ACCOUNT = '000000000000';
/** How many events followers can catch up on. */
export const DEFAULT_BUFFER_SIZE = 1_000;

/** An event as EventBridge delivers it to rules and API destinations. */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: ArticleEventDetail;
}

export interface LocalEventPublisherOptions {
  readonly region: string;
  /** Each event, as published (the webhook deliverer's enqueue). */
  readonly deliver?: (event: EventBridgeEvent) => void;
  readonly log?: (line: string) => void;
  readonly bufferSize?: number;
}

/** What a follower asked for: the buffered events after `after` (all buffered when unknown or absent). */
export interface EventsPage {
  readonly events: readonly EventBridgeEvent[];
  /** The id of the newest buffered event (to pass as `after` next), or null when none. */
  readonly last: string | null;
}

export class LocalEventPublisher implements EventPublisher {
  private readonly buffer: EventBridgeEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly region: string;
  private readonly deliver: ((event: EventBridgeEvent) => void) | undefined;
  private readonly log: (line: string) => void;
  private readonly bufferSize: number;

  constructor(options: LocalEventPublisherOptions) {
    this.region = options.region;
    this.deliver = options.deliver;
    this.log = options.log ?? (() => {});
    this.bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  }

  /** Accepts the events (buffer, log, webhook queues); never waits for a receiver. */
  async publish(events: readonly ArticleEvent[]): Promise<void> {
    for (const event of events) {
      const envelope: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': event.detailType,
        source: EVENT_SOURCE,
        account: LOCAL_ACCOUNT,
        time: event.time,
        region: this.region,
        resources: [],
        detail: event.detail,
      };
      this.buffer.push(envelope);
      if (this.buffer.length > this.bufferSize) this.buffer.splice(0, this.buffer.length - this.bufferSize);
      this.log(`event ${describeEvent(envelope)} id ${envelope.id}`);
      this.deliver?.(envelope);
    }
    if (events.length > 0) {
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    }
  }

  /** The buffered events after the one with id `after` (all buffered when absent or no longer buffered). */
  since(after: string | undefined): EventsPage {
    const index = after === undefined ? -1 : this.buffer.findIndex((event) => event.id === after);
    const events = this.buffer.slice(index + 1);
    return { events, last: this.buffer.at(-1)?.id ?? null };
  }

  /**
   * Like since(), but when nothing newer is buffered waits up to `waitMs` for the next event
   * (long polling), or until `signal` aborts (the follower went away, the server closes).
   */
  async wait(after: string | undefined, waitMs: number, signal?: AbortSignal): Promise<EventsPage> {
    const now = this.since(after);
    if (now.events.length > 0 || waitMs <= 0 || signal?.aborted === true) return now;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
    return this.since(after ?? now.last ?? undefined);
  }
}

/** `Article Published my-slug v3 (published, reason …)`: the log line's and the CLI's words. */
export function describeEvent(event: Pick<EventBridgeEvent, 'detail-type' | 'detail'>): string {
  const { detail } = event;
  const reason = detail.reason === undefined ? '' : ` reason ${detail.reason}`;
  return `${event['detail-type']} ${detail.slug} v${detail.version} (${detail.status})${reason}`;
}
