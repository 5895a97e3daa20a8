/**
 * The go-live: fired once at a scheduled article's publishedAt (EventBridge Scheduler
 * deployed, a timer locally), it announces `Article Published` if the article is still
 * exactly what was scheduled — live, status published, the same publishedAt instant, the same
 * version — and does nothing otherwise (it was rescheduled, edited, set to draft or taken
 * down since; that change scheduled or cancelled its own go-live).
 *
 * The head is read consistently, so a change committed before the go-live fired is seen.
 */
import { logger } from '../logger.ts';
import { articleUrl, type SiteSettings } from '../site.ts';
import type { ArticleStore } from '../store/port.ts';
import { eventId } from './derive.ts';
import type { ArticleEvent, EventPublisher, GoLive } from './types.ts';

export interface GoLiveDeps {
  readonly store: Pick<ArticleStore, 'get'>;
  readonly publisher: EventPublisher;
  readonly site: Pick<SiteSettings, 'articleUrl'>;
  /** The clock (tests pass their own). */
  readonly now?: () => Date;
}

export class GoLiveTooEarlyError extends Error {
  override name = 'GoLiveTooEarlyError';
}

export function makeGoLiveHandler(deps: GoLiveDeps): (goLive: GoLive) => Promise<void> {
  const now = deps.now ?? (() => new Date());
  return async (goLive) => {
    const due = Date.parse(goLive.publishedAt);
    const article = await deps.store.get(goLive.slug, { consistent: true });
    if (
      article === undefined ||
      article.version !== goLive.version ||
      article.status !== 'published' ||
      article.publishedAt === null ||
      Date.parse(article.publishedAt) !== due
    ) {
      logger.info('go-live skipped: the article is no longer scheduled for it', { goLive });
      return;
    }
    // Never announce an article before it is visible: a go-live fired early is retried.
    if (now().getTime() < due) {
      throw new GoLiveTooEarlyError(`go-live of ${goLive.slug} fired before ${goLive.publishedAt}`);
    }
    const event: ArticleEvent = {
      detailType: 'Article Published',
      time: new Date(due).toISOString(),
      detail: {
        eventId: eventId(article.slug, article.version, 'Article Published'),
        slug: article.slug,
        version: article.version,
        status: 'published',
        publishedAt: article.publishedAt,
        updatedAt: article.updatedAt,
        url: articleUrl(deps.site, article.slug),
        // Who scheduled it: the editor of the version that goes live.
        by: article.updatedBy,
      },
    };
    await deps.publisher.publish([event]);
  };
}
