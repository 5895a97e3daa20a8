import { defaultSyndicationReader } from './core/syndication-deps.ts';
import { monthlySitemapHandler } from './core/syndication-http.ts';
import type { SyndicationReader } from './core/syndication-reader.ts';

/** GET /sitemaps/{yyyy}-{mm}.xml: the visible articles published in that UTC month. */
export const makeHandler = (service: SyndicationReader = defaultSyndicationReader()) =>
  monthlySitemapHandler(service);

export const handler = makeHandler();
