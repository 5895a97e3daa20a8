import { parseInput, parseSlug, UpdateArticleInput } from './core/article.ts';
import type { ArticleService } from './core/articles.ts';
import { defaultArticleService } from './core/deps.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';

/** PUT /editor/articles/{slug}: replace the editable fields; If-Match required. */
export const makeHandler = (service: ArticleService = defaultArticleService()) =>
  httpHandler({ name: 'PUT /editor/articles/{slug}', auth: 'editor', body: 'json' }, async (request) => {
    const slug = parseSlug(request.pathParameter('slug'));
    const input = parseInput(UpdateArticleInput, request.body);
    const { article, etag } = await service.update(
      slug,
      request.header('if-match'),
      input,
      editorOf(request),
    );
    return json(200, article, { ETag: etag, ...NO_STORE });
  });

export const handler = makeHandler();
