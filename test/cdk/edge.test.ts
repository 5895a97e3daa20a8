import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, parseEdgeSettings } from '../../lib/config.ts';
import { CLOUDFRONT_ERROR_CODES } from '../../lib/edge.ts';
import { findingsOf, type Synthesized, synthesize } from './synth.ts';

/** The edge (docs/edge.md) as the template states it: intent, not snapshots. */

let synth: Synthesized;
type Json = Record<string, unknown>;

beforeAll(() => {
  synth = synthesize({ 'aws:cdk:bundling-stacks': [] });
});

const id = (construct: { node: { defaultChild?: unknown } }): string =>
  synth.stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);

function distributionConfig(s: Synthesized = synth): Json {
  const [distribution] = Object.values(s.template.findResources('AWS::CloudFront::Distribution'));
  if (distribution === undefined) throw new Error('no distribution in the template');
  return (distribution.Properties as Json).DistributionConfig as Json;
}

describe('the distribution', () => {
  it('has one origin: this REST API, origin path the stage, HTTPS only', () => {
    const origins = distributionConfig().Origins as Json[];
    expect(origins).toHaveLength(1);
    const api = id(synth.stack.api.api);
    expect(origins[0]).toMatchObject({
      OriginPath: '/v1',
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only' },
    });
    expect(JSON.stringify(origins[0]?.DomainName)).toContain(`"Ref":"${api}"`);
    expect(JSON.stringify(origins[0]?.DomainName)).toContain('execute-api');
  });

  it('redirects to HTTPS, compresses, speaks HTTP/2 and HTTP/3', () => {
    const config = distributionConfig();
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: true,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
    });
  });

  it('keys the cache on the path and limit/cursor/tag only, no cookies or headers; TTLs from the origin', () => {
    synth.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        MinTTL: 0,
        DefaultTTL: 0,
        MaxTTL: 86_400,
        ParametersInCacheKeyAndForwardedToOrigin: {
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['limit', 'cursor', 'tag'] },
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
        },
      },
    });
    const policy = id(synth.stack.edge.cachePolicy);
    expect((distributionConfig().DefaultCacheBehavior as Json).CachePolicyId).toEqual({ Ref: policy });
    expect(JSON.stringify(synth.template.toJSON())).not.toMatch(/"Authorization"/);
  });

  it('never caches editor or preview routes; editors are answered at the edge', () => {
    const behaviors = distributionConfig().CacheBehaviors as Json[];
    const disabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'; // Managed-CachingDisabled
    const byPattern = new Map(behaviors.map((behavior) => [behavior.PathPattern, behavior]));
    expect(byPattern.get('/preview/*')).toMatchObject({ CachePolicyId: disabled });
    expect(byPattern.get('/editor/*')).toMatchObject({
      CachePolicyId: disabled,
      FunctionAssociations: [{ EventType: 'viewer-request' }],
    });
    for (const behavior of behaviors) expect(behavior.ViewerProtocolPolicy).not.toBe('allow-all');
  });

  it('caches no error: TTL 0 for every code CloudFront allows', () => {
    const errors = distributionConfig().CustomErrorResponses as Json[];
    expect(errors.map((error) => error.ErrorCode)).toEqual([...CLOUDFRONT_ERROR_CODES]);
    for (const error of errors) {
      expect(error.ErrorCachingMinTTL).toBe(0);
      expect(error.ResponsePagePath).toBeUndefined();
    }
  });

  it('outputs PublicUrl', () => {
    synth.template.hasOutput('PublicUrl', {
      Value: {
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(synth.stack.edge.distribution), 'DomainName'] }]],
      },
    });
  });

  it('the functions send s-maxage = edgeMaxAge', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EDGE_MAX_AGE: '86400', CACHE_MAX_AGE: '60' }) },
    });
  });
});

describe('purge on every event', () => {
  it('a rule on the bus takes every newsdesk event to the purge queue', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: id(synth.stack.events.bus) },
      EventPattern: { source: ['newsdesk'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id(synth.stack.edge.queue), 'Arn'] } })],
    });
  });

  it('the purge function reads the queue in batches, with partial failures', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(synth.stack.edge.queue), 'Arn'] },
      FunctionName: { Ref: id(synth.stack.edge.purge.function) },
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('failed messages end in an alarmed dead-letter queue', () => {
    const dlq = id(synth.stack.edge.failures.queue);
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 1,
    });
  });

  it('the purge function may CreateInvalidation on this distribution only', () => {
    const role = id(synth.stack.edge.purge.role);
    const policies = synth.template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
    });
    const statements = Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Json[],
    );
    const cloudfront = statements.filter((s) => JSON.stringify(s.Action).includes('cloudfront:'));
    expect(cloudfront).toHaveLength(1);
    expect(cloudfront[0]?.Action).toBe('cloudfront:CreateInvalidation');
    const resource = JSON.stringify(cloudfront[0]?.Resource);
    expect(resource).toContain(`"Ref":"${id(synth.stack.edge.distribution)}"`);
    expect(resource).toContain(':distribution/');
    expect(resource).not.toContain('*');
  });
});

describe('custom domain (CDK context edge)', () => {
  const certificateArn =
    'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f';

  it('serves the domain with the certificate and TLS 1.2, and stays nag-clean', () => {
    const custom = synthesize({
      'aws:cdk:bundling-stacks': [],
      edge: { domainName: 'news.example.com', certificateArn },
    });
    expect(distributionConfig(custom)).toMatchObject({
      Aliases: ['news.example.com'],
      ViewerCertificate: { AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021' },
    });
    custom.template.hasOutput('PublicUrl', { Value: 'https://news.example.com' });
    expect(findingsOf(new AwsSolutionsChecks().validateScope(custom.app))).toEqual([]);
    expect(findingsOf(new ServerlessChecks().validateScope(custom.app))).toEqual([]);
  });

  it.each([
    [
      'a certificate outside us-east-1',
      { domainName: 'news.example.com', certificateArn: certificateArn.replace('us-east-1', 'eu-west-1') },
      /edge\.certificateArn/,
    ],
    [
      'a non-ACM ARN',
      { domainName: 'news.example.com', certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' },
      /edge\.certificateArn/,
    ],
    ['a URL for a domain', { domainName: 'https://news.example.com', certificateArn }, /edge\.domainName/],
    ['a domain without certificate', { domainName: 'news.example.com' }, /edge\.certificateArn/],
    ['an unknown key', { domain: 'news.example.com' }, /edge\.domain is not an edge setting/],
  ])('rejects %s', (_name, raw, message) => {
    expect(() => parseEdgeSettings(raw)).toThrow(ConfigurationError);
    expect(() => parseEdgeSettings(raw)).toThrow(message);
  });
});
