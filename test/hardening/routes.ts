import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ArticleService } from '../../functions/core/articles.ts';
import { makeHandler as createArticle } from '../../functions/create-article.ts';
import { makeHandler as deleteArticle } from '../../functions/delete-article.ts';
import { makeHandler as editorGetArticle } from '../../functions/editor-get-article.ts';
import { makeHandler as editorListArticles } from '../../functions/editor-list-articles.ts';
import { makeHandler as getArticle } from '../../functions/get-article.ts';
import { makeHandler as listArticles } from '../../functions/list-articles.ts';
import { makeHandler as updateArticle } from '../../functions/update-article.ts';
import { lambdaContext } from '../support/events.ts';
import type { Answer } from './checks.ts';

export type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export type RouteKey =
  | 'GET /articles'
  | 'GET /articles/{slug}'
  | 'POST /editor/articles'
  | 'GET /editor/articles'
  | 'GET /editor/articles/{slug}'
  | 'PUT /editor/articles/{slug}'
  | 'DELETE /editor/articles/{slug}';

export const WRITE_ROUTES: ReadonlySet<RouteKey> = new Set([
  'POST /editor/articles',
  'PUT /editor/articles/{slug}',
  'DELETE /editor/articles/{slug}',
]);

/** Every route's handler, bound to one service (one table). */
export function handlersFor(service: ArticleService): Record<RouteKey, Handler> {
  return {
    'GET /articles': listArticles(service),
    'GET /articles/{slug}': getArticle(service),
    'POST /editor/articles': createArticle(service),
    'GET /editor/articles': editorListArticles(service),
    'GET /editor/articles/{slug}': editorGetArticle(service),
    'PUT /editor/articles/{slug}': updateArticle(service),
    'DELETE /editor/articles/{slug}': deleteArticle(service),
  };
}

export type { Answer };

/** Invokes a handler; a thrown error (which API Gateway turns into a 502) is reported as status 502. */
export async function call(
  handler: Handler,
  event: APIGatewayProxyEvent,
  context: Partial<Context> = {},
): Promise<Answer> {
  try {
    const result = await handler(event, { ...lambdaContext(), ...context });
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    return { status: result.statusCode, headers, body: result.body ?? '' };
  } catch (error) {
    return { status: 502, headers: {}, body: `handler threw: ${String(error)}` };
  }
}
