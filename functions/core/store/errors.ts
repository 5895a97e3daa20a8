/**
 * What a store operation can report besides success. These are storage outcomes, not
 * HTTP answers: functions/core/http.ts decides which status each one gets.
 */

/** The slug has been used before (by a live or a taken-down article). */
export class SlugTakenError extends Error {
  override name = 'SlugTakenError';
  constructor(readonly slug: string) {
    super(`the slug "${slug}" is taken`);
  }
}

/** The article is no longer at the version a write was based on. */
export class VersionMismatchError extends Error {
  override name = 'VersionMismatchError';
  constructor() {
    super('the article has another current version');
  }
}

/** The article a write was based on is gone (taken down meanwhile). */
export class ArticleGoneError extends Error {
  override name = 'ArticleGoneError';
  constructor() {
    super('the article is gone');
  }
}

/** The database is throttling, failing or out of reach (after the SDK's own retries). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('the article store is unavailable', options);
  }
}

/** A list was asked to continue after a key that is not one of its own. */
export class InvalidStartKeyError extends Error {
  override name = 'InvalidStartKeyError';
  constructor() {
    super('the start key does not belong to this list');
  }
}

/** The idempotency key of a create is already recorded (and not expired). */
export class IdempotencyKeyUsedError extends Error {
  override name = 'IdempotencyKeyUsedError';
  constructor() {
    super('the idempotency key is recorded');
  }
}
