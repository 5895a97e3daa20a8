/**
 * The environment a function process gets in AWS Lambda: the variables of the function
 * (from the synthesized template, CloudFormation references replaced by plausible values)
 * plus those the Lambda runtime sets, with dummy credentials. Children of the bench get
 * this environment and nothing else (no NODE_OPTIONS or loader of the parent leaks in).
 */

export const BENCH_REGION = 'us-east-1';
/** 64 alphanumerics, like the generated cursor secret. */
export const BENCH_CURSOR_SECRET = 'BenchCursorSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK';
export const BENCH_TABLE_NAME = 'Newsdesk-ArticlesTable867D7F42-BENCH0000000';
/** The reference's table (so that the stub can tell its GetItem from the functions'). */
export const BENCH_REFERENCE_TABLE_NAME = 'Reference-Table-BENCH0000000';

/** Values for the variables whose template value is a CloudFormation reference. */
const REFERENCE_VALUES: Readonly<Record<string, string>> = {
  TABLE_NAME: BENCH_TABLE_NAME,
  CURSOR_SECRET: BENCH_CURSOR_SECRET,
};

/** Template variables → strings; a reference the bench does not know is an error, not a guess. */
export function resolveEnvironment(variables: Readonly<Record<string, unknown>>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') {
      resolved[name] = value;
      continue;
    }
    const substitute = REFERENCE_VALUES[name];
    if (substitute === undefined) {
      throw new Error(
        `environment variable ${name} is a CloudFormation reference (${JSON.stringify(value)}); give it a value in bench/env.ts`,
      );
    }
    resolved[name] = substitute;
  }
  return resolved;
}

export interface LambdaIdentity {
  readonly functionName: string;
  readonly memorySize: number;
  /** e.g. `nodejs24.x` */
  readonly runtime: string;
}

/** What the Lambda runtime adds to every function's environment (documented reserved variables). */
export function runtimeEnvironment(identity: LambdaIdentity): Record<string, string> {
  return {
    AWS_REGION: BENCH_REGION,
    AWS_DEFAULT_REGION: BENCH_REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${identity.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: identity.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(identity.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${identity.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
    _X_AMZN_TRACE_ID: 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1',
    _HANDLER: 'index.handler',
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    // Dummy credentials, as the execution role's session credentials arrive.
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench/bench/bench/bench/bench/bench/benc',
    AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEBenchSessionTokenBenchSessionTokenBenchSessionToken',
    // Lambda runs Node 24, where the SDK has nothing to warn about; this machine may run
    // an older Node, whose one-time warning would only add noise to both sides.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** The full environment of a bench child: runtime variables, then the function's own, then `extra`. */
export function childEnvironment(
  identity: LambdaIdentity,
  functionVariables: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...runtimeEnvironment(identity),
    ...functionVariables,
    ...extra,
  };
}
