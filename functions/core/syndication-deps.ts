import { defaultArticleStore } from './read-deps.ts';
import { siteSettingsFromEnv } from './site.ts';
import { SyndicationReader } from './syndication-reader.ts';

let syndication: SyndicationReader | undefined;

/**
 * The process-wide syndication service (feeds and sitemaps), built once at cold start on
 * the process's store, with the site settings of `SITE_SETTINGS`: a missing or invalid value
 * fails the cold start loudly. Kept apart from read-deps.ts so that only the syndication
 * functions bundle the feed library.
 */
export function defaultSyndicationReader(): SyndicationReader {
  syndication ??= new SyndicationReader({
    store: defaultArticleStore(),
    site: siteSettingsFromEnv(process.env),
  });
  return syndication;
}
