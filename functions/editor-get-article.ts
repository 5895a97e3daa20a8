import { parseSlug } from './core/article.ts';
import type { ArticleService } from './core/articles.ts';
import { defaultArticleService } from './core/deps.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';

/** GET /editor/articles/{slug}: one article in any status, with the editor-only fields. */
export const makeHandler = (service: ArticleService = defaultArticleService()) =>
  httpHandler({ name: 'GET /editor/articles/{slug}', auth: 'editor' }, async (request) => {
    editorOf(request);
    const { article, etag } = await service.getForEditor(parseSlug(request.pathParameter('slug')));
    return json(200, article, { ETag: etag, ...NO_STORE });
  });

export const handler = makeHandler();
