import { feedHandler } from './core/feeds.ts';
import { defaultSyndicationReader } from './core/syndication-deps.ts';
import type { SyndicationReader } from './core/syndication-reader.ts';

/** GET /feed.atom?tag=: Atom 1.0 (application/atom+xml) of the newest visible articles (at most 50), cacheable. */
export const makeHandler = (service: SyndicationReader = defaultSyndicationReader()) =>
  feedHandler('atom', '/feed.atom', service);

export const handler = makeHandler();
