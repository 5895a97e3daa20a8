import { feedHandler } from './core/feeds.ts';
import { defaultSyndicationReader } from './core/syndication-deps.ts';
import type { SyndicationReader } from './core/syndication-reader.ts';

/** GET /feed.xml?tag=: RSS 2.0 (application/rss+xml) of the newest visible articles (at most 50), cacheable. */
export const makeHandler = (service: SyndicationReader = defaultSyndicationReader()) =>
  feedHandler('rss', '/feed.xml', service);

export const handler = makeHandler();
