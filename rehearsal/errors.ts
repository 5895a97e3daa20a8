/**
 * Why a rehearsal cannot start. Every message names what it is about (the template's
 * logical id, the function, the variable) and what is missing, so a template the
 * rehearsal does not understand stops it loudly instead of being half-emulated.
 */

/** The template holds something the rehearsal cannot emulate (a resource type, a property, an intrinsic). */
export class UnsupportedTemplateError extends Error {
  override name = 'UnsupportedTemplateError';

  constructor(
    /** Logical id of the resource (or `Outputs.X`, `Parameters.X`) the problem is in. */
    readonly logicalId: string,
    /** What is not emulated, e.g. `resource type AWS::SQS::Queue`. */
    readonly feature: string,
  ) {
    super(`${logicalId}: ${feature} is not emulated by the rehearsal`);
  }
}

/** The template is emulated but wrong: a reference to nothing, a function without code, ... */
export class TemplateError extends Error {
  override name = 'TemplateError';

  constructor(
    readonly logicalId: string,
    readonly problem: string,
  ) {
    super(`${logicalId}: ${problem}`);
  }
}

/** A function's bundle failed to load (its init phase threw, or its handler is missing). */
export class FunctionLoadError extends Error {
  override name = 'FunctionLoadError';

  constructor(
    readonly functionId: string,
    readonly detail: string,
  ) {
    super(`function ${functionId} failed to load: ${detail}`);
  }
}
