import { parseSlug } from './core/article.ts';
import type { ArticleService } from './core/articles.ts';
import { matchesEtag } from './core/articles.ts';
import { defaultArticleService } from './core/deps.ts';
import { empty, httpHandler, json, publicCache } from './core/http.ts';

/** GET /articles/{slug}: one visible article, cacheable, 304 on a matching If-None-Match. */
export const makeHandler = (service: ArticleService = defaultArticleService()) =>
  httpHandler({ name: 'GET /articles/{slug}', auth: 'public' }, async (request) => {
    const slug = parseSlug(request.pathParameter('slug'));
    const { article, etag } = await service.getPublic(slug);
    const headers = { ETag: etag, ...publicCache() };
    const ifNoneMatch = request.header('if-none-match');
    if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, etag, { weak: true }))
      return empty(304, headers);
    return json(200, article, headers);
  });

export const handler = makeHandler();
