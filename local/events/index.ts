/**
 * The local event pipeline of `npm start` (API.md "Events", "Locally"; DESIGN.md "Events,
 * go-live and the edge"): the table's change stream on DynamoDB Local → the same stream
 * consumer Lambda runs → a publisher that logs, buffers for followers and POSTs to the
 * NEWSDESK_WEBHOOKS receivers; go-lives by an in-memory timer running the same go-live
 * handler, rebuilt from the table at start.
 */
import { makeStreamHandler } from '../../functions/core/events/consumer.ts';
import { makeGoLiveHandler } from '../../functions/core/events/go-live.ts';
import type { SiteSettings } from '../../functions/core/site.ts';
import type { ArticleStore } from '../../functions/core/store/port.ts';
import { GoLiveTimer, rebuildGoLives } from './go-live-timer.ts';
import { LocalEventPublisher } from './publisher.ts';
import { StreamReader } from './stream-reader.ts';
import { WebhookDeliverer } from './webhooks.ts';

export { parseWebhookUrls, WebhookConfigError } from './webhooks.ts';

export interface LocalEventsOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly tableName: string;
  readonly site: SiteSettings;
  /** The store the go-live handler reads (and the rebuild lists) — the handlers' own. */
  readonly store: Pick<ArticleStore, 'get' | 'list'>;
  /** The receivers (parseWebhookUrls(NEWSDESK_WEBHOOKS)). */
  readonly webhooks: readonly URL[];
  readonly log?: (line: string) => void;
}

export interface LocalEvents {
  readonly publisher: LocalEventPublisher;
  readonly timer: GoLiveTimer;
  readonly webhooks: readonly URL[];
  /** How many go-lives were rebuilt from the table at start. */
  readonly rebuilt: number;
  /** Stops reading the stream, clears the timers, abandons pending webhook retries. */
  close(): Promise<void>;
}

export async function startLocalEvents(options: LocalEventsOptions): Promise<LocalEvents> {
  const log = options.log ?? (() => {});
  const deliverer = new WebhookDeliverer({ urls: options.webhooks, log });
  const publisher = new LocalEventPublisher({
    region: options.region,
    log,
    deliver: (event) => deliverer.enqueue(event),
  });
  const goLive = makeGoLiveHandler({ store: options.store, publisher, site: options.site });
  const timer = new GoLiveTimer({ fire: goLive, log });
  const reader = new StreamReader({
    endpoint: options.endpoint,
    region: options.region,
    tableName: options.tableName,
    handler: makeStreamHandler({ publisher, scheduler: timer, site: options.site }),
    log,
  });
  try {
    await reader.start();
    const rebuilt = await rebuildGoLives(options.store, timer);
    return {
      publisher,
      timer,
      webhooks: options.webhooks,
      rebuilt,
      close: async () => {
        await reader.close();
        await timer.close();
        await deliverer.close();
      },
    };
  } catch (error) {
    await reader.close();
    await timer.close();
    await deliverer.close();
    throw error;
  }
}
