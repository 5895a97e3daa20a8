import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyAttribute, TABLE } from '../functions/core/table.ts';

export interface ArticlesTableProps {
  /**
   * What happens to the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN (articles are never destroyed by a deployment)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse `DeleteTable` calls, whoever makes them.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: dynamodb.AttributeType.STRING,
});

/**
 * The articles table, mapped from the single definition in `functions/core/table.ts`
 * (key schema, TTL attribute, indexes and their projections), so the deployed table
 * and the store that reads it cannot drift apart.
 *
 * On-demand billing, point-in-time recovery, deletion protection, RETAIN, encryption at
 * rest with an AWS owned key (DynamoDB's default, no KMS cost), and no fixed physical name (CloudFormation names it; the functions get
 * the name through `TABLE_NAME`).
 */
export class ArticlesTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: ArticlesTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: attribute(TABLE.partitionKey),
      sortKey: attribute(TABLE.sortKey),
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryptionV2.dynamoOwnedKey(),
      // The change stream the events come from (lib/events.ts): both images of every change.
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: Object.values(TABLE.indexes).map((index) => ({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.nonKeyAttributes],
      })),
    });
  }
}
