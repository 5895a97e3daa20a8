import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { EDITOR_ALLOW_HEADERS, EXPOSE_HEADERS, PUBLIC_ALLOW_HEADERS } from '../../functions/core/contract.ts';
import { ROUTES, type RouteDefinition } from '../../functions/core/routes.ts';
import { KEY_ATTRIBUTES, TABLE } from '../../functions/core/table.ts';
import { flattenCfnReference } from '../../lib/nag.ts';
import { NewsdeskStack } from '../../lib/newsdesk-stack.ts';
import { cdkJsonContext, type Synthesized, synthesize } from './synth.ts';

type Json = Record<string, unknown>;
type Resource = {
  Type: string;
  Properties?: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Json;
};

let synth: Synthesized;
let resources: Record<string, Resource>;

beforeAll(() => {
  synth = synthesize();
  resources = synth.template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const props = (resource: Resource): Json => resource.Properties ?? {};
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const logicalId = (construct: { node: { defaultChild?: unknown } }): string => {
  const child = construct.node.defaultChild;
  if (!child) throw new Error('construct has no default child');
  return synth.stack.getLogicalId(child as Parameters<Stack['getLogicalId']>[0]);
};

/** Full path of every API Gateway resource, by logical id (`/` for the root). */
function resourcePaths(): Map<string, string> {
  const parts = new Map(ofType('AWS::ApiGateway::Resource').map(([id, r]) => [id, props(r)]));
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known) return known;
    const part = parts.get(id);
    if (!part) throw new Error(`unknown resource ${id}`);
    const parent = part.ParentId as Json;
    const parentPath = 'Ref' in parent ? pathOf(parent.Ref as string) : '';
    const path = `${parentPath}/${part.PathPart as string}`;
    paths.set(id, path);
    return path;
  };
  for (const id of parts.keys()) pathOf(id);
  return paths;
}

interface MethodInfo {
  readonly path: string;
  readonly httpMethod: string;
  readonly properties: Json;
}

function methods(): MethodInfo[] {
  const paths = resourcePaths();
  return ofType('AWS::ApiGateway::Method').map(([, r]) => {
    const p = props(r);
    const resourceId = p.ResourceId as Json;
    const path = 'Ref' in resourceId ? (paths.get(resourceId.Ref as string) ?? '?') : '/';
    return { path, httpMethod: p.HttpMethod as string, properties: p };
  });
}

const tableArn = () => ({ 'Fn::GetAtt': [logicalId(synth.stack.table.table), 'Arn'] });
const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn(), `/index/${name}`]] });

describe('table', () => {
  it('maps the shared key schema, attributes and TTL', () => {
    synth.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    synth.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals(
        KEY_ATTRIBUTES.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
      ),
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    });
  });

  it('has both GSIs with their key schema and INCLUDE projection', () => {
    const [[, table] = ['', { Type: '' }]] = ofType('AWS::DynamoDB::GlobalTable');
    const indexes = props(table).GlobalSecondaryIndexes as Json[];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(
      Object.values(TABLE.indexes)
        .map((index) => index.name)
        .sort(),
    );
    for (const index of Object.values(TABLE.indexes)) {
      expect(indexes.find((candidate) => candidate.IndexName === index.name)).toEqual({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
      });
    }
  });

  it('has point-in-time recovery and deletion protection, is retained and has no fixed name', () => {
    synth.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: Match.absent(),
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });
});

describe('functions', () => {
  const newestNodeRuntime = (): string => {
    const versions = Object.keys(lambda.Runtime)
      .map((key) => /^NODEJS_(\d+)_X$/.exec(key)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number);
    return `nodejs${Math.max(...versions)}.x`;
  };

  it('one function per route (plus the two event functions, test/cdk/events.test.ts, and the edge purge, test/cdk/edge.test.ts)', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(ROUTES.length + 3);
    for (const route of ROUTES) expect(synth.stack.functions.get(route.id)).toBeDefined();
  });

  it('every function runs the newest Node.js runtime on arm64 with tracing and a short timeout', () => {
    expect(newestNodeRuntime()).toBe('nodejs24.x');
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(props(fn)).toMatchObject({
        Runtime: newestNodeRuntime(),
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        MemorySize: 1024,
      });
      expect(props(fn).Timeout).toBeLessThanOrEqual(10);
    }
  });

  it('every function that reads the table gets the configuration its handlers read', () => {
    // The stream consumer reads no table (its environment: test/cdk/events.test.ts).
    const consumer = logicalId(synth.stack.events.consumer.function);
    // Nor does the edge purge function (test/cdk/edge.test.ts).
    const purge = logicalId(synth.stack.edge.purge.function);
    for (const [, fn] of ofType('AWS::Lambda::Function').filter(([id]) => id !== consumer && id !== purge)) {
      const variables = (props(fn).Environment as Json).Variables as Json;
      expect(variables).toMatchObject({
        TABLE_NAME: { Ref: logicalId(synth.stack.table.table) },
        PUBLIC_ORIGINS: '*',
        EDITOR_ORIGINS: '*',
        CACHE_MAX_AGE: '60',
        EDGE_MAX_AGE: '86400',
        POWERTOOLS_SERVICE_NAME: 'newsdesk',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        DYNAMODB_MAX_ATTEMPTS: '3',
        DYNAMODB_REQUEST_TIMEOUT_MS: '2000',
        DYNAMODB_CONNECT_TIMEOUT_MS: '1000',
      });
      // A deploy-time dynamic reference to the generated secret, never a literal.
      expect(variables.CURSOR_SECRET).toEqual({
        'Fn::Join': [
          '',
          ['{{resolve:secretsmanager:', { Ref: logicalId(synth.stack.cursorSecret) }, ':SecretString:::}}'],
        ],
      });
    }
  });

  it('the syndication functions and the preview link maker, and only they, get the site settings of cdk.json', () => {
    for (const route of ROUTES) {
      const fn = synth.stack.functions.get(route.id)?.function;
      if (fn === undefined) throw new Error(`no function for ${route.id}`);
      const resource = resources[logicalId(fn)];
      if (resource === undefined) throw new Error(`no template resource for ${route.id}`);
      const variables = (props(resource).Environment as Json).Variables as Json;
      if (route.siteSettings) {
        expect(JSON.parse(String(variables.SITE_SETTINGS)), route.id).toEqual({
          name: 'Newsdesk',
          url: 'https://www.example.com',
          articleUrl: 'https://www.example.com/#/articles/{slug}',
          language: 'en',
          previewUrl: 'https://www.example.com/#/preview/{token}',
        });
      } else {
        expect(variables.SITE_SETTINGS, route.id).toBeUndefined();
      }
    }
    expect(
      ROUTES.filter((route) => route.siteSettings)
        .map((route) => route.resource)
        .sort(),
    ).toEqual(
      [
        '/feed.xml',
        '/feed.atom',
        '/feed.json',
        '/sitemap.xml',
        '/sitemaps/{month}',
        '/news-sitemap.xml',
        // Its links name the front end's preview page (site.previewUrl).
        '/editor/articles/{slug}/preview',
      ].sort(),
    );
  });

  it('a bad site setting fails synth with a message naming it', () => {
    const context = { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] };
    const synthWith = (site: unknown) => () =>
      new NewsdeskStack(new App({ context: { ...context, site } }), 'Newsdesk');
    expect(synthWith({ url: 'ftp://example.com' })).toThrow(/site\.url must be an absolute http\(s\) URL/);
    expect(synthWith({ url: 'https://example.com', articleUrl: 'https://example.com/a' })).toThrow(
      /site\.articleUrl must contain \{slug\}/,
    );
    expect(synthWith({ name: 'x' })).toThrow(/site\.url must be an absolute http\(s\) URL, got ""/);
    expect(synthWith('{"url":"https://news.example.com"}')).not.toThrow();
  });

  it('the cursor secret is generated by CloudFormation, long and without punctuation', () => {
    synth.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, PasswordLength: Match.anyValue() }),
    });
    const [[, secret] = ['', { Type: '' }]] = ofType('AWS::SecretsManager::Secret');
    expect((props(secret).GenerateSecretString as Json).PasswordLength).toBeGreaterThanOrEqual(48);
  });

  it('every function logs to its own log group, and every log group has a retention', () => {
    const logGroups = new Set(ofType('AWS::Logs::LogGroup').map(([id]) => id));
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const target = ((props(fn).LoggingConfig as Json).LogGroup as Json).Ref as string;
      expect(logGroups.has(target)).toBe(true);
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup')) {
      expect(props(group).RetentionInDays).toBe(30);
    }
  });

  it('bundles are minified ESM with the AWS SDK inside', () => {
    for (const route of ROUTES) {
      const fn = resources[logicalId(synth.stack.functions.get(route.id)?.function ?? synth.stack)];
      const assetPath = fn?.Metadata?.['aws:asset:path'];
      expect(typeof assetPath).toBe('string');
      const bundle = join(synth.app.outdir, assetPath as string, 'index.mjs');
      expect(existsSync(bundle)).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      expect(code.startsWith('import { createRequire')).toBe(true);
      // No AWS SDK module left outside the bundle (the SigV4a signers are optional,
      // guarded loads that DynamoDB never triggers).
      const external = [...code.matchAll(/(?:from\s*|import\(|require\()["'](@aws-sdk\/[^"']+)["']/g)]
        .map((match) => match[1])
        .filter((name) => !/^@aws-sdk\/signature-v4(a|-crt)$/.test(name ?? ''));
      expect(external).toEqual([]);
      // Minified: lines are long (template literals keep a few newlines).
      expect(code.length / code.split('\n').length, 'average line length').toBeGreaterThan(1000);
    }
  });
});

describe('least privilege', () => {
  const dynamoStatements = (route: RouteDefinition): Json[] => {
    const fn = synth.stack.functions.get(route.id);
    if (!fn) throw new Error(`no function for ${route.id}`);
    const roleId = logicalId(fn.role);
    return ofType('AWS::IAM::Policy')
      .filter(([, policy]) => (props(policy).Roles as Json[]).some((role) => role.Ref === roleId))
      .flatMap(([, policy]) => (props(policy).PolicyDocument as Json).Statement as Json[])
      .filter((statement) =>
        asArray(statement.Action as string | string[]).some((a) => a.startsWith('dynamodb:')),
      );
  };

  // Written out, not derived from routes.ts: what each function's role must allow, as the
  // store's calls need it (test/cdk/grants.test.ts checks the calls really made).
  const EXPECTED_GRANTS: Record<string, { table: string[]; indexes: string[] }> = {
    ListArticles: { table: ['dynamodb:Query'], indexes: ['byStatus'] },
    GetArticle: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: [] },
    EditorListArticles: { table: [], indexes: ['all', 'byStatus'] },
    EditorGetArticle: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: [] },
    CreateArticle: { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], indexes: [] },
    UpdateArticle: {
      table: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      indexes: [],
    },
    DeleteArticle: {
      table: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      indexes: [],
    },
    // Feeds: the index (or a tag's partition: Query), the heads (BatchGetItem), slices (Query).
    RssFeed: { table: ['dynamodb:BatchGetItem', 'dynamodb:Query'], indexes: ['byStatus'] },
    AtomFeed: { table: ['dynamodb:BatchGetItem', 'dynamodb:Query'], indexes: ['byStatus'] },
    JsonFeed: { table: ['dynamodb:BatchGetItem', 'dynamodb:Query'], indexes: ['byStatus'] },
    // Sitemaps read the index only.
    SitemapIndex: { table: [], indexes: ['byStatus'] },
    MonthlySitemap: { table: [], indexes: ['byStatus'] },
    NewsSitemap: { table: [], indexes: ['byStatus'] },
    // Revisions: the head (GetItem), a page of revisions or one version (Query); a restore
    // writes like a PUT. Previews: the head names the version, one Query reads it.
    ListRevisions: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: [] },
    GetRevision: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: [] },
    RestoreRevision: {
      table: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      indexes: [],
    },
    CreatePreview: { table: ['dynamodb:GetItem'], indexes: [] },
    GetPreview: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: [] },
  };

  it.each(ROUTES.map((route) => [route.id, route] as const))(
    '%s gets exactly the table actions its store calls need, and Query on only the indexes it reads',
    (id, route) => {
      const expected = EXPECTED_GRANTS[id];
      if (expected === undefined) throw new Error(`no expected grants written down for ${id}`);
      // Each (action, resource) pair granted: statements may be merged across resources.
      const pairs = dynamoStatements(route).flatMap((statement) =>
        asArray(statement.Action as string | string[]).flatMap((action) =>
          asArray(statement.Resource as Json | Json[]).map((resource) => ({ action, resource })),
        ),
      );
      const onTable = pairs.filter((pair) => JSON.stringify(pair.resource) === JSON.stringify(tableArn()));
      expect([...new Set(onTable.map((pair) => pair.action))].sort()).toEqual(expected.table);
      const onIndexes = pairs.filter((pair) => !onTable.includes(pair));
      // Index ARNs only ever carry Query, and only the route's indexes.
      expect([...new Set(onIndexes.map((pair) => pair.action))]).toEqual(
        expected.indexes.length > 0 ? ['dynamodb:Query'] : [],
      );
      expect(onIndexes.map((pair) => pair.resource)).toHaveLength(expected.indexes.length);
      expect(onIndexes.map((pair) => pair.resource)).toEqual(
        expect.arrayContaining(expected.indexes.map((name) => indexArn(name))),
      );
    },
  );

  it('read routes get only read actions', () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET')) {
      for (const action of dynamoStatements(route).flatMap((s) => asArray(s.Action as string | string[]))) {
        expect(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']).toContain(action);
      }
    }
  });

  it('no wildcard action and no dynamodb:Scan anywhere in the template', () => {
    const json = JSON.stringify(synth.template.toJSON());
    expect(json).not.toMatch(/dynamodb:Scan/i);
    for (const [, policy] of [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')]) {
      for (const statement of (props(policy).PolicyDocument as Json).Statement as Json[]) {
        for (const action of asArray(statement.Action as string | string[]))
          expect(action).not.toContain('*');
      }
    }
  });

  it('function roles carry no managed policies', () => {
    for (const route of ROUTES) {
      const role = resources[logicalId(synth.stack.functions.get(route.id)?.role ?? synth.stack)];
      expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('REST API', () => {
  it('every route method: Lambda proxy, public NONE, editor AWS_IAM', () => {
    const all = methods();
    for (const route of ROUTES) {
      const found = all.filter((m) => m.path === route.resource && m.httpMethod === route.method);
      expect(found, `${route.method} ${route.resource}`).toHaveLength(1);
      const method = found[0]?.properties ?? {};
      expect(method.AuthorizationType).toBe(route.auth === 'editor' ? 'AWS_IAM' : 'NONE');
      const fn = synth.stack.functions.get(route.id)?.function;
      expect(method.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(JSON.stringify(method.Integration)).toContain(`"${logicalId(fn ?? synth.stack)}"`);
    }
  });

  it('no Lambda-backed method under /editor is reachable without a signature', () => {
    for (const method of methods()) {
      const integration = method.properties.Integration as Json;
      if (method.path.startsWith('/editor') && integration.Type === 'AWS_PROXY') {
        expect(method.properties.AuthorizationType).toBe('AWS_IAM');
      }
      if (method.properties.AuthorizationType === 'NONE' && integration.Type === 'AWS_PROXY') {
        expect(ROUTES.some((r) => r.auth === 'public' && r.resource === method.path)).toBe(true);
      }
    }
  });

  it('every route resource answers an unauthenticated CORS preflight with its origins and headers', () => {
    const all = methods();
    for (const resource of new Set(ROUTES.map((r) => r.resource))) {
      const routes = ROUTES.filter((r) => r.resource === resource);
      const editor = routes[0]?.auth === 'editor';
      const preflight = all.find((m) => m.path === resource && m.httpMethod === 'OPTIONS');
      expect(preflight, resource).toBeDefined();
      expect(preflight?.properties.AuthorizationType).toBe('NONE');
      const integration = preflight?.properties.Integration as Json;
      expect(integration.Type).toBe('MOCK');
      const headers = ((integration.IntegrationResponses as Json[])[0]?.ResponseParameters ?? {}) as Json;
      expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'*'");
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe(
        `'${(editor ? EDITOR_ALLOW_HEADERS : PUBLIC_ALLOW_HEADERS).join(',')}'`,
      );
      const allowed = String(headers['method.response.header.Access-Control-Allow-Methods']);
      for (const route of routes) expect(allowed).toContain(route.method);
    }
  });

  it('unknown paths answer 404 and unknown methods on known paths 405, as problem+json', () => {
    const all = methods();
    const fallback = (path: string) => all.find((m) => m.path === path && m.httpMethod === 'ANY')?.properties;
    const check = (path: string, status: number) => {
      const method = fallback(path);
      expect(method, path).toBeDefined();
      expect(method?.AuthorizationType).toBe('NONE');
      const integration = method?.Integration as Json;
      expect(integration.Type).toBe('MOCK');
      const response = (integration.IntegrationResponses as Json[])[0] ?? {};
      expect(response.StatusCode).toBe(String(status));
      const body = JSON.parse((response.ResponseTemplates as Json)['application/json'] as string) as Json;
      expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:newsdesk:problem:/) });
      expect(response.ResponseParameters).toMatchObject({
        'method.response.header.Content-Type': "'application/problem+json'",
        'method.response.header.Access-Control-Allow-Origin': "'*'",
        'method.response.header.X-Content-Type-Options': "'nosniff'",
      });
    };
    check('/{proxy+}', 404);
    check('/', 404);
    check('/editor', 404);
    for (const resource of new Set(ROUTES.map((r) => r.resource))) check(resource, 405);
  });

  it('gateway responses are problem+json with CORS headers and consistent statuses', () => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => props(r));
    const byType = new Map(responses.map((r) => [r.ResponseType as string, r]));
    const expected: Record<string, string> = {
      DEFAULT_4XX: '400',
      DEFAULT_5XX: '502',
      ACCESS_DENIED: '403',
      MISSING_AUTHENTICATION_TOKEN: '403',
      INVALID_SIGNATURE: '403',
      INCOMPLETE_SIGNATURE: '403',
      EXPIRED_TOKEN: '403',
      UNAUTHORIZED: '403',
      THROTTLED: '429',
      REQUEST_TOO_LARGE: '413',
      UNSUPPORTED_MEDIA_TYPE: '415',
      RESOURCE_NOT_FOUND: '404',
      INTEGRATION_TIMEOUT: '504',
    };
    for (const [type, status] of Object.entries(expected))
      expect(byType.get(type)?.StatusCode, type).toBe(status);
    expect(byType.get('THROTTLED')?.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Retry-After': "'1'",
    });

    for (const response of responses) {
      expect(response.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
        'gatewayresponse.header.Access-Control-Expose-Headers': `'${EXPOSE_HEADERS.join(', ')}'`,
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
      });
      const templates = response.ResponseTemplates as Json;
      for (const contentType of ['application/json', 'application/problem+json']) {
        const body = JSON.parse(templates[contentType] as string) as Json;
        expect(Object.keys(body).sort()).toEqual(['detail', 'status', 'title', 'type']);
        expect(body.status).toBe(Number(response.StatusCode));
        expect(body.detail).not.toMatch(/\$context/);
      }
    }
  });

  it('the stage throttles, writes JSON access logs, logs errors and traces', () => {
    const accessLogs = logicalId(synth.stack.api.accessLogGroup);
    synth.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        }),
      ],
    });
    const [[, stage] = ['', { Type: '' }]] = ofType('AWS::ApiGateway::Stage');
    const destination = flattenCfnReference((props(stage).AccessLogSetting as Json).DestinationArn);
    expect(destination).toContain(`log-group:<${accessLogs}>`);
    const format = JSON.parse((props(stage).AccessLogSetting as Json).Format as string) as Json;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    // Execution logging needs the account-level CloudWatch role.
    synth.template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('outputs ApiUrl, TableName and EditorPolicyArn', () => {
    synth.template.hasOutput('ApiUrl', {
      Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    synth.template.hasOutput('TableName', { Value: { Ref: logicalId(synth.stack.table.table) } });
    synth.template.hasOutput('EditorPolicyArn', {
      Value: { Ref: logicalId(synth.stack.editorAccess.policy) },
    });
    const url = flattenCfnReference(synth.template.toJSON().Outputs.ApiUrl.Value);
    expect(url).toMatch(/^https:\/\/<\w+>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/<\w+>$/);
  });
});

describe('editor access', () => {
  it('allows execute-api:Invoke on the editor routes of this API and stage, nothing else', () => {
    const policies = ofType('AWS::IAM::ManagedPolicy');
    expect(policies).toHaveLength(1);
    const [[, policy] = ['', { Type: '' }]] = policies;
    const statements = (props(policy).PolicyDocument as Json).Statement as Json[];
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
    const api = logicalId(synth.stack.api.api);
    const arns = asArray(statement?.Resource as Json | Json[])
      .map(flattenCfnReference)
      .sort();
    const expected = ROUTES.filter((r) => r.auth === 'editor')
      .map(
        (r) =>
          `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${api}>/v1/${r.method}${r.resource.replace(/\{[^}]+\}/g, '*')}`,
      )
      .sort();
    expect(arns).toEqual(expected);
  });
});
