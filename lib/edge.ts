import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EDGE_ENV, EDGE_FUNCTIONS } from '../functions/core/edge/env.ts';
import { EVENT_SOURCE } from '../functions/core/events/types.ts';
import type { EdgeSettings } from './config.ts';
import { DeadLetterQueue } from './events.ts';
import { acknowledge } from './nag.ts';
import { NewsdeskFunction } from './newsdesk-function.ts';

/** The query parameters the public routes read: the only ones in the cache key. */
export const CACHE_KEY_QUERY_STRINGS = ['limit', 'cursor', 'tag'] as const;

/** Every 4xx/5xx code CloudFront lets a distribution set an error-caching TTL for. */
export const CLOUDFRONT_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504] as const;

/**
 * Answers `/editor/*` at the edge (viewer request) without reaching the origin: editor
 * requests are SigV4-signed, and the signature covers the Host header, which CloudFront
 * rewrites to the API's own host, so no signed request could ever pass through the CDN.
 * Editors keep using `ApiUrl`; this says so instead of a confusing 403 from API Gateway.
 */
const EDITOR_NOT_HERE = `function handler(event) {
  return {
    statusCode: 403,
    statusDescription: 'Forbidden',
    headers: {
      'content-type': { value: 'application/problem+json' },
      'cache-control': { value: 'no-store' },
    },
    body: JSON.stringify({
      type: 'https://newsdesk.dev/problems/forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'Editor routes are not served by the CDN: send signed editor requests to the API URL (stack output ApiUrl).',
    }),
  };
}`;

export interface NewsdeskEdgeProps {
  readonly api: apigw.RestApi;
  readonly stageName: string;
  /** The events bus: every Newsdesk event on it purges what it changed. */
  readonly bus: events.IEventBus;
  /** `s-maxage` of the functions: the cache policy's maxTtl is at least this. */
  readonly edgeMaxAge: number;
  /** Origins allowed by CORS on the public routes; when not `*`, answers vary with `Origin`. */
  readonly publicOrigins: readonly string[];
  readonly settings: EdgeSettings;
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The edge (docs/edge.md): a CloudFront distribution in front of the REST API's public reads,
 * caching only what the origin's `Cache-Control` allows (`s-maxage`), never errors; and the
 * purge pipeline — a rule on the events bus → an SQS queue → the purge function, batched →
 * one CloudFront invalidation per batch, with a dead-letter queue and an alarm.
 */
export class NewsdeskEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly cachePolicy: cloudfront.CachePolicy;
  readonly editorFunction: cloudfront.Function;
  readonly queue: sqs.Queue;
  readonly failures: DeadLetterQueue;
  readonly rule: events.Rule;
  readonly purge: NewsdeskFunction;

  constructor(scope: Construct, id: string, props: NewsdeskEdgeProps) {
    super(scope, id);
    const { settings } = props;

    // The cache key: the path and the three query parameters the routes read; no cookies, no
    // headers (never Authorization). TTLs: nothing is cached unless the origin says so
    // (defaultTtl 0), and then for its s-maxage (maxTtl ≥ edgeMaxAge).
    const anyOrigin = props.publicOrigins.length === 1 && props.publicOrigins[0] === '*';
    this.cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: 'Newsdesk public reads: path + limit/cursor/tag; TTL from the origin s-maxage',
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList(...CACHE_KEY_QUERY_STRINGS),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      // With a list of public origins, CORS answers echo the request's Origin: caching one
      // answer for every Origin would hand browsers the wrong Access-Control-Allow-Origin.
      headerBehavior: anyOrigin
        ? cloudfront.CacheHeaderBehavior.none()
        : cloudfront.CacheHeaderBehavior.allowList('Origin'),
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      // CloudFront refuses a cache key when every TTL is 0: at least one second.
      maxTtl: Duration.seconds(Math.max(1, props.edgeMaxAge)),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const origin = new origins.RestApiOrigin(props.api, { originPath: `/${props.stageName}` });

    this.editorFunction = new cloudfront.Function(this, 'EditorNotServed', {
      comment: 'Newsdesk: editor routes are not served by the CDN (use ApiUrl)',
      code: cloudfront.FunctionCode.fromInline(EDITOR_NOT_HERE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    const certificate =
      settings.certificateArn === undefined
        ? undefined
        : acm.Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn);

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Newsdesk public reads',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        compress: true,
        cachePolicy: this.cachePolicy,
      },
      additionalBehaviors: {
        // Preview links are public (the token is the credential) and answered no-store:
        // served, never cached, with the viewer's query and headers (except Host).
        '/preview/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          compress: true,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
        // Editor routes: answered at the edge with a pointer to ApiUrl (EDITOR_NOT_HERE).
        '/editor/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          functionAssociations: [
            { function: this.editorFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
          ],
        },
      },
      // Errors are never cached at the edge: the next request asks the origin again.
      errorResponses: CLOUDFRONT_ERROR_CODES.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(0) })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Only a custom certificate lets the viewer security policy be chosen.
      ...(certificate === undefined || settings.domainName === undefined
        ? {}
        : {
            certificate,
            domainNames: [settings.domainName],
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
    });

    const ack = (id: string, reason: string) => acknowledge(this.distribution, { id, reason });
    ack(
      'AwsSolutions-CFR1',
      'A news site is read worldwide and publishes nothing restricted by country; a geo restriction can be added in front when a deployment needs one.',
    );
    ack(
      'AwsSolutions-CFR2',
      'The CDN only serves public GET reads of published articles (editor routes are refused at the edge by a CloudFront Function); the API stage behind it keeps its own throttling. A WAF web ACL (with its monthly and per-request cost) is left to deployments that need rate-based rules.',
    );
    ack(
      'AwsSolutions-CFR3',
      "Not enabled by default: API Gateway's stage access log already records every request that reaches the origin, and CloudFront standard logs need a bucket with ACLs; enable them per deployment when edge-level request logs are needed.",
    );
    if (certificate === undefined) {
      ack(
        'AwsSolutions-CFR4',
        "Without a custom domain the distribution uses CloudFront's default *.cloudfront.net certificate, for which CloudFront fixes the viewer security policy (TLSv1); set CDK context edge.domainName and edge.certificateArn to get TLSv1.2_2021.",
      );
    }

    // --- purge on every event: bus → rule → queue → function (batched) → CreateInvalidation
    this.failures = new DeadLetterQueue(this, 'PurgeFailures', {
      description: 'an edge purge failed after every retry (the CDN may serve stale content until its TTL)',
    });
    // The purge function's timeout (NewsdeskFunction's most, 10 s; the purger gives up
    // retrying after 7 s). SQS hides a message 6 × this while an invocation works on it
    // (Lambda's advice for SQS event sources).
    const timeout = Duration.seconds(10);
    this.queue = new sqs.Queue(this, 'PurgeQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.failures.queue, maxReceiveCount: 5 },
    });
    this.rule = new events.Rule(this, 'PurgeRule', {
      description: 'Newsdesk: every article event purges what it changed at the edge',
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE] },
    });
    this.rule.addTarget(
      new targets.SqsQueue(this.queue, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.failures.queue,
      }),
    );

    const [purgeEntry] = EDGE_FUNCTIONS;
    this.purge = new NewsdeskFunction(this, purgeEntry.id, {
      entry: purgeEntry.entry,
      description: 'Newsdesk: purges the CDN of what each batch of events changed',
      environment: {
        POWERTOOLS_SERVICE_NAME: 'newsdesk',
        [EDGE_ENV.distributionId]: this.distribution.distributionId,
      },
      memorySize: props.memorySize,
      timeout,
      logRetention: props.logRetention,
      invocation: 'event-source',
    });
    // CreateInvalidation on this distribution only.
    this.distribution.grantCreateInvalidation(this.purge.role);
    this.purge.function.addEventSource(
      new sources.SqsEventSource(this.queue, {
        // Events that arrive together (an editor's burst, a batch of go-lives) → one invalidation.
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        // Few concurrent invalidations: CloudFront allows 15 wildcard ones in progress.
        maxConcurrency: 2,
      }),
    );
    acknowledge(this.purge.function, {
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "An SQS event source mapping has no on-failure destination (only stream and Kafka sources do): a message that keeps failing moves, after 5 receives, through the queue's own redrive policy to the PurgeFailures dead-letter queue, which raises an alarm.",
    });
  }
}
