import { defaultSyndicationReader } from './core/syndication-deps.ts';
import { sitemapIndexHandler } from './core/syndication-http.ts';
import type { SyndicationReader } from './core/syndication-reader.ts';

/** GET /sitemap.xml: the sitemap index, one monthly sitemap per month from the oldest visible article's to now's. */
export const makeHandler = (service: SyndicationReader = defaultSyndicationReader()) =>
  sitemapIndexHandler(service);

export const handler = makeHandler();
