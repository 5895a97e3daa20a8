import type { ArticleReader } from './core/article-reader.ts';
import { ValidationError } from './core/errors.ts';
import { editorOf, httpHandler, json, NO_STORE, parseLimit } from './core/http.ts';
import { defaultArticleReader } from './core/read-deps.ts';

const STATUSES = ['draft', 'scheduled', 'published'] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (value: string): value is Status => (STATUSES as readonly string[]).includes(value);

/** GET /editor/articles?status=&limit=&cursor=: every live article the editor API knows. */
export const makeHandler = (service: ArticleReader = defaultArticleReader()) =>
  httpHandler({ name: 'GET /editor/articles', auth: 'editor' }, async (request) => {
    editorOf(request);
    const limit = parseLimit(request.query('limit'));
    const status = request.query('status');
    if (status !== undefined && !isStatus(status)) {
      throw new ValidationError('The status filter is not one of draft, scheduled, published.', [
        { path: 'status', message: 'must be draft, scheduled or published' },
      ]);
    }
    const page = await service.listForEditor({ limit, cursor: request.query('cursor'), status });
    return json(200, page, NO_STORE);
  });

export const handler = makeHandler();
