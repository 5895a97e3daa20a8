import { etagOfBody } from './article-model.ts';
import { matchesEtag } from './article-reader.ts';
import { apiBaseUrl } from './base-url.ts';
import { BadRequestError, NotFoundError } from './errors.ts';
import { empty, type HttpRequest, httpHandler, publicCache, type Result } from './http.ts';
import type { SyndicationDocument, SyndicationReader } from './syndication-reader.ts';

/**
 * The syndication routes' HTTP side, shared by their handler modules (functions/feed-*.ts,
 * functions/*sitemap*.ts): request → SyndicationReader → a cacheable document response.
 */

/**
 * A document as a public, cacheable response: a strong ETag of the body and the public
 * `Cache-Control`; `If-None-Match` naming it → 304 with no body.
 */
export function documentResponse(request: HttpRequest, document: SyndicationDocument): Result {
  const etag = etagOfBody(document.body);
  const headers = { ETag: etag, ...publicCache() };
  const ifNoneMatch = request.header('if-none-match');
  if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, etag, { weak: true })) return empty(304, headers);
  return {
    statusCode: 200,
    headers: { 'Content-Type': document.contentType, ...headers },
    body: document.body,
  };
}

/** The API's base URL for this request (see base-url.ts); 400 when the request names no usable host. */
export function baseUrlOf(request: HttpRequest): string {
  try {
    return apiBaseUrl(request.event);
  } catch {
    throw new BadRequestError('The request does not name a usable host.');
  }
}

/** `GET /sitemap.xml`: the sitemap index, with the API's own absolute URLs. */
export const sitemapIndexHandler = (service: SyndicationReader) =>
  httpHandler({ name: 'GET /sitemap.xml', auth: 'public' }, async (request) =>
    documentResponse(request, await service.sitemapIndex(baseUrlOf(request))),
  );

/** `GET /sitemaps/{month}`, the path parameter being `YYYY-MM.xml`; anything else → 404. */
export const monthlySitemapHandler = (service: SyndicationReader) =>
  httpHandler({ name: 'GET /sitemaps/{month}', auth: 'public' }, async (request) => {
    const month = /^(.+)\.xml$/.exec(request.pathParameter('month') ?? '')?.[1];
    if (month === undefined) throw new NotFoundError('No sitemap for this month.');
    return documentResponse(request, await service.monthlySitemap(month));
  });

/** `GET /news-sitemap.xml`: the Google News sitemap of the last 48 hours. */
export const newsSitemapHandler = (service: SyndicationReader) =>
  httpHandler({ name: 'GET /news-sitemap.xml', auth: 'public' }, async (request) =>
    documentResponse(request, await service.newsSitemap()),
  );
