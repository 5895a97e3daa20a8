/**
 * The template's DynamoDB tables, created in DynamoDB Local as CloudFormation would
 * create them: key schema, attribute definitions, global and local secondary indexes
 * with their projections, billing mode, stream settings, and TTL.
 *
 * Properties without behaviour DynamoDB Local could show (encryption, point-in-time
 * recovery, deletion protection, tags, contributor insights, table class) are accepted
 * and listed here; any other property stops the rehearsal.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TemplateError, UnsupportedTemplateError } from './errors.ts';
import { checkProperties, type Json, type JsonObject, REGION, type Resolver } from './template.ts';

export const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'] as const;

const WITHOUT_LOCAL_EFFECT = [
  'SSESpecification',
  'PointInTimeRecoverySpecification',
  'DeletionProtectionEnabled',
  'Tags',
  'ContributorInsightsSpecification',
  'TableClass',
  'WarmThroughput',
];

const TABLE_KEYS = [
  'TableName',
  'AttributeDefinitions',
  'KeySchema',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'ProvisionedThroughput',
  'StreamSpecification',
  'TimeToLiveSpecification',
  ...WITHOUT_LOCAL_EFFECT,
];

/** Replica settings that change nothing for a single-region rehearsal. */
const REPLICA_KEYS = [
  'Region',
  'GlobalSecondaryIndexes',
  'PointInTimeRecoverySpecification',
  'DeletionProtectionEnabled',
  'Tags',
  'ContributorInsightsSpecification',
  'TableClass',
  'SSESpecification',
];

export interface TableSpec {
  readonly logicalId: string;
  readonly input: CreateTableCommandInput;
  readonly ttlAttribute: string | undefined;
}

const arrayOf = (value: Json | undefined): JsonObject[] =>
  Array.isArray(value) ? (value as JsonObject[]) : [];

/** CreateTable input (and TTL attribute) for one table resource. */
export function tableSpec(resolver: Resolver, logicalId: string): TableSpec {
  const resource = resolver.resource(logicalId);
  const properties = resolver.properties(logicalId);
  checkProperties(logicalId, resource.Type, properties, [
    ...TABLE_KEYS,
    ...(resource.Type.endsWith('GlobalTable') ? ['Replicas', 'WriteProvisionedThroughputSettings'] : []),
  ]);

  if (resource.Type === 'AWS::DynamoDB::GlobalTable') {
    const replicas = arrayOf(properties.Replicas);
    if (replicas.length !== 1 || replicas[0]?.Region !== REGION) {
      throw new UnsupportedTemplateError(logicalId, 'replicas in more than the one rehearsed region');
    }
    checkProperties(logicalId, 'replica', replicas[0], REPLICA_KEYS);
  }

  const stream = properties.StreamSpecification as JsonObject | undefined;
  const billing = String(properties.BillingMode ?? 'PROVISIONED');
  const throughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  const indexes = (key: 'GlobalSecondaryIndexes' | 'LocalSecondaryIndexes') =>
    arrayOf(properties[key]).map((index) => {
      checkProperties(logicalId, key, index, [
        'IndexName',
        'KeySchema',
        'Projection',
        'ProvisionedThroughput',
        'ContributorInsightsSpecification',
        'WarmThroughput',
        'WriteProvisionedThroughputSettings',
      ]);
      return {
        IndexName: String(index.IndexName),
        KeySchema: index.KeySchema,
        Projection: index.Projection,
        ...(key === 'GlobalSecondaryIndexes' && billing !== 'PAY_PER_REQUEST'
          ? { ProvisionedThroughput: throughput }
          : {}),
      };
    });
  const gsis = indexes('GlobalSecondaryIndexes');
  const lsis = indexes('LocalSecondaryIndexes');
  const input = {
    TableName: resolver.physicalId(logicalId),
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    BillingMode: billing === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ...(billing === 'PAY_PER_REQUEST' ? {} : { ProvisionedThroughput: throughput }),
    ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis.length > 0 ? { LocalSecondaryIndexes: lsis } : {}),
    ...(stream?.StreamViewType === undefined
      ? {}
      : { StreamSpecification: { StreamEnabled: true, StreamViewType: String(stream.StreamViewType) } }),
  } as CreateTableCommandInput;
  if (!Array.isArray(input.KeySchema) || input.KeySchema.length === 0) {
    throw new TemplateError(logicalId, 'has no KeySchema');
  }
  const ttl = properties.TimeToLiveSpecification as JsonObject | undefined;
  const ttlAttribute =
    ttl?.Enabled === true && typeof ttl.AttributeName === 'string' ? ttl.AttributeName : undefined;
  return { logicalId, input, ttlAttribute };
}

/** Creates the table in DynamoDB Local (waits until ACTIVE) and turns TTL on when the template does. */
export async function createTable(endpoint: string, spec: TableSpec): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' },
    maxAttempts: 1,
  });
  try {
    await client.send(new CreateTableCommand(spec.input));
    for (let i = 0; i < 100; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: spec.input.TableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (spec.ttlAttribute !== undefined) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: spec.input.TableName,
          TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
