/**
 * The rehearsal's pure parts: which IAM authorizations a DynamoDB request needs, IAM
 * policy evaluation, and API Gateway's route precedence.
 */
import { describe, expect, it } from 'vitest';
import { type ApiResource, matchRoute } from '../../rehearsal/api.ts';
import { accessDeniedBody, authorizationsFor, tableArn } from '../../rehearsal/dynamodb-proxy.ts';
import { evaluate, type Statement } from '../../rehearsal/iam.ts';

const TABLE = tableArn('articles');

describe('authorizationsFor', () => {
  it('names the index ARN for a Query on an index, the table otherwise', () => {
    expect(authorizationsFor('Query', { TableName: 'articles', IndexName: 'byStatus' })).toEqual([
      { action: 'dynamodb:Query', resource: `${TABLE}/index/byStatus` },
    ]);
    expect(authorizationsFor('GetItem', { TableName: 'articles' })).toEqual([
      { action: 'dynamodb:GetItem', resource: TABLE },
    ]);
  });

  it('authorizes each item of a transaction by its own action', () => {
    const items = [
      { Put: { TableName: 'articles' } },
      { Update: { TableName: 'articles' } },
      { Delete: { TableName: 'articles' } },
      { ConditionCheck: { TableName: 'articles' } },
    ];
    expect(authorizationsFor('TransactWriteItems', { TransactItems: items }).map((a) => a.action)).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ]);
  });

  it('authorizes a batch per table and refuses operations it does not model', () => {
    expect(authorizationsFor('BatchGetItem', { RequestItems: { a: {}, b: {} } })).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: tableArn('a') },
      { action: 'dynamodb:BatchGetItem', resource: tableArn('b') },
    ]);
    expect(() => authorizationsFor('ExecuteStatement', {})).toThrow(/ExecuteStatement/);
  });

  it('words a denial exactly as DynamoDB does', () => {
    const body = JSON.parse(
      accessDeniedBody(
        { principalArn: 'arn:aws:sts::000000000000:assumed-role/r/f' },
        { action: 'dynamodb:GetItem', resource: TABLE },
      ),
    ) as { __type: string; message: string };
    expect(body.__type).toBe('com.amazonaws.dynamodb.v20120810#AccessDeniedException');
    expect(body.message).toBe(
      `User: arn:aws:sts::000000000000:assumed-role/r/f is not authorized to perform: dynamodb:GetItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:GetItem action`,
    );
  });
});

describe('evaluate', () => {
  const allow = (actions: string[], resources: string[]): Statement => ({
    effect: 'Allow',
    actions,
    resources,
    source: 't',
  });

  it('matches actions case-insensitively with wildcards, resources exactly with wildcards', () => {
    const statements = [allow(['dynamodb:Get*'], [TABLE]), allow(['dynamodb:Query'], [`${TABLE}/index/*`])];
    expect(evaluate(statements, 'dynamodb:getitem', TABLE).allowed).toBe(true);
    expect(evaluate(statements, 'dynamodb:Query', TABLE).allowed).toBe(false);
    expect(evaluate(statements, 'dynamodb:Query', `${TABLE}/index/all`).allowed).toBe(true);
    expect(evaluate(statements, 'dynamodb:GetItem', `${TABLE}x`).allowed).toBe(false);
  });

  it('lets an explicit Deny win and honours NotAction', () => {
    const statements: Statement[] = [
      { effect: 'Allow', notActions: ['dynamodb:Delete*'], resources: ['*'], source: 'a' },
      { effect: 'Deny', actions: ['dynamodb:PutItem'], resources: [TABLE], source: 'd' },
    ];
    expect(evaluate(statements, 'dynamodb:GetItem', TABLE).allowed).toBe(true);
    expect(evaluate(statements, 'dynamodb:DeleteItem', TABLE).allowed).toBe(false);
    expect(evaluate(statements, 'dynamodb:PutItem', TABLE)).toMatchObject({
      allowed: false,
      statement: { source: 'd' },
    });
  });
});

describe('matchRoute', () => {
  const node = (
    pathPart: string,
    path: string,
    children: ApiResource[] = [],
    methods = ['GET'],
  ): ApiResource => ({
    id: path,
    logicalId: path,
    pathPart,
    path,
    children,
    methods: new Map(
      methods.map((m) => [
        m,
        {
          logicalId: m,
          httpMethod: m,
          authorization: 'NONE',
          integration: { kind: 'lambda-proxy', functionArn: 'f', timeoutMs: 1 },
        },
      ]),
    ),
  });
  const root = node('', '/', [
    node('articles', '/articles', [node('{slug}', '/articles/{slug}'), node('feed', '/articles/feed')]),
    node('{proxy+}', '/{proxy+}', [], ['ANY']),
  ]);

  it('prefers a literal segment, then a parameter, then the greedy proxy (backtracking)', () => {
    expect(matchRoute(root, ['articles', 'feed'])?.resource.path).toBe('/articles/feed');
    expect(matchRoute(root, ['articles', 'a%20b'])).toMatchObject({
      resource: { path: '/articles/{slug}' },
      pathParameters: { slug: 'a b' },
    });
    expect(matchRoute(root, ['articles', 'a', 'b'])).toMatchObject({
      resource: { path: '/{proxy+}' },
      pathParameters: { proxy: 'articles/a/b' },
    });
    expect(matchRoute(root, [])?.resource.path).toBe('/');
  });
});
