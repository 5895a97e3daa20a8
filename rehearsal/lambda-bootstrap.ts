/**
 * The rehearsal's stand-in for the Lambda Node.js runtime, run as the entry point of a
 * child process per function instance (plain `node`, no loader hooks), with the
 * function's code directory as working directory and the function's environment.
 *
 * It loads the handler as the runtime interface client does: `_HANDLER` is
 * `<path/>module.export[.nested]`; the module file is `<module>.js`, `.mjs` or `.cjs` in
 * `LAMBDA_TASK_ROOT`; `.mjs` is an ES module, `.cjs` CommonJS, `.js` an ES module when the
 * nearest package.json says `"type": "module"`. Init errors are reported with the
 * runtime's error types (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, or the
 * error the module threw). Then it runs one invocation at a time, as a Lambda instance does.
 *
 * Compiled by esbuild (transform only) and imports nothing but Node built-ins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the parent sends to invoke the function. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  /** The event, as JSON (Lambda passes the payload as JSON too). */
  readonly event: string;
  readonly awsRequestId: string;
  readonly deadlineMs: number;
  readonly traceId: string;
  readonly invokedFunctionArn: string;
}

/** What the instance sends back. */
export type InstanceMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly errorType: string; readonly errorMessage: string }
  | { readonly type: 'result'; readonly id: number; readonly payload: string }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly errorType: string;
      readonly errorMessage: string;
    };

interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
}

type Handler = (event: unknown, context: LambdaContext) => unknown;

class RuntimeError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

const send = (message: InstanceMessage) => process.send?.(message);

function isEsModule(file: string, taskRoot: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module';
    }
    if (dir === taskRoot || dir === dirname(dir)) return false;
  }
}

async function loadHandler(taskRoot: string, handlerString: string): Promise<Handler> {
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = handlerString.slice(0, slash + 1);
  const match = /^([^.]*)\.(.*)$/.exec(handlerString.slice(slash + 1));
  if (match === null) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName = '', handlerPath = ''] = match;
  const base = resolve(taskRoot, moduleRoot, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  }
  let loaded: unknown;
  try {
    loaded = isEsModule(file, taskRoot)
      ? await import(pathToFileURL(file).href)
      : createRequire(join(taskRoot, 'noop.js'))(file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(error));
    throw error;
  }
  let handler: unknown = loaded;
  for (const key of handlerPath.split('.')) {
    handler =
      typeof handler === 'object' && handler !== null ? (handler as Record<string, unknown>)[key] : undefined;
  }
  if (handler === undefined) {
    throw new RuntimeError(
      'Runtime.HandlerNotFound',
      `${moduleName}.${handlerPath} is undefined or not exported`,
    );
  }
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is not a function`);
  }
  return handler as Handler;
}

const describe = (error: unknown) =>
  error instanceof Error
    ? { errorType: error.name || 'Error', errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };

async function main(): Promise<void> {
  // The rehearsal gone (however it ended), the instance goes too.
  process.on('disconnect', () => process.exit(0));
  const env = process.env;
  const taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
  let handler: Handler;
  try {
    handler = await loadHandler(taskRoot, env._HANDLER ?? '');
  } catch (error) {
    const described = describe(error);
    console.error(`INIT_REPORT Init Error: ${JSON.stringify(described)}`);
    send({ type: 'init-error', ...described });
    return;
  }
  send({ type: 'ready' });

  process.on('message', async (message: InvokeMessage) => {
    if (message.type !== 'invoke') return;
    env._X_AMZN_TRACE_ID = message.traceId;
    const context: LambdaContext = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
      invokedFunctionArn: message.invokedFunctionArn,
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
      awsRequestId: message.awsRequestId,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
      getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    };
    try {
      const result = await handler(JSON.parse(message.event), context);
      // Lambda serializes the result as JSON (undefined becomes null).
      send({ type: 'result', id: message.id, payload: JSON.stringify(result ?? null) });
    } catch (error) {
      const described = describe(error);
      console.error(`ERROR\tInvoke Error\t${JSON.stringify(described)}`);
      send({ type: 'error', id: message.id, ...described });
    }
  });
}

void main();
