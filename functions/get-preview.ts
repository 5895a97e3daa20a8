import type { Result } from './core/http.ts';
import { httpHandler, json } from './core/http.ts';
import type { PreviewService } from './core/preview.ts';
import { defaultPreviewService } from './core/preview-deps.ts';

/** What every answer of GET /preview/{token} carries, errors included: never cached, never indexed, no ETag. */
const PREVIEW_HEADERS = { 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' } as const;

const withPreviewHeaders = (result: Result): Result => {
  const headers = { ...result.headers };
  delete headers.ETag;
  return { ...result, headers: { ...headers, ...PREVIEW_HEADERS } };
};

/** GET /preview/{token}: the version a preview link names, public representation, whatever its status. */
export const makeHandler = (service: PreviewService = defaultPreviewService()) => {
  const inner = httpHandler({ name: 'GET /preview/{token}', auth: 'public' }, async (request) =>
    json(200, await service.read(request.pathParameter('token') ?? ''), PREVIEW_HEADERS),
  );
  return async (...args: Parameters<typeof inner>): Promise<Result> =>
    withPreviewHeaders(await inner(...args));
};

export const handler = makeHandler();
