import { parseSlug } from './core/article-model.ts';
import type { ArticleService } from './core/articles.ts';
import { defaultArticleService } from './core/deps.ts';
import { editorOf, empty, httpHandler, NO_STORE } from './core/http.ts';

/** DELETE /editor/articles/{slug}: take an article down (content and slug are kept). */
export const makeHandler = (service: ArticleService = defaultArticleService()) =>
  httpHandler({ name: 'DELETE /editor/articles/{slug}', auth: 'editor' }, async (request) => {
    const slug = parseSlug(request.pathParameter('slug'));
    await service.takeDown(slug, request.header('if-match'), editorOf(request));
    return empty(204, NO_STORE);
  });

export const handler = makeHandler();
