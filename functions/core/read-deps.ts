import { ArticleReader } from './article-reader.ts';
import { config } from './config.ts';
import { createDocumentClient } from './dynamodb.ts';
import { DynamoArticleStore } from './store/dynamo-store.ts';

let store: DynamoArticleStore | undefined;
let reader: ArticleReader | undefined;

/** The process-wide DynamoDB store, on the one Document client of the process. */
export function defaultArticleStore(): DynamoArticleStore {
  if (store === undefined) {
    const cfg = config();
    store = new DynamoArticleStore(createDocumentClient(cfg), cfg.TABLE_NAME);
  }
  return store;
}

/**
 * The process-wide read service, built once (at cold start, from the read handlers'
 * modules). Read handlers take it through their `makeHandler` factory, so tests can hand
 * in another; it brings no Markdown renderer and no input schemas into their bundles.
 */
export function defaultArticleReader(): ArticleReader {
  reader ??= new ArticleReader({ store: defaultArticleStore(), cursorSecret: config().CURSOR_SECRET });
  return reader;
}
