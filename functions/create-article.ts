import { CreateArticleInput, parseInput } from './core/article.ts';
import type { ArticleService } from './core/articles.ts';
import { defaultArticleService } from './core/deps.ts';
import { ValidationError } from './core/errors.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined || IDEMPOTENCY_KEY.test(value)) return value;
  throw new ValidationError('The Idempotency-Key header must be 1 to 128 visible ASCII characters.', [
    { path: 'Idempotency-Key', message: 'must be 1 to 128 visible ASCII characters (no spaces)' },
  ]);
}

/** POST /editor/articles: create an article (published, scheduled or draft); optional Idempotency-Key. */
export const makeHandler = (service: ArticleService = defaultArticleService()) =>
  httpHandler({ name: 'POST /editor/articles', auth: 'editor', body: 'json' }, async (request) => {
    const key = idempotencyKey(request.header('idempotency-key'));
    const input = parseInput(CreateArticleInput, request.body);
    const { article, etag } = await service.create(input, editorOf(request), key);
    return json(201, article, { ETag: etag, Location: `/articles/${article.slug}`, ...NO_STORE });
  });

export const handler = makeHandler();
