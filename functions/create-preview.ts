import { parseSlug } from './core/article-model.ts';
import { apiBaseUrl } from './core/base-url.ts';
import { editorOf, httpHandler, json, NO_STORE } from './core/http.ts';
import { type PreviewService, parsePreviewRequest } from './core/preview.ts';
import { defaultPreviewService } from './core/preview-deps.ts';
import { previewUrl, type SiteSettings, siteSettingsFromEnv } from './core/site.ts';

/** POST /editor/articles/{slug}/preview: a signed link to the current version, optional `{ expiresInSeconds }`. */
export const makeHandler = (
  service: PreviewService = defaultPreviewService(),
  site: SiteSettings = siteSettingsFromEnv(process.env),
) =>
  httpHandler(
    { name: 'POST /editor/articles/{slug}/preview', auth: 'editor', body: 'optional-json' },
    async (request) => {
      editorOf(request);
      const slug = parseSlug(request.pathParameter('slug'));
      const ttl = parsePreviewRequest(request.body);
      const { token, expiresAt } = await service.create(slug, ttl);
      return json(
        201,
        {
          token,
          url: previewUrl(site, token),
          apiUrl: `${apiBaseUrl(request.event)}/preview/${token}`,
          expiresAt,
        },
        NO_STORE,
      );
    },
  );

export const handler = makeHandler();
