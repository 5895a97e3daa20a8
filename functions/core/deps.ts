import { ArticleService } from './articles.ts';
import { config } from './config.ts';
import { createDocumentClient } from './dynamodb.ts';
import { DynamoArticleStore } from './store.ts';

let service: ArticleService | undefined;

/**
 * The process-wide article service over the DynamoDB store, built once (at cold start,
 * from the handler modules) and shared by every invocation. Handlers take it through
 * their `makeHandler` factory, so tests can hand in another.
 */
export function defaultArticleService(): ArticleService {
  if (service === undefined) {
    const cfg = config();
    service = new ArticleService({
      store: new DynamoArticleStore(createDocumentClient(cfg), cfg.TABLE_NAME),
      cursorSecret: cfg.CURSOR_SECRET,
    });
  }
  return service;
}
