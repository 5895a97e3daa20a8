import { join, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../functions/core/routes.ts';
import { indexActions, type StoreOperation, tableActions } from '../functions/core/store/access.ts';
import { TABLE } from '../functions/core/table.ts';
import { BUNDLING } from './bundling.ts';
import { acknowledge } from './nag.ts';
import { PROJECT_ROOT } from './paths.ts';

/** The newest Node.js runtime aws-cdk-lib offers; the bundle targets the same version. */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface NewsdeskFunctionProps {
  /** Handler module, relative to the project root; it must export `handler`. */
  readonly entry: string;
  /**
   * Environment variables of the function.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory in MB.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Timeout; at most 10 s.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN (logs outlive the function for their retention period)
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Human-readable description of the function.
   * @default - none
   */
  readonly description?: string;
  /**
   * How the function is invoked: `api` synchronously by the API Gateway integration (no
   * dead-letter queue could ever receive anything), `event-source` by an event source
   * mapping (its failures go to the mapping's on-failure destination), `asynchronous` (give
   * it a `deadLetterQueue`).
   * @default 'api'
   */
  readonly invocation?: 'api' | 'event-source' | 'asynchronous';
  /**
   * Dead-letter queue of failed asynchronous invocations.
   * @default - none
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** Who uses the table, through which store operations, and which indexes they query. */
export interface StoreAccess {
  /** Names the user in errors (a route id, a function id). */
  readonly id: string;
  readonly store: readonly StoreOperation[];
  readonly indexes: readonly ('byStatus' | 'all')[];
}

/**
 * A `NodejsFunction` with Newsdesk's defaults baked in: the newest Node.js runtime,
 * arm64, an ESM bundle (minified, AWS SDK included, `module` before `main`) built by
 * the local esbuild, X-Ray tracing, its own log group with a retention period, and a
 * role that starts with nothing but the right to write to that log group (no
 * `AWSLambdaBasicExecutionRole`, whose `logs:*` on `*` would outgrow it).
 *
 * Table access is added per route with {@link grantRouteAccess}.
 */
export class NewsdeskFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: NewsdeskFunctionProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(10);
    if (!timeout.isUnresolved() && timeout.toSeconds() > 10) {
      throw new Error(`NewsdeskFunction ${id}: timeout must be at most 10 seconds`);
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Newsdesk ${id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: resolve(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      description: props.description,
      environment: { ...props.environment },
      bundling: BUNDLING,
      ...(props.deadLetterQueue === undefined ? {} : { deadLetterQueue: props.deadLetterQueue }),
    });

    acknowledge(this.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (Tracing.ACTIVE) needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; every other statement of this role names its resources.',
    });
    const invocation = props.invocation ?? 'api';
    if (invocation === 'api') {
      acknowledge(this.function, {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked only synchronously, by the API Gateway Lambda proxy integration: a dead-letter queue (or on-failure destination) only ever receives failed asynchronous invocations, so it would stay empty; a failed request is answered to its caller (5xx) and logged.',
      });
    } else if (invocation === 'event-source') {
      acknowledge(this.function, {
        id: 'Serverless-LambdaDLQ',
        reason:
          "Invoked only by an event source mapping (polling, synchronous invocations): a function dead-letter queue only receives failed asynchronous invocations; the records that keep failing go to the mapping's own on-failure destination (an SQS dead-letter queue with an alarm).",
      });
    }
  }

  /**
   * Grants exactly the DynamoDB actions of the store operations the route uses
   * (functions/core/store/access.ts), on the table and only
   * on the indexes the route queries (index ARNs get only index-level actions, i.e.
   * `dynamodb:Query`).
   */
  grantRouteAccess(table: dynamodb.ITableV2, route: RouteDefinition): void {
    this.grantStoreAccess(table, route);
  }

  /** {@link grantRouteAccess} for any user of the store (a route, or a function that is none). */
  grantStoreAccess(table: dynamodb.ITableV2, route: StoreAccess): void {
    const onTable = tableActions(route.store);
    const onIndexes = indexActions(route.store);
    for (const action of [...onTable, ...onIndexes]) {
      if (!/^dynamodb:[A-Za-z]+$/.test(action) || action === 'dynamodb:Scan') {
        throw new Error(`Route ${route.id}: refusing to grant ${action}`);
      }
    }
    if (route.indexes.length > 0 !== onIndexes.length > 0) {
      throw new Error(`Route ${route.id}: its indexes and its store operations that read indexes disagree`);
    }
    if (onTable.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: onTable, resources: [table.tableArn] }),
      );
    }
    if (onIndexes.length > 0) {
      const indexArns = route.indexes.map((key) => `${table.tableArn}/index/${TABLE.indexes[key].name}`);
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: onIndexes, resources: indexArns }));
    }
  }
}
