import { parseSlug } from './core/article-model.ts';
import type { ArticleReader } from './core/article-reader.ts';
import { editorOf, httpHandler, json, NO_STORE, parseLimit } from './core/http.ts';
import { defaultArticleReader } from './core/read-deps.ts';

/** GET /editor/articles/{slug}/revisions?limit=&cursor=: every version, newest first. */
export const makeHandler = (service: ArticleReader = defaultArticleReader()) =>
  httpHandler({ name: 'GET /editor/articles/{slug}/revisions', auth: 'editor' }, async (request) => {
    editorOf(request);
    const slug = parseSlug(request.pathParameter('slug'));
    const limit = parseLimit(request.query('limit'));
    const page = await service.history(slug, { limit, cursor: request.query('cursor') });
    return json(200, page, NO_STORE);
  });

export const handler = makeHandler();
