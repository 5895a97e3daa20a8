/**
 * The template's Lambda functions, run from their bundles in `cdk.out` (the code that
 * would be uploaded, not the sources): one child process per function instance, started
 * with exactly the environment Lambda would give it (the template's variables, resolved,
 * plus Lambda's own `AWS_*`, `LAMBDA_*` and `_HANDLER` variables and role session
 * credentials), nothing inherited from this process.
 *
 * Like Lambda, an instance runs one invocation at a time; a function scales out to
 * more instances (up to a cap) when its instances are busy, and an instance that times
 * out or crashes is discarded.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { FunctionLoadError, TemplateError, UnsupportedTemplateError } from './errors.ts';
import { roleStatements, type Statement } from './iam.ts';
import type { InstanceMessage, InvokeMessage } from './lambda-bootstrap.ts';
import {
  ACCOUNT_ID,
  checkProperties,
  type JsonObject,
  PARTITION,
  REGION,
  type Resolver,
  randomKeyPair,
} from './template.ts';

const FUNCTION_KEYS = [
  'Code',
  'Handler',
  'Runtime',
  'Role',
  'Environment',
  'MemorySize',
  'Timeout',
  'FunctionName',
  'Description',
  'ReservedConcurrentExecutions',
  // No behaviour a local run can show:
  'Architectures',
  'TracingConfig',
  'LoggingConfig',
  'Tags',
  'EphemeralStorage',
  'KmsKeyArn',
  'RuntimeManagementConfig',
  'DeadLetterConfig',
];

/** Variables Lambda sets itself and refuses in a function's configuration. */
const RESERVED = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Lambda's limit on a synchronous response payload. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** Lambda's limit on the init phase. */
const INIT_TIMEOUT_MS = 10_000;

export interface FunctionSpec {
  readonly logicalId: string;
  /** Display name: the construct path without the stack (e.g. `GetArticle/Function`). */
  readonly name: string;
  readonly functionName: string;
  readonly arn: string;
  readonly codeDir: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxInstances: number;
  readonly roleId: string;
  readonly principalArn: string;
  readonly accessKeyId: string;
  readonly statements: readonly Statement[];
}

export interface FunctionSpecOptions {
  /** The DynamoDB endpoint the function's SDK is pointed at (`AWS_ENDPOINT_URL_DYNAMODB`). */
  readonly dynamodbEndpoint: string;
  /** The Secrets Manager stand-in that checks each call against the function's policies. */
  readonly secretsManagerEndpoint?: string;
  /** Most instances per function (default 3). */
  readonly maxInstances?: number;
}

/** The construct path of a resource without the stack name and `/Resource`, or its logical id. */
export function displayName(resolver: Resolver, logicalId: string): string {
  const path = resolver.resource(logicalId).Metadata?.['aws:cdk:path'];
  if (typeof path !== 'string') return logicalId;
  return path.replace(/^[^/]+\//, '').replace(/\/Resource$/, '');
}

/** Where a function's bundle is in cdk.out: the asset directory of its code. */
function codeDirectory(resolver: Resolver, cdkOut: string, logicalId: string, code: JsonObject): string {
  const assetPath = resolver.resource(logicalId).Metadata?.['aws:asset:path'];
  const key = code.S3Key;
  const candidates = [
    ...(typeof assetPath === 'string' ? [join(cdkOut, assetPath)] : []),
    ...(typeof key === 'string' ? [join(cdkOut, `asset.${key.replace(/\.zip$/, '')}`)] : []),
  ];
  if (code.ZipFile !== undefined || code.ImageUri !== undefined) {
    throw new UnsupportedTemplateError(
      logicalId,
      `Lambda code other than an S3 asset (${Object.keys(code).join(', ')})`,
    );
  }
  const found = candidates.find((dir) => existsSync(dir));
  if (found === undefined) {
    throw new TemplateError(
      logicalId,
      `bundle not found in ${cdkOut} (looked for ${candidates.join(', ') || 'an asset path'})`,
    );
  }
  return found;
}

/** Everything needed to run one function, from its template resource. */
export function functionSpec(
  resolver: Resolver,
  cdkOut: string,
  logicalId: string,
  options: FunctionSpecOptions,
): FunctionSpec {
  const raw = resolver.resource(logicalId).Properties ?? {};
  checkProperties(logicalId, 'AWS::Lambda::Function', raw, FUNCTION_KEYS);
  const properties = resolver.properties(logicalId);
  const runtime = String(properties.Runtime ?? '');
  if (!/^nodejs\d+\.x$/.test(runtime))
    throw new UnsupportedTemplateError(logicalId, `runtime ${runtime || '(none)'}`);
  const handler = properties.Handler;
  if (typeof handler !== 'string') throw new TemplateError(logicalId, 'has no Handler');

  // The role must be the template's own (its policies are what is checked).
  const roleRef = (raw.Role as JsonObject | undefined)?.['Fn::GetAtt'];
  const roleId = Array.isArray(roleRef) ? String(roleRef[0]) : undefined;
  if (roleId === undefined)
    throw new UnsupportedTemplateError(logicalId, 'a Role that is not a role of this template');
  const statements = roleStatements(resolver, roleId, 'lambda.amazonaws.com');

  const functionName = resolver.physicalId(logicalId);
  const roleName = resolver.physicalId(roleId);
  const memory = Number(properties.MemorySize ?? 128);
  const timeoutSeconds = Number(properties.Timeout ?? 3);
  const logGroup = (properties.LoggingConfig as JsonObject | undefined)?.LogGroup;
  const tracing = (properties.TracingConfig as JsonObject | undefined)?.Mode === 'Active';
  const variables = ((properties.Environment as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
  const codeDir = codeDirectory(resolver, cdkOut, logicalId, (properties.Code ?? {}) as JsonObject);

  const configured: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (RESERVED.has(name))
      throw new TemplateError(logicalId, `environment variable ${name} is reserved by Lambda`);
    if (name.startsWith('AWS_ENDPOINT_URL')) {
      throw new UnsupportedTemplateError(
        logicalId,
        `environment variable ${name} (it would bypass the checked endpoint)`,
      );
    }
    if (typeof value !== 'string')
      throw new TemplateError(logicalId, `environment variable ${name} is not a string`);
    configured[name] = value;
  }
  const session = randomKeyPair('ASIA');
  const environment: Record<string, string> = {
    ...configured,
    // What Lambda sets for every Node.js function.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: typeof logGroup === 'string' ? logGroup : `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: randomBytes(48).toString('base64'),
    LAMBDA_TASK_ROOT: codeDir,
    LAMBDA_RUNTIME_DIR: codeDir,
    _HANDLER: handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    NODE_PATH: '/opt/nodejs/node_modules:/var/runtime/node_modules',
    ...(tracing ? { AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR', AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000' } : {}),
    // Local stand-ins: the regional DynamoDB endpoint is the checking proxy; and this
    // machine's Node.js may be older than the runtime's, so the SDK's notice about it is noise.
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
    ...(options.secretsManagerEndpoint === undefined
      ? {}
      : { AWS_ENDPOINT_URL_SECRETS_MANAGER: options.secretsManagerEndpoint }),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const reserved = Number(properties.ReservedConcurrentExecutions ?? Number.POSITIVE_INFINITY);
  if (reserved === 0)
    throw new UnsupportedTemplateError(logicalId, 'ReservedConcurrentExecutions 0 (always throttled)');
  return {
    logicalId,
    name: displayName(resolver, logicalId),
    functionName,
    arn: `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
    codeDir,
    environment,
    timeoutMs: timeoutSeconds * 1000,
    maxInstances: Math.min(options.maxInstances ?? 3, reserved),
    roleId,
    principalArn: `arn:${PARTITION}:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${functionName}`,
    accessKeyId: session.accessKeyId,
    statements,
  };
}

/** How an invocation ended, as Lambda reports it to API Gateway. */
export type InvokeOutcome =
  | { readonly ok: true; readonly payload: string }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

let bootstrapFile: { dir: string; file: string } | undefined;

/** The runtime stand-in, compiled once per process from lambda-bootstrap.ts into a temp dir. */
async function bootstrap(): Promise<string> {
  if (bootstrapFile === undefined) {
    const source = readFileSync(new URL('./lambda-bootstrap.ts', import.meta.url), 'utf8');
    const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-rehearsal-runtime-'));
    const file = join(dir, 'bootstrap.mjs');
    writeFileSync(file, code);
    bootstrapFile = { dir, file };
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return bootstrapFile.file;
}

interface Pending {
  readonly resolve: (outcome: InvokeOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** One execution environment: a child process running the bootstrap. */
class Instance {
  readonly child: ChildProcess;
  busy = false;
  dead = false;
  /** The init phase has finished. */
  initialized = false;
  private readonly ready: Promise<void>;
  private pending: Pending | undefined;
  private nextId = 1;
  private readonly tail: string[] = [];

  constructor(
    readonly spec: FunctionSpec,
    file: string,
    log: (line: string) => void,
  ) {
    this.child = fork(file, [], {
      cwd: spec.codeDir,
      env: spec.environment,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.tail.push(line);
        if (this.tail.length > 20) this.tail.shift();
        log(`[${spec.name}] ${line}`);
      }
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new FunctionLoadError(spec.name, `init did not finish within ${INIT_TIMEOUT_MS / 1000} s`));
      }, INIT_TIMEOUT_MS);
      this.child.on('message', (message: InstanceMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.initialized = true;
          resolve();
        } else if (message.type === 'init-error') {
          clearTimeout(timer);
          this.kill();
          reject(new FunctionLoadError(spec.name, `${message.errorType}: ${message.errorMessage}`));
        } else this.settle(message);
      });
      this.child.once('exit', (code, signal) => {
        this.dead = true;
        clearTimeout(timer);
        const detail = `Runtime.ExitError: exited (${code ?? signal}) ${this.tail.slice(-5).join(' | ')}`;
        reject(new FunctionLoadError(spec.name, detail));
        this.finish({ ok: false, errorType: 'Runtime.ExitError', errorMessage: detail });
      });
    });
    // A rejection nobody awaits yet must not crash this process.
    this.ready.catch(() => {});
  }

  init(): Promise<void> {
    return this.ready;
  }

  private finish(outcome: InvokeOutcome): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.busy = false;
    pending.resolve(outcome);
  }

  private settle(message: InstanceMessage): void {
    if (message.type === 'result') {
      this.finish(
        Buffer.byteLength(message.payload) > MAX_RESPONSE_BYTES
          ? {
              ok: false,
              errorType: 'Function.ResponseSizeTooLarge',
              errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
            }
          : { ok: true, payload: message.payload },
      );
    } else if (message.type === 'error') {
      this.finish({ ok: false, errorType: message.errorType, errorMessage: message.errorMessage });
    }
  }

  invoke(event: string, traceId: string): Promise<InvokeOutcome> {
    this.busy = true;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda ends a timed-out invocation by discarding the execution environment.
        this.kill();
        this.finish({
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${(this.spec.timeoutMs / 1000).toFixed(2)} seconds`,
        });
      }, this.spec.timeoutMs);
      this.pending = { resolve, timer };
      const message: InvokeMessage = {
        type: 'invoke',
        id: this.nextId++,
        event,
        awsRequestId: randomUUID(),
        deadlineMs: Date.now() + this.spec.timeoutMs,
        traceId,
        invokedFunctionArn: this.spec.arn,
      };
      this.child.send(message);
    });
  }

  kill(): void {
    this.dead = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** The instances of one function: reuses an idle one, starts another while under the cap, else queues. */
export class FunctionPool {
  private readonly instances: Instance[] = [];
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly spec: FunctionSpec,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts an instance; `reserved` keeps it busy for the caller that started it. */
  private async start(reserved: boolean): Promise<Instance> {
    const instance = new Instance(this.spec, await bootstrap(), this.log);
    instance.busy = reserved;
    this.instances.push(instance);
    instance.child.once('exit', () => {
      this.instances.splice(this.instances.indexOf(instance), 1);
      this.waiting.shift()?.();
    });
    await instance.init();
    return instance;
  }

  /** Starts the first instance and waits for its init phase (a load error rejects). */
  async init(): Promise<void> {
    await this.start(false);
  }

  private async acquire(): Promise<Instance> {
    for (;;) {
      if (this.closed) throw new Error(`${this.spec.name}: the rehearsal is closing`);
      const idle = this.instances.find(
        (instance) => instance.initialized && !instance.busy && !instance.dead,
      );
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.instances.length < this.spec.maxInstances) {
        return await this.start(true);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  async invoke(event: string, traceId: string): Promise<InvokeOutcome> {
    let instance: Instance;
    try {
      instance = await this.acquire();
    } catch (error) {
      return {
        ok: false,
        errorType: 'Runtime.InitError',
        errorMessage: error instanceof Error ? error.message : String(error),
      };
    }
    const outcome = await instance.invoke(event, traceId);
    this.waiting.shift()?.();
    return outcome;
  }

  close(): void {
    this.closed = true;
    for (const instance of this.instances) instance.kill();
    for (const wake of this.waiting.splice(0)) wake();
  }
}
