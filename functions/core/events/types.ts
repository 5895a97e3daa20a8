/**
 * The lifecycle events of the contract (API.md "Events") and the two ports the event code
 * talks through: where events go (EventBridge deployed, webhooks and a log locally) and
 * what schedules a go-live (EventBridge Scheduler deployed, a timer locally). The same
 * derivation and consumer code runs behind either.
 */

export const EVENT_SOURCE = 'newsdesk';

export const DETAIL_TYPES = [
  'Article Published',
  'Article Updated',
  'Article Unpublished',
  'Article Scheduled',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

export type UnpublishReason = 'draft' | 'taken-down' | 'rescheduled';

/** `detail` of every event: no storage keys, the article URL from the site settings. */
export interface ArticleEventDetail {
  /** Stable for the same change (`{slug}:{version}:{detail-type}` hashed): consumers drop duplicates. */
  readonly eventId: string;
  readonly slug: string;
  readonly version: number;
  /** The editor status after the change: draft | scheduled | published (taken-down for a take-down). */
  readonly status: string;
  readonly publishedAt: string | null;
  readonly updatedAt: string;
  readonly url: string;
  /** IAM ARN of the editor who made the change (for a go-live: who scheduled it). */
  readonly by: string;
  readonly reason?: UnpublishReason;
}

export interface ArticleEvent {
  readonly detailType: DetailType;
  readonly detail: ArticleEventDetail;
  /** When the change happened (ISO 8601), the EventBridge event's `time`. */
  readonly time: string;
}

/** Where events go. Must not resolve before every event is accepted (throw to have them retried). */
export interface EventPublisher {
  publish(events: readonly ArticleEvent[]): Promise<void>;
}

/** What a go-live needs to check, when it fires, that the article is still scheduled for it. */
export interface GoLive {
  readonly slug: string;
  readonly version: number;
  /** As stored (any offset); the schedule fires at this instant. */
  readonly publishedAt: string;
}

/** One pending go-live per article: scheduling again replaces it. */
export interface GoLiveScheduler {
  schedule(goLive: GoLive): Promise<void>;
  /** Removes the article's pending go-live, if any (no error when there is none). */
  cancel(slug: string): Promise<void>;
}
