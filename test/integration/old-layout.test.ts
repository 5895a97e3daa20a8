import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { hasOldLayout } from '../../local/dynamodb-local.ts';
import { createTestTable, localService } from '../support/dynamodb.ts';

const EDITOR = 'arn:aws:iam::000000000000:user/alice';

describe('a table written by the previous storage layout', () => {
  it('is recognised, so that the local server refuses it rather than misread it', async () => {
    const { client, tableName } = await localService();
    // As Newsdesk 0.1 wrote a head: binary content and a digest, no ETag.
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'ARTICLE#old',
          sk: 'A',
          slug: 'old',
          title: 'Old',
          status: 'published',
          version: 1,
          chunks: 0,
          nonce: 'bm9uY2Vub25jZW5v',
          digest: 'x'.repeat(22),
          content: new Uint8Array([0, 0, 0, 0, 1, 65]),
          gsi2pk: 'ALL',
          gsi2sk: '2024-01-01T00:00:00.000Z#x~',
        },
      }),
    );
    expect(await hasOldLayout(inject('dynamodbEndpoint'), tableName)).toBe(true);
  });

  it('is not confused with an empty table or one in the current layout', async () => {
    const { client, tableName, service } = await localService();
    const endpoint = inject('dynamodbEndpoint');
    expect(await hasOldLayout(endpoint, tableName)).toBe(false);
    await service.create(
      {
        slug: 'new',
        title: 'New',
        summary: null,
        body: 'Body',
        author: null,
        tags: [],
        status: 'published',
        publishedAt: null,
      },
      EDITOR,
    );
    expect(await hasOldLayout(endpoint, tableName)).toBe(false);
    expect(await hasOldLayout(endpoint, await createTestTable(client))).toBe(false);
  });
});
