import { CreateArticleInput, parseInput } from './core/article.ts';
import type { ArticleService } from './core/articles.ts';
import { defaultArticleService } from './core/deps.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';

/** POST /editor/articles: create an article (published, scheduled or draft). */
export const makeHandler = (service: ArticleService = defaultArticleService()) =>
  httpHandler({ name: 'POST /editor/articles', auth: 'editor', body: 'json' }, async (request) => {
    const input = parseInput(CreateArticleInput, request.body);
    const { article, etag } = await service.create(input, editorOf(request));
    return json(201, article, { ETag: etag, Location: `/articles/${article.slug}`, ...NO_STORE });
  });

export const handler = makeHandler();
