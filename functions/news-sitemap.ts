import { defaultSyndicationReader } from './core/syndication-deps.ts';
import { newsSitemapHandler } from './core/syndication-http.ts';
import type { SyndicationReader } from './core/syndication-reader.ts';

/** GET /news-sitemap.xml: the Google News sitemap (visible articles of the last 48 hours). */
export const makeHandler = (service: SyndicationReader = defaultSyndicationReader()) =>
  newsSitemapHandler(service);

export const handler = makeHandler();
