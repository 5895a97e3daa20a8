import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/core/routes.ts';
import { flattenCfnReference } from '../../lib/nag.ts';
import { type Synthesized, synthesize } from './synth.ts';

/**
 * The stack under non-default context. Bundling is skipped here
 * (`aws:cdk:bundling-stacks: []`): stack.test.ts already builds the real bundles.
 */

type Json = Record<string, unknown>;

let synth: Synthesized;
let resources: Record<string, { Type: string; Properties?: Json }>;

const PUBLIC = ['https://www.example.com', 'https://news.example.com'];
const EDITOR = ['https://editor.example.com'];

beforeAll(() => {
  synth = synthesize({
    'aws:cdk:bundling-stacks': [],
    stage: 'prod',
    publicOrigins: PUBLIC,
    editorOrigins: EDITOR,
    logRetentionDays: 90,
    memorySize: 512,
    cacheMaxAge: 300,
    throttlingRateLimit: 20,
    throttlingBurstLimit: 40,
  });
  resources = synth.template.toJSON().Resources;
});

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('stack with several origins and another stage', () => {
  it('functions get the configured origins, cache max-age and memory', () => {
    for (const fn of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties?.MemorySize).toBe(512);
      // The stream consumer reads no table and answers no browser: no origins (test/cdk/events.test.ts).
      const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      if (variables?.TABLE_NAME === undefined) continue;
      expect(fn.Properties).toMatchObject({
        Environment: {
          Variables: {
            PUBLIC_ORIGINS: PUBLIC.join(','),
            EDITOR_ORIGINS: EDITOR.join(','),
            CACHE_MAX_AGE: '300',
          },
        },
      });
    }
  });

  it('log groups keep the configured retention', () => {
    for (const group of ofType('AWS::Logs::LogGroup')) expect(group.Properties?.RetentionInDays).toBe(90);
  });

  it('the stage has the configured name and throttling', () => {
    const [stage] = ofType('AWS::ApiGateway::Stage');
    expect(stage?.Properties).toMatchObject({
      StageName: 'prod',
      MethodSettings: [expect.objectContaining({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 })],
    });
  });

  it('gateway responses echo the caller origin (several configured) and vary on it', () => {
    for (const response of ofType('AWS::ApiGateway::GatewayResponse')) {
      expect(response.Properties?.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
  });

  it('preflights allow only the configured origins', () => {
    const preflights = ofType('AWS::ApiGateway::Method').filter(
      (m) => m.Properties?.HttpMethod === 'OPTIONS',
    );
    const templates = preflights.map((m) => JSON.stringify(m.Properties?.Integration));
    expect(templates.some((t) => PUBLIC.every((origin) => t.includes(origin)))).toBe(true);
    expect(templates.some((t) => t.includes(EDITOR[0] ?? '?'))).toBe(true);
    for (const template of templates) expect(template).not.toContain("'*'");
  });

  it('the editor policy targets the configured stage', () => {
    const [policy] = ofType('AWS::IAM::ManagedPolicy');
    const document = (policy?.Properties?.PolicyDocument ?? {}) as Json;
    const [statement] = (document.Statement ?? []) as Json[];
    const arns = ((statement?.Resource ?? []) as unknown[]).map(flattenCfnReference);
    expect(arns).toHaveLength(ROUTES.filter((r) => r.auth === 'editor').length);
    for (const arn of arns) expect(arn).toMatch(/\/prod\/(GET|POST|PUT|DELETE)\/editor\//);
  });
});
