import { parseSlug } from './core/article-model.ts';
import type { ArticleReader } from './core/article-reader.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';
import { defaultArticleReader } from './core/read-deps.ts';

/** GET /editor/articles/{slug}: one article in any status, with the editor-only fields. */
export const makeHandler = (service: ArticleReader = defaultArticleReader()) =>
  httpHandler({ name: 'GET /editor/articles/{slug}', auth: 'editor' }, async (request) => {
    editorOf(request);
    const { article, etag } = await service.getForEditor(parseSlug(request.pathParameter('slug')));
    return json(200, article, { ETag: etag, ...NO_STORE });
  });

export const handler = makeHandler();
