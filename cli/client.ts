/**
 * The signed HTTP client for the editor routes.
 *
 * Every attempt is signed afresh with the SDK's SigV4 signer (`@smithy/signature-v4`,
 * service `execute-api`): the exact body bytes sent, the `host` header, the path exactly
 * as sent. 429, 5xx and network errors are retried with exponential backoff and full
 * jitter, waiting at least what `Retry-After` asks (up to a bound), for a bounded number
 * of attempts.
 */
import http from 'node:http';
import https from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CliError, type ErrorContext } from './errors.ts';

export const SERVICE = 'execute-api';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** What `fromNodeProviderChain()` returns (memoized, refreshes expiring credentials). */
export type CredentialProvider = () => Promise<Credentials>;

export interface RetryPolicy {
  /** Attempts in all, first one included (≥ 1). */
  readonly maxAttempts: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(cap, base·2ⁿ)). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The longest `Retry-After` honoured; a longer one is waited for this long. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
};

/** Statuses worth retrying: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (0 for the first retry): full jitter, and at
 * least the server's `Retry-After` (bounded by `maxRetryAfterMs`) when it sent one.
 */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jitter = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return jitter;
  // Honour Retry-After, plus a little jitter so parallel workers do not return in step.
  return Math.min(retryAfterMs, policy.maxRetryAfterMs) + Math.floor(random() * policy.baseDelayMs);
}

export interface ApiResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The parsed JSON body, or undefined when there is none or it is not JSON. */
  readonly json: unknown;
  /** How many attempts it took. */
  readonly attempts: number;
  /**
   * An earlier attempt may have reached the server and been applied (network error
   * or 5xx other than 503 before this response): a 409/412 now may be our own write.
   */
  readonly maybeAppliedBefore: boolean;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly ifMatch?: string;
  /** Sent as `Idempotency-Key` (the same on every retry): a repeated create replays the first. */
  readonly idempotencyKey?: string;
  /** For messages. */
  readonly slug?: string;
}

/** A failure with no HTTP response (after the retries). */
export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(
    readonly error: unknown,
    readonly context: ErrorContext,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

export interface RetryEvent {
  readonly request: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

export interface ClientOptions {
  /** Base URL (may carry a stage path, no trailing slash). */
  readonly baseUrl: URL;
  readonly region: string;
  readonly credentials: CredentialProvider;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onRetry?: (event: RetryEvent) => void;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Percent-encodes a query the way the server and API Gateway decode it (no `+` for spaces). */
export function encodeQuery(query: Readonly<Record<string, string | undefined>>): {
  readonly text: string;
  readonly values: Record<string, string>;
} {
  const values: Record<string, string> = {};
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    values[key] = value;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  return { text: parts.join('&'), values };
}

/** What the commands need from a client (the signed `EditorClient`, or a fake in tests). */
export interface ApiClient {
  send(method: string, apiPath: string, options?: RequestOptions): Promise<ApiResponse>;
  context(request: string, slug?: string): ErrorContext;
}

export class EditorClient implements ApiClient {
  readonly baseUrl: URL;
  readonly region: string;
  private readonly signer: SignatureV4;
  private readonly credentials: CredentialProvider;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;
  private readonly agent: http.Agent;
  private accessKeyId: string | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl;
    this.region = options.region;
    this.credentials = options.credentials;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'newsdesk-cli';
    this.sleep = options.sleep ?? sleepFor;
    this.random = options.random ?? Math.random;
    this.onRetry = options.onRetry;
    this.agent =
      options.baseUrl.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 16 })
        : new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.signer = new SignatureV4({
      credentials: async () => {
        const identity = await this.resolveCredentials();
        this.accessKeyId = identity.accessKeyId;
        return identity;
      },
      region: options.region,
      service: SERVICE,
      sha256: Sha256,
      uriEscapePath: true,
    });
  }

  /** Context for error messages. */
  context(request: string, slug?: string): ErrorContext {
    return {
      request,
      endpoint: this.baseUrl.href.replace(/\/$/, ''),
      region: this.region,
      service: SERVICE,
      accessKeyId: this.accessKeyId,
      slug,
    };
  }

  /** Releases kept-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private async resolveCredentials(): Promise<Credentials> {
    try {
      return await this.credentials();
    } catch (error) {
      if (error instanceof CliError) throw error;
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new CliError(
        `No AWS credentials to sign with (${detail}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ` +
          '(locally: the pair the local server printed, or the NEWSDESK_EDITOR_* values it was started with), ' +
          'or use --profile <name> (shared config, SSO, roles).',
      );
    }
  }

  /** The full request path for an API path such as `/editor/articles/x` (stage prefix kept). */
  pathFor(apiPath: string): string {
    return `${this.baseUrl.pathname.replace(/\/+$/, '')}${apiPath}`;
  }

  /**
   * Sends a signed request, retrying 429/5xx/network errors. Resolves with the final
   * response (whatever its status); rejects with `NetworkError` when no response came
   * in any attempt, or `CliError` when there are no credentials.
   */
  async send(method: string, apiPath: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const path = this.pathFor(apiPath);
    const query = encodeQuery(options.query ?? {});
    const label = `${method} ${apiPath}${query.text === '' ? '' : `?${query.text}`}`;
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    let maybeApplied = false;
    for (let attempt = 1; ; attempt++) {
      let outcome: { response: Omit<ApiResponse, 'attempts' | 'maybeAppliedBefore'> } | { error: unknown };
      try {
        outcome = { response: await this.once(method, path, query, body, options) };
      } catch (error) {
        if (error instanceof CliError) throw error;
        outcome = { error };
      }
      const last = attempt >= this.retry.maxAttempts;
      if ('response' in outcome) {
        const { response } = outcome;
        if (!isRetryableStatus(response.status) || last) {
          return { ...response, attempts: attempt, maybeAppliedBefore: maybeApplied };
        }
        // 429 and 503 mean "not processed"; other 5xx may have been applied.
        if (response.status !== 429 && response.status !== 503) maybeApplied = true;
        const retryAfter = parseRetryAfter(response.headers['retry-after']);
        const delayMs = retryDelay(attempt - 1, this.retry, retryAfter, this.random);
        this.onRetry?.({ request: label, attempt, delayMs, reason: `HTTP ${response.status}` });
        await this.sleep(delayMs);
      } else {
        if (last) throw new NetworkError(outcome.error, this.context(label, options.slug));
        maybeApplied = true;
        const delayMs = retryDelay(attempt - 1, this.retry, undefined, this.random);
        const code = (outcome.error as NodeJS.ErrnoException).code;
        this.onRetry?.({ request: label, attempt, delayMs, reason: code ?? String(outcome.error) });
        await this.sleep(delayMs);
      }
    }
  }

  private async once(
    method: string,
    path: string,
    query: { readonly text: string; readonly values: Record<string, string> },
    body: Buffer | undefined,
    options: RequestOptions,
  ): Promise<Omit<ApiResponse, 'attempts' | 'maybeAppliedBefore'>> {
    const url = this.baseUrl;
    const headers: Record<string, string> = {
      host: url.host,
      accept: 'application/json, application/problem+json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const request = new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path,
      query: query.values,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const signed = await this.signer.sign(request);
    const sendHeaders: Record<string, string> = { ...(signed.headers as Record<string, string>) };
    // Not signed: added after signing, as proxies may rewrite them.
    sendHeaders['user-agent'] = this.userAgent;
    sendHeaders['content-length'] = String(body?.length ?? 0);

    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        {
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: query.text === '' ? path : `${path}?${query.text}`,
          headers: sendHeaders,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined)
                responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            let json: unknown;
            if (text !== '' && /json/i.test(responseHeaders['content-type'] ?? '')) {
              try {
                json = JSON.parse(text);
              } catch {
                json = undefined;
              }
            }
            resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text, json });
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(
          Object.assign(new Error(`no response within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
