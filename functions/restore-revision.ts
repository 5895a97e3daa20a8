import { parseSlug } from './core/article-model.ts';
import { parseVersion } from './core/article-reader.ts';
import type { ArticleService } from './core/articles.ts';
import { defaultArticleService } from './core/deps.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';

/**
 * POST /editor/articles/{slug}/revisions/{version}/restore: a new version with that
 * version's editable fields; If-Match required, no body (one sent is a 400).
 */
export const makeHandler = (service: ArticleService = defaultArticleService()) =>
  httpHandler(
    { name: 'POST /editor/articles/{slug}/revisions/{version}/restore', auth: 'editor', body: 'none' },
    async (request) => {
      const slug = parseSlug(request.pathParameter('slug'));
      const version = parseVersion(request.pathParameter('version'));
      const { article, etag } = await service.restore(
        slug,
        version,
        request.header('if-match'),
        editorOf(request),
      );
      return json(200, article, { ETag: etag, ...NO_STORE });
    },
  );

export const handler = makeHandler();
