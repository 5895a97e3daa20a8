import { ArticleService } from './articles.ts';
import { config } from './config.ts';
import { defaultArticleStore } from './read-deps.ts';

let service: ArticleService | undefined;

/**
 * The process-wide article service over the DynamoDB store, built once (at cold start,
 * from the write handlers' modules) and shared by every invocation. Handlers take it
 * through their `makeHandler` factory, so tests can hand in another. Read handlers use
 * `defaultArticleReader` (read-deps.ts) instead.
 */
export function defaultArticleService(): ArticleService {
  service ??= new ArticleService({ store: defaultArticleStore(), cursorSecret: config().CURSOR_SECRET });
  return service;
}
