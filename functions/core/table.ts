/**
 * The one definition of the articles table: key schema, indexes and the attributes
 * they project. The CDK stack, the DynamoDB store, the local server and the tests all
 * import it, so the deployed table and the code that reads it cannot drift apart.
 *
 * Pure data: no AWS SDK or CDK imports, so Lambda bundles stay small.
 */

export type KeyAttribute = { readonly name: string; readonly type: 'S' };

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Non-key attributes copied into the index (projection type INCLUDE). */
  readonly nonKeyAttributes: readonly string[];
}

/** The attributes every list item carries (the list representation of an article). */
export const LIST_ATTRIBUTES = [
  'slug',
  'title',
  'summary',
  'author',
  'tags',
  'status',
  'publishedAt',
  'createdAt',
  'updatedAt',
  'version',
  'createdBy',
  'updatedBy',
] as const;

export const TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch seconds; items carrying it expire (used by idempotency records). */
  ttlAttribute: 'expiresAt',
  indexes: {
    /**
     * Articles by status partition, sorted by time then slug:
     * `PUB` (published and scheduled, sorted by publishedAt) and `DRAFT` (sorted by createdAt).
     * Sparse: taken-down articles carry no keys for it.
     */
    byStatus: {
      name: 'byStatus',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      nonKeyAttributes: LIST_ATTRIBUTES,
    },
    /** Every live article (any status), sorted by createdAt then slug. Sparse like byStatus. */
    all: {
      name: 'all',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
      nonKeyAttributes: LIST_ATTRIBUTES,
    },
  },
} as const satisfies {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  ttlAttribute: string;
  indexes: Record<string, IndexDefinition>;
};

export type IndexName = (typeof TABLE.indexes)[keyof typeof TABLE.indexes]['name'];

/** Every attribute that appears in a key of the table or one of its indexes. */
export const KEY_ATTRIBUTES: readonly KeyAttribute[] = [
  TABLE.partitionKey,
  TABLE.sortKey,
  ...Object.values(TABLE.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
];

/**
 * The CreateTable input for this definition, in the shape of the DynamoDB API
 * (used by the local server and the integration tests; the CDK stack maps the same
 * definition onto its `TableV2` construct).
 */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: KEY_ATTRIBUTES.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.values(TABLE.indexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.nonKeyAttributes] },
    })),
    // The change stream the events are derived from (API.md "Events"): both images, so the
    // consumer sees what a write changed. DynamoDB Local serves it too (local/events/).
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
  };
}
