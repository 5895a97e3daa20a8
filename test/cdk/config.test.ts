import { describe, expect, it } from 'vitest';
import { ConfigurationError, parseNewsdeskConfig } from '../../lib/config.ts';
import { cdkJsonContext } from './synth.ts';

describe('CDK context configuration', () => {
  it('defaults every key', () => {
    expect(parseNewsdeskConfig({})).toEqual({
      stage: 'v1',
      publicOrigins: ['*'],
      editorOrigins: ['*'],
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
      cacheMaxAge: 60,
      edgeMaxAge: 86_400,
      logRetentionDays: 30,
      memorySize: 1024,
      functionTimeoutSeconds: 10,
      logLevel: 'INFO',
      dynamodbMaxAttempts: 3,
      dynamodbRequestTimeoutMs: 2000,
      dynamodbConnectTimeoutMs: 1000,
    });
  });

  it('cdk.json states exactly the defaults', () => {
    const context = cdkJsonContext();
    const defaults = parseNewsdeskConfig({});
    for (const [key, value] of Object.entries(defaults)) expect(context[key], key).toEqual(value);
  });

  it('accepts command-line strings (-c key=value)', () => {
    const config = parseNewsdeskConfig({
      publicOrigins: 'https://www.example.com, https://news.example.com',
      throttlingRateLimit: '25',
      logRetentionDays: '90',
      memorySize: '512',
    });
    expect(config.publicOrigins).toEqual(['https://www.example.com', 'https://news.example.com']);
    expect(config.throttlingRateLimit).toBe(25);
    expect(config.logRetentionDays).toBe(90);
    expect(config.memorySize).toBe(512);
  });

  it.each([
    ['a retention CloudWatch Logs does not offer', { logRetentionDays: 31 }, /logRetentionDays/],
    ['a timeout over 10 s', { functionTimeoutSeconds: 15 }, /functionTimeoutSeconds/],
    ['* mixed with origins', { publicOrigins: ['*', 'https://a.example'] }, /publicOrigins/],
    ['an origin with a path', { editorOrigins: ['https://a.example/app'] }, /editorOrigins/],
    ['an empty origin list', { publicOrigins: ' , ' }, /publicOrigins/],
    ['a stage name with a slash', { stage: 'v1/x' }, /stage/],
    ['a negative cache max-age', { cacheMaxAge: -1 }, /cacheMaxAge/],
    ['an unknown log level', { logLevel: 'LOUD' }, /logLevel/],
    [
      'DynamoDB retries that outlast the function',
      { dynamodbMaxAttempts: 5, dynamodbRequestTimeoutMs: 2000 },
      /below the function timeout/,
    ],
  ])('rejects %s', (_name, raw, message) => {
    expect(() => parseNewsdeskConfig(raw)).toThrow(ConfigurationError);
    expect(() => parseNewsdeskConfig(raw)).toThrow(message);
  });
});
