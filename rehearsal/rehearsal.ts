/**
 * The deploy rehearsal: the synthesized stack run on this machine. Reads the template
 * and bundles from a cloud assembly (`cdk.out`), checks that every resource is one it
 * emulates or one without runtime behaviour here, creates the tables in DynamoDB Local,
 * starts every function from its bundle behind the IAM-checking DynamoDB proxy, and
 * serves the API as the template defines it.
 *
 * Every refused call (DynamoDB action, function invoke permission, editor invoke) and
 * every failed invocation is recorded; `report()` summarizes them and `ok` is false when
 * there is any.
 */
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { type EditorCredential, userArn } from '../local/sigv4.ts';
import { buildApi } from './api.ts';
import { type Caller, type Denial, startDynamoDbProxy } from './dynamodb-proxy.ts';
import { UnsupportedTemplateError } from './errors.ts';
import { type FunctionError, startGateway } from './gateway.ts';
import { unattachedManagedPolicyStatements } from './iam.ts';
import { FunctionPool, type FunctionSpec, functionSpec } from './lambda.ts';
import { startSecretsEndpoint } from './secrets.ts';
import { createTable, TABLE_TYPES, tableSpec } from './table.ts';
import { loadStack, Resolver, randomKeyPair } from './template.ts';

/** Resource types the rehearsal runs or checks. */
const EMULATED = new Set<string>([
  ...TABLE_TYPES,
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::SecretsManager::Secret',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
]);

/** Resource types with no behaviour a request to the API could show (named, so nothing else slips by). */
const WITHOUT_RUNTIME_BEHAVIOUR = new Set<string>([
  'AWS::CDK::Metadata',
  'AWS::Logs::LogGroup',
  'AWS::ApiGateway::Account',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
]);

/**
 * Events (API.md "Events"): accepted, and not emulated. Nothing a request to the API
 * answers depends on them; the rehearsal runs no stream, bus or scheduler, so the stream
 * consumer and the go-live function are loaded (their init phase must succeed) but never
 * invoked, and webhooks are never delivered (docs/rehearsal.md).
 */
const EVENTS_NOT_EMULATED = new Map<string, string>([
  ['AWS::Lambda::EventSourceMapping', 'the table stream → consumer mapping: no stream is read'],
  ['AWS::Events::EventBus', 'the events bus: nothing is put on it'],
  ['AWS::Events::Rule', 'webhook rules on the bus: never matched'],
  ['AWS::Events::Connection', 'the webhook connection: no delivery'],
  ['AWS::Events::ApiDestination', 'webhook endpoints: no delivery'],
  ['AWS::Scheduler::ScheduleGroup', 'the go-live schedule group: no schedule is created'],
  ['AWS::SQS::Queue', 'dead-letter queues of failed events: nothing fails into them'],
  ['AWS::SQS::QueuePolicy', "the dead-letter queues' policies (TLS only, EventBridge may send)"],
]);

/**
 * The edge (docs/edge.md): accepted, and not emulated. The rehearsal serves the API's own
 * URL (what `ApiUrl` would be), never a CDN in front of it; the purge function is loaded
 * (its init must succeed) but never invoked, since no event reaches its queue. The local
 * stand-in of the CDN is Varnish (test/e2e/edge.test.ts), not the rehearsal.
 */
const EDGE_NOT_EMULATED = new Map<string, string>([
  ['AWS::CloudFront::Distribution', 'the CDN in front of the public reads: requests go to the API directly'],
  ['AWS::CloudFront::CachePolicy', "the CDN's cache key and TTLs: nothing is cached"],
  ['AWS::CloudFront::OriginRequestPolicy', 'what the CDN forwards to the API: no CDN'],
  ['AWS::CloudFront::Function', 'the edge answer to /editor/* on the CDN: no CDN'],
]);

/** Resource types known and deliberately not emulated, with the reason (ready message, docs). */
export const NOT_EMULATED: ReadonlyMap<string, string> = new Map([
  ...EVENTS_NOT_EMULATED,
  ...EDGE_NOT_EMULATED,
]);

/** Template sections the rehearsal reads, and `Rules` it knows to be deploy-time checks only. */
const KNOWN_RULES = new Set(['CheckBootstrapVersion']);

export interface RehearsalOptions {
  /** The cloud assembly directory (`cdk synth` output). */
  readonly cdkOut: string;
  /** The stack to run when the assembly holds several. */
  readonly stackName?: string;
  /** Port of the API on 127.0.0.1 (0: a free one). */
  readonly port?: number;
  /** An existing DynamoDB endpoint; when absent an in-memory DynamoDB Local is started. */
  readonly dynamodbEndpoint?: string;
  /** The editor's key pair; default a random one. */
  readonly editor?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Most instances per function. */
  readonly maxInstances?: number;
  /** Request lines and the functions' log lines. */
  readonly log?: (line: string) => void;
}

export interface DenialSummary extends Denial {
  readonly count: number;
}

export interface RehearsalReport {
  readonly ok: boolean;
  readonly denials: readonly DenialSummary[];
  readonly functionErrors: readonly (FunctionError & { readonly count: number })[];
  /** DynamoDB calls of an operation the rehearsal does not model. */
  readonly unsupportedCalls: readonly string[];
}

export interface Rehearsal {
  /** Base URL, stage included (what the stack's `ApiUrl` output would be). */
  readonly url: string;
  readonly stackName: string;
  readonly editor: EditorCredential & { readonly userArn: string };
  /** Every function of the template; `api`: an integration of the API (the others are loaded, never invoked). */
  readonly functions: readonly (Pick<FunctionSpec, 'name' | 'logicalId' | 'functionName'> & {
    readonly api: boolean;
  })[];
  readonly tables: readonly string[];
  readonly dynamodbEndpoint: string;
  report(): RehearsalReport;
  /** Stops everything this rehearsal started; returns the final report. Idempotent. */
  close(): Promise<RehearsalReport>;
}

/** Stops the run on a resource type or template section it does not know. */
export function checkInventory(resolver: Resolver): void {
  for (const [logicalId, resource] of resolver.resources()) {
    if (
      !EMULATED.has(resource.Type) &&
      !WITHOUT_RUNTIME_BEHAVIOUR.has(resource.Type) &&
      !NOT_EMULATED.has(resource.Type)
    ) {
      throw new UnsupportedTemplateError(logicalId, `resource type ${resource.Type}`);
    }
  }
  for (const rule of Object.keys(resolver.template.Rules ?? {})) {
    if (!KNOWN_RULES.has(rule)) throw new UnsupportedTemplateError(`Rules.${rule}`, 'a template rule');
  }
}

function group<T extends object>(items: readonly T[], key: (item: T) => string): (T & { count: number })[] {
  const groups = new Map<string, T & { count: number }>();
  for (const item of items) {
    const k = key(item);
    const existing = groups.get(k);
    if (existing) existing.count++;
    else groups.set(k, { ...item, count: 1 });
  }
  return [...groups.values()];
}

export async function startRehearsal(options: RehearsalOptions): Promise<Rehearsal> {
  const log = options.log ?? (() => {});
  const stack = loadStack(options.cdkOut, options.stackName);
  const resolver = new Resolver(stack.stackName, stack.template);
  checkInventory(resolver);
  const api = buildApi(resolver);
  const tables = resolver
    .resources()
    .filter(([, resource]) => (TABLE_TYPES as readonly string[]).includes(resource.Type))
    .map(([id]) => tableSpec(resolver, id));

  const denials: Denial[] = [];
  const functionErrors: FunctionError[] = [];
  const onDenial = (denial: Denial) => {
    denials.push(denial);
    log(`DENIED ${denial.function}: ${denial.action} on ${denial.resource} (${denial.operation})`);
  };
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };

  try {
    let upstream = options.dynamodbEndpoint;
    const callers = new Map<string, Caller>();
    // The proxy starts first: each function's environment names its endpoint.
    const proxy = await startDynamoDbProxy({ upstream: () => upstream ?? '', callers, onDenial });
    cleanups.push(() => proxy.close());
    // Secrets Manager likewise: the template's secrets, each read checked against IAM.
    const secrets = await startSecretsEndpoint({ resolver, callers, onDenial });
    cleanups.push(() => secrets.close());

    const specs = resolver
      .resources()
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([id]) =>
        functionSpec(resolver, stack.cdkOut, id, {
          dynamodbEndpoint: proxy.endpoint,
          secretsManagerEndpoint: secrets.endpoint,
          ...(options.maxInstances === undefined ? {} : { maxInstances: options.maxInstances }),
        }),
      );
    for (const spec of specs) {
      callers.set(spec.accessKeyId, {
        name: spec.name,
        logicalId: spec.logicalId,
        principalArn: spec.principalArn,
        statements: spec.statements,
      });
    }

    if (upstream === undefined) {
      const ddb = await startDynamoDbLocal({});
      cleanups.push(() => ddb.stop());
      upstream = ddb.endpoint;
    }
    for (const table of tables) await createTable(upstream, table);

    const pools = specs.map((spec) => new FunctionPool(spec, log));
    cleanups.push(() => {
      for (const pool of pools) pool.close();
    });
    // All init phases at once; the first load error stops the rehearsal.
    await Promise.all(pools.map((pool) => pool.init()));

    // The functions the API integrates; the others (events) only had their init phase checked.
    const integrated = new Set<string>();
    const visit = (node: typeof api.root): void => {
      for (const method of node.methods.values()) {
        if (method.integration.kind === 'lambda-proxy') integrated.add(method.integration.functionArn);
      }
      for (const child of node.children) visit(child);
    };
    visit(api.root);

    const keys = options.editor ?? randomKeyPair('AKIA');
    const editor = { ...keys, userName: 'newsdesk-editor', userArn: userArn('newsdesk-editor') };
    const gateway = await startGateway({
      api,
      functions: new Map(pools.map((pool) => [pool.spec.arn, pool])),
      editor,
      editorStatements: unattachedManagedPolicyStatements(resolver),
      port: options.port ?? 0,
      log,
      onDenial,
      onFunctionError: (error) => {
        functionErrors.push(error);
        log(`FUNCTION ERROR ${error.function}: ${error.errorType}: ${error.errorMessage}`);
      },
    });
    cleanups.push(() => gateway.close());

    const report = (): RehearsalReport => ({
      ok: denials.length === 0 && functionErrors.length === 0 && proxy.unsupported.length === 0,
      denials: group(denials, (d) => `${d.function}|${d.action}|${d.resource}`),
      functionErrors: group(functionErrors, (e) => `${e.function}|${e.errorType}|${e.errorMessage}`),
      unsupportedCalls: [...new Set(proxy.unsupported)],
    });
    let closing: Promise<RehearsalReport> | undefined;
    return {
      url: gateway.url,
      stackName: stack.stackName,
      editor,
      functions: specs.map(({ name, logicalId, functionName, arn }) => ({
        name,
        logicalId,
        functionName,
        api: integrated.has(arn),
      })),
      tables: tables.map((table) => String(table.input.TableName)),
      dynamodbEndpoint: upstream,
      report,
      close: () => {
        closing ??= stopAll().then(report);
        return closing;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The report as text: one line per distinct denial and function error. */
export function formatReport(report: RehearsalReport): string {
  if (report.ok) return 'Rehearsal report: no denials, no function errors.';
  const lines = ['Rehearsal report: FAILED'];
  for (const d of report.denials) {
    lines.push(
      `  DENIED  ${d.function} (${d.logicalId}): ${d.action} on ${d.resource}  [${d.operation}] x${d.count}`,
    );
  }
  for (const e of report.functionErrors) {
    lines.push(`  ERROR   ${e.function}: ${e.errorType}: ${e.errorMessage} x${e.count}`);
  }
  for (const call of report.unsupportedCalls) lines.push(`  UNSUPPORTED  ${call}`);
  return lines.join('\n');
}
