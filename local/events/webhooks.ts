/**
 * Webhook delivery of the local server (API.md "Events", "Locally"): every event is POSTed
 * as its EventBridge JSON to each URL of NEWSDESK_WEBHOOKS, retried with exponential
 * backoff on 5xx, refused connections and timeouts for a little over a minute, never on
 * 4xx. The stand-in for EventBridge API destinations; it runs off the request path, so a
 * receiver that is down or slow never blocks or fails an editor's write.
 *
 * Order: per receiver, the events of one article are delivered one after the other, in
 * the order they were handed in (a queue per URL and article); different articles and
 * different receivers proceed independently.
 */

/** The body POSTed: an EventBridge event (see publisher.ts). */
export interface DeliverableEvent {
  readonly id: string;
  readonly 'detail-type': string;
  readonly detail: { readonly slug: string };
}

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError';
}

/**
 * The receivers in NEWSDESK_WEBHOOKS (comma-separated; blanks ignored): absolute http(s)
 * URLs. A bad entry fails the start with a message naming it.
 */
export function parseWebhookUrls(value: string | undefined): URL[] {
  if (value === undefined) return [];
  const urls: URL[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new WebhookConfigError(
        `NEWSDESK_WEBHOOKS: "${entry}" is not an absolute URL (expected e.g. http://127.0.0.1:8080/hook; separate several with commas)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WebhookConfigError(`NEWSDESK_WEBHOOKS: "${entry}" must be an http:// or https:// URL`);
    }
    if (!urls.some((known) => known.href === url.href)) urls.push(url);
  }
  return urls;
}

/** Waits before the 2nd, 3rd, … attempt: 0.5 s doubling to 32 s, 63.5 s of retries in all. */
export const RETRY_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000];
/** One attempt's limit (connect, send, answer). */
export const ATTEMPT_TIMEOUT_MS = 5_000;

export interface DeliveryAttempt {
  readonly url: string;
  readonly eventId: string;
  readonly detailType: string;
  readonly slug: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The HTTP status, or undefined when no answer came (refused, timed out). */
  readonly status: number | undefined;
  /** Why the attempt failed without a status (e.g. "ECONNREFUSED", "timeout"). */
  readonly error?: string;
  readonly outcome: 'delivered' | 'retrying' | 'failed' | 'abandoned';
  /** With `retrying`: the wait before the next attempt. */
  readonly retryInMs?: number;
}

export interface WebhookDelivererOptions {
  readonly urls: readonly URL[];
  /** One line per attempt (the server's log). */
  readonly log?: (line: string) => void;
  /** Called after every attempt (tests). */
  readonly onAttempt?: (attempt: DeliveryAttempt) => void;
  readonly fetch?: typeof fetch;
  readonly retryDelaysMs?: readonly number[];
  readonly timeoutMs?: number;
}

/** A delay that ends early (resolving false) when the deliverer closes. */
type Sleep = (ms: number) => Promise<boolean>;

export class WebhookDeliverer {
  readonly urls: readonly URL[];
  private readonly log: (line: string) => void;
  private readonly onAttempt: ((attempt: DeliveryAttempt) => void) | undefined;
  private readonly fetch: typeof fetch;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  /** The tail of each (url, article) queue; removed once it drains. */
  private readonly tails = new Map<string, Promise<void>>();
  /** Pending backoff waits, so close() can end them. */
  private readonly waits = new Set<() => void>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(options: WebhookDelivererOptions) {
    this.urls = options.urls;
    this.log = options.log ?? (() => {});
    this.onAttempt = options.onAttempt;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retryDelaysMs = options.retryDelaysMs ?? RETRY_DELAYS_MS;
    this.timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  }

  /** Queues the event for every receiver and returns at once (delivery happens in the background). */
  enqueue(event: DeliverableEvent): void {
    if (this.closed) return;
    const body = JSON.stringify(event);
    for (const url of this.urls) {
      const key = `${url.href} ${event.detail.slug}`;
      const previous = this.tails.get(key) ?? Promise.resolve();
      const next = previous.then(() => this.deliver(url, event, body));
      this.tails.set(key, next);
      void next.then(() => {
        if (this.tails.get(key) === next) this.tails.delete(key);
      });
    }
  }

  /** Resolves once every queued delivery has ended (delivered, failed or abandoned). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }

  /** Stops: pending retries are abandoned (logged), attempts under way are aborted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waits) wake();
    for (const controller of this.inFlight) controller.abort();
    await this.idle();
  }

  private readonly sleep: Sleep = (ms) =>
    new Promise((resolve) => {
      if (this.closed) {
        resolve(false);
        return;
      }
      const wake = () => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.waits.delete(wake);
        resolve(true);
      }, ms);
      // A pending retry alone does not keep the process alive.
      timer.unref?.();
      this.waits.add(wake);
    });

  /** One event to one receiver, with its retries; never throws. */
  private async deliver(url: URL, event: DeliverableEvent, body: string): Promise<void> {
    const base = {
      url: url.href,
      eventId: event.id,
      detailType: event['detail-type'],
      slug: event.detail.slug,
    };
    for (let attempt = 1; ; attempt++) {
      if (this.closed) {
        this.report({ ...base, attempt, status: undefined, outcome: 'abandoned' });
        return;
      }
      const { status, error } = await this.post(url, body);
      if (status !== undefined && status >= 200 && status < 300) {
        this.report({ ...base, attempt, status, outcome: 'delivered' });
        return;
      }
      // 4xx (but 429) and redirects: the receiver refuses this event; sending it again would
      // not change its mind. No answer, 5xx and 429: it may take it later.
      const retryable = status === undefined || status >= 500 || status === 429;
      const delay = this.retryDelaysMs[attempt - 1];
      if (!retryable || delay === undefined) {
        this.report({ ...base, attempt, status, ...(error ? { error } : {}), outcome: 'failed' });
        return;
      }
      this.report({
        ...base,
        attempt,
        status,
        ...(error ? { error } : {}),
        outcome: 'retrying',
        retryInMs: delay,
      });
      if (!(await this.sleep(delay))) {
        this.report({ ...base, attempt: attempt + 1, status: undefined, outcome: 'abandoned' });
        return;
      }
    }
  }

  private async post(url: URL, body: string): Promise<{ status: number | undefined; error?: string }> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.timeoutMs);
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'newsdesk-local-webhooks' },
        body,
        signal: controller.signal,
        redirect: 'manual',
      });
      // The answer's body is not used; drain it so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      return { status: undefined, error: describeFailure(error, controller) };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private report(attempt: DeliveryAttempt): void {
    const status = attempt.status === undefined ? (attempt.error ?? '-') : String(attempt.status);
    const next = attempt.retryInMs === undefined ? '' : `, retry in ${attempt.retryInMs / 1000} s`;
    this.log(
      `webhook ${attempt.outcome} ${attempt.url} event ${attempt.eventId} (${attempt.detailType} ${attempt.slug}) attempt ${attempt.attempt}: ${status}${next}`,
    );
    this.onAttempt?.(attempt);
  }
}

/** A short reason for a failed attempt: the system error code when there is one. */
function describeFailure(error: unknown, controller: AbortController): string {
  if (controller.signal.aborted) {
    const reason: unknown = controller.signal.reason;
    return reason instanceof Error && reason.message === 'timeout' ? 'timeout' : 'aborted';
  }
  // fetch() fails with "fetch failed"; the system error (ECONNREFUSED, …) is its cause, or
  // the first of an AggregateError cause (several addresses tried).
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const inner = cause instanceof AggregateError ? (cause.errors[0] as unknown) : cause;
  for (const candidate of [cause, inner]) {
    if (candidate instanceof Error && 'code' in candidate && typeof candidate.code === 'string')
      return candidate.code;
  }
  if (inner instanceof Error) return inner.message;
  return error instanceof Error ? error.message : String(error);
}
