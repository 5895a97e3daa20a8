import { parseSlug } from './core/article-model.ts';
import { type ArticleReader, matchesEtag } from './core/article-reader.ts';
import { empty, httpHandler, json, publicCache } from './core/http.ts';
import { defaultArticleReader } from './core/read-deps.ts';

/** GET /articles/{slug}: one visible article, cacheable, 304 on a matching If-None-Match. */
export const makeHandler = (service: ArticleReader = defaultArticleReader()) =>
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
