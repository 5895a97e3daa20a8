import { PROBLEMS, type ProblemCode } from './contract.ts';

/**
 * Request and rule errors. Each carries what its problem+json response needs (status and
 * title come from the contract's problem list); `functions/core/http.ts` turns them, and
 * the store's outcomes (store/errors.ts), into responses in one place. Anything else
 * becomes a generic 500 with no detail.
 */

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface ProblemOptions {
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly headers?: Readonly<Record<string, string>>;
}

export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly detail: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  readonly status: number;
  readonly title: string;

  constructor(
    /** Short, stable slug naming the problem type (becomes part of `type`). */
    readonly code: ProblemCode,
    options: ProblemOptions,
  ) {
    super(options.detail);
    this.status = PROBLEMS[code].status;
    this.title = PROBLEMS[code].title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export class ValidationError extends ProblemError {
  constructor(detail: string, errors: readonly FieldError[] = []) {
    super('validation-error', { detail, errors });
  }
}

export class BadRequestError extends ProblemError {
  constructor(detail: string) {
    super('bad-request', { detail });
  }
}

export class ForbiddenError extends ProblemError {
  constructor(detail: string) {
    super('forbidden', { detail });
  }
}

export class NotFoundError extends ProblemError {
  constructor(detail: string) {
    super('not-found', { detail });
  }
}

export class PreconditionFailedError extends ProblemError {
  constructor(detail = 'The article has changed since the ETag in If-Match was issued; fetch it again.') {
    super('precondition-failed', { detail });
  }
}

export class PayloadTooLargeError extends ProblemError {
  constructor(limit: number) {
    super('payload-too-large', {
      detail: `The request body is larger than ${limit} bytes.`,
    });
  }
}

export class UnsupportedMediaTypeError extends ProblemError {
  constructor() {
    super('unsupported-media-type', {
      detail: 'The request body must be JSON, sent with Content-Type: application/json.',
    });
  }
}

export class PreconditionRequiredError extends ProblemError {
  constructor() {
    super('precondition-required', {
      detail: 'Send the ETag of the version you edited in an If-Match header.',
    });
  }
}

export class ServiceUnavailableError extends ProblemError {
  constructor(retryAfterSeconds = 1) {
    super('service-unavailable', {
      detail: 'The article store is busy or unavailable; retry after the time in Retry-After.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export class IdempotencyKeyReusedError extends ProblemError {
  constructor() {
    super('idempotency-key-reused', {
      detail:
        'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
    });
  }
}
