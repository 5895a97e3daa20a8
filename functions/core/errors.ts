/**
 * Domain and request errors. Each carries what its problem+json response needs;
 * `functions/core/http.ts` turns them into responses in one place. Anything that
 * is not a `ProblemError` becomes a generic 500 (or a 503 for database
 * unavailability) with no detail.
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

  constructor(
    readonly status: number,
    /** Short, stable slug naming the problem type (becomes part of `type`). */
    readonly code: string,
    readonly title: string,
    options: ProblemOptions,
  ) {
    super(options.detail);
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export class ValidationError extends ProblemError {
  constructor(detail: string, errors: readonly FieldError[] = []) {
    super(400, 'validation-error', 'Bad Request', { detail, errors });
  }
}

export class BadRequestError extends ProblemError {
  constructor(detail: string) {
    super(400, 'bad-request', 'Bad Request', { detail });
  }
}

export class ForbiddenError extends ProblemError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', { detail });
  }
}

export class NotFoundError extends ProblemError {
  constructor(detail: string) {
    super(404, 'not-found', 'Not Found', { detail });
  }
}

export class SlugTakenError extends ProblemError {
  constructor(slug: string) {
    super(409, 'slug-taken', 'Conflict', { detail: `The slug "${slug}" is already taken.` });
  }
}

export class PreconditionFailedError extends ProblemError {
  constructor(detail = 'The article has changed since the ETag in If-Match was issued; fetch it again.') {
    super(412, 'precondition-failed', 'Precondition Failed', { detail });
  }
}

export class PayloadTooLargeError extends ProblemError {
  constructor(limit: number) {
    super(413, 'payload-too-large', 'Payload Too Large', {
      detail: `The request body is larger than ${limit} bytes.`,
    });
  }
}

export class UnsupportedMediaTypeError extends ProblemError {
  constructor() {
    super(415, 'unsupported-media-type', 'Unsupported Media Type', {
      detail: 'The request body must be JSON, sent with Content-Type: application/json.',
    });
  }
}

export class PreconditionRequiredError extends ProblemError {
  constructor() {
    super(428, 'precondition-required', 'Precondition Required', {
      detail: 'Send the ETag of the version you edited in an If-Match header.',
    });
  }
}

export class ServiceUnavailableError extends ProblemError {
  constructor(retryAfterSeconds = 1) {
    super(503, 'service-unavailable', 'Service Unavailable', {
      detail: 'The article store is busy or unavailable; retry after the time in Retry-After.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export class IdempotencyKeyReusedError extends ProblemError {
  constructor() {
    super(422, 'idempotency-key-reused', 'Unprocessable Content', {
      detail:
        'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
    });
  }
}
