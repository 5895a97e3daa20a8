import { feedHandler } from './core/feeds.ts';
import { defaultSyndicationReader } from './core/syndication-deps.ts';
import type { SyndicationReader } from './core/syndication-reader.ts';

/** GET /feed.json?tag=: JSON Feed 1.1 (application/feed+json) of the newest visible articles (at most 50), cacheable. */
export const makeHandler = (service: SyndicationReader = defaultSyndicationReader()) =>
  feedHandler('json', '/feed.json', service);

export const handler = makeHandler();
