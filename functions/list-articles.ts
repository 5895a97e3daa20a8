import { etagOfBody } from './core/article-model.ts';
import { type ArticleReader, matchesEtag } from './core/article-reader.ts';
import { empty, httpHandler, json, parseLimit, parseTag, publicCache } from './core/http.ts';
import { defaultArticleReader } from './core/read-deps.ts';

/** GET /articles?limit=&cursor=&tag=: visible articles, newest first, paged by cursor. */
export const makeHandler = (service: ArticleReader = defaultArticleReader()) =>
  httpHandler({ name: 'GET /articles', auth: 'public' }, async (request) => {
    const limit = parseLimit(request.query('limit'));
    const tag = parseTag(request.query('tag'));
    const page = await service.listPublic({ limit, cursor: request.query('cursor'), tag });
    const response = json(200, page, publicCache());
    const etag = etagOfBody(response.body);
    const ifNoneMatch = request.header('if-none-match');
    if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, etag, { weak: true })) {
      return empty(304, { ETag: etag, ...publicCache() });
    }
    return { ...response, headers: { ...response.headers, ETag: etag } };
  });

export const handler = makeHandler();
