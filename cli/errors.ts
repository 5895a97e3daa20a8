/**
 * CLI errors and how API error responses are explained to an editor.
 */

/** A mistake in the command line: exit code 2, nothing was sent. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure explained in `message` (already actionable): exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly title?: string;
  readonly detail?: string;
  readonly errors: ProblemFieldError[];
  /** API Gateway's own errors are `{ "message": "..." }`, not problem+json. */
  readonly message?: string;
}

/** Reads a problem+json (or API Gateway `{message}`) body; tolerant of anything else. */
export function readProblem(json: unknown): Problem {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { errors: [] };
  const record = json as Record<string, unknown>;
  const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const errors: ProblemFieldError[] = [];
  if (Array.isArray(record.errors)) {
    for (const item of record.errors) {
      if (item !== null && typeof item === 'object') {
        const { path, message } = item as Record<string, unknown>;
        errors.push({ path: String(path ?? ''), message: String(message ?? '') });
      }
    }
  }
  const title = str(record.title);
  const detail = str(record.detail);
  const message = str(record.message) ?? str(record.Message);
  return {
    errors,
    ...(title === undefined ? {} : { title }),
    ...(detail === undefined ? {} : { detail }),
    ...(message === undefined ? {} : { message }),
  };
}

export interface ErrorContext {
  /** What was being done, e.g. `GET /editor/articles/my-slug`. */
  readonly request: string;
  readonly endpoint: string;
  readonly region: string;
  readonly service: string;
  readonly accessKeyId?: string | undefined;
  /** The article's slug, when the request concerned one. */
  readonly slug?: string | undefined;
}

/** A short access-key hint (`AKIA…WXYZ`) so the editor can tell which credentials were used. */
export function maskKey(accessKeyId: string | undefined): string {
  if (accessKeyId === undefined || accessKeyId === '') return 'unknown';
  if (accessKeyId.length <= 8) return `${accessKeyId.slice(0, 2)}…`;
  return `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`;
}

/**
 * The lines explaining a failed response: first a one-line summary saying what to
 * do, then the server's own `detail` / field errors exactly as they came.
 */
export function explainResponse(
  status: number,
  json: unknown,
  context: ErrorContext,
  headers: Readonly<Record<string, string>> = {},
): string[] {
  const problem = readProblem(json);
  const lines: string[] = [];
  const slug = context.slug === undefined ? 'the article' : `"${context.slug}"`;
  switch (status) {
    case 400:
      lines.push(`${context.request}: the API rejected the request (400 Bad Request)`);
      break;
    case 401:
    case 403:
      lines.push(
        `${context.request}: ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}: the API refused the request signature or the IAM policy does not allow it. ` +
          `Signed with access key ${maskKey(context.accessKeyId)} for region ${context.region}, service ${context.service}, endpoint ${context.endpoint}. ` +
          'Check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --profile; locally, the pair the local server printed), ' +
          "the region (--region must be the API's region), and that the caller's IAM policy allows execute-api:Invoke on the editor routes (attach the stack's EditorPolicyArn).",
      );
      break;
    case 404:
      lines.push(`${context.request}: not found (404): ${slug} does not exist or was taken down`);
      break;
    case 409:
      lines.push(
        `${context.request}: the slug ${slug} is already taken (409), by another article or by one that was taken down (a taken-down slug stays reserved); set another "slug" in the front matter`,
      );
      break;
    case 412:
      lines.push(
        `${context.request}: someone else changed ${slug} after it was read (412 Precondition Failed); nothing was written. Run the command again to review the new version and replace it.`,
      );
      break;
    case 413:
      lines.push(`${context.request}: the request is too large for the API (413; at most 256 KiB)`);
      break;
    case 415:
      lines.push(`${context.request}: the API did not accept the content type (415)`);
      break;
    case 428:
      lines.push(`${context.request}: the API requires If-Match (428)`);
      break;
    case 429:
      lines.push(
        `${context.request}: too many requests (429); still throttled after the retries, try again later`,
      );
      break;
    default:
      if (status >= 500) {
        const retryAfter = headers['retry-after'];
        lines.push(
          `${context.request}: the API failed (${status}) and kept failing after the retries${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}; try again later`,
        );
      } else {
        lines.push(`${context.request}: unexpected response ${status}`);
      }
  }
  if (problem.detail !== undefined) lines.push(`  ${problem.detail}`);
  else if (problem.message !== undefined) lines.push(`  ${problem.message}`);
  for (const error of problem.errors)
    lines.push(`  ${error.path === '' ? '' : `${error.path}: `}${error.message}`);
  return lines;
}

/** Explains a network failure (no HTTP response at all). */
export function explainNetworkError(error: unknown, context: ErrorContext): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const local = /^(127\.|localhost|\[::1\])/.test(new URL(context.endpoint).host);
  const hint =
    code === 'ECONNREFUSED' && local
      ? ' Is the local server running ("npm start")? Or pass --endpoint / set NEWSDESK_ENDPOINT / use --outputs cdk-outputs.json for the deployed API.'
      : code === 'ENOTFOUND'
        ? ' Check the endpoint host name.'
        : '';
  return `${context.request}: could not reach ${context.endpoint} (${code ?? message}), even after retries.${hint}`;
}
