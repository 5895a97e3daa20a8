/**
 * The CloudFront EdgePurger: one `CreateInvalidation` per batch. CloudFront allows at most
 * 15 wildcard invalidations in progress per distribution (docs/edge.md); beyond that it
 * answers `TooManyInvalidationsInProgress`, and under load the API throttles. Both are
 * retried here with exponential backoff and jitter, within a deadline that leaves the
 * Lambda time to report the batch failed, so SQS redelivers it later (and, after every
 * retry, moves it to the dead-letter queue, which raises an alarm).
 */
import { type CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { EdgePurger } from './paths.ts';

/** Errors worth waiting for: the distribution is busy, or the API throttles us. */
const RETRYABLE = new Set([
  'TooManyInvalidationsInProgress',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
]);

export interface CloudFrontPurgerOptions {
  readonly distributionId: string;
  /** Give up (throw) once this much time has passed, in milliseconds. */
  readonly deadlineMs?: number;
  /** First backoff, doubled each attempt (with full jitter), in milliseconds. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
}

export class CloudFrontPurger implements EdgePurger {
  private readonly options: Required<CloudFrontPurgerOptions>;

  constructor(
    private readonly client: Pick<CloudFrontClient, 'send'>,
    options: CloudFrontPurgerOptions,
  ) {
    this.options = {
      // The function times out after 10 s (lib/edge.ts): leave it time to report the batch.
      deadlineMs: 7_000,
      baseDelayMs: 500,
      maxDelayMs: 10_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: Date.now,
      random: Math.random,
      ...options,
    };
  }

  async purge(paths: readonly string[], callerReference: string): Promise<void> {
    if (paths.length === 0) return;
    const { distributionId, deadlineMs, baseDelayMs, maxDelayMs, sleep, now, random } = this.options;
    const command = new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        // The same batch retried carries the same reference: CloudFront then answers the
        // invalidation it already created rather than creating (and billing) another.
        CallerReference: callerReference,
        Paths: { Quantity: paths.length, Items: [...paths] },
      },
    });
    const deadline = now() + deadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(command);
        return;
      } catch (error) {
        if (!isRetryable(error)) throw error;
        const delay = Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
        if (now() + delay >= deadline) throw error;
        await sleep(delay);
      }
    }
  }
}

function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $retryable } = error as { name?: unknown; $retryable?: { throttling?: boolean } };
  return (typeof name === 'string' && RETRYABLE.has(name)) || $retryable?.throttling === true;
}
