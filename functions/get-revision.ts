import { parseSlug } from './core/article-model.ts';
import { type ArticleReader, parseVersion } from './core/article-reader.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';
import { defaultArticleReader } from './core/read-deps.ts';

/** GET /editor/articles/{slug}/revisions/{version}: one version in full, as the editor saw it. */
export const makeHandler = (service: ArticleReader = defaultArticleReader()) =>
  httpHandler(
    { name: 'GET /editor/articles/{slug}/revisions/{version}', auth: 'editor' },
    async (request) => {
      editorOf(request);
      const slug = parseSlug(request.pathParameter('slug'));
      const version = parseVersion(request.pathParameter('version'));
      return json(200, await service.getRevision(slug, version), NO_STORE);
    },
  );

export const handler = makeHandler();
