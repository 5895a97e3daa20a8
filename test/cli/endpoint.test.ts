import { describe, expect, it } from 'vitest';
import { apiUrlFromOutputs, regionFromHost, resolveEndpoint, resolveRegion } from '../../cli/endpoint.ts';
import { UsageError } from '../../cli/errors.ts';

const outputs = (value: unknown) => () => JSON.stringify(value);
const API = 'https://abc123defg.execute-api.eu-west-2.amazonaws.com/prod/';

describe('resolveEndpoint', () => {
  it('prefers --endpoint, then NEWSDESK_ENDPOINT, then --outputs, then the local server', () => {
    const env = { NEWSDESK_ENDPOINT: 'http://env.example:8080/' };
    const readFile = outputs({ Newsdesk: { ApiUrl: API } });
    expect(
      resolveEndpoint({ endpoint: 'http://flag.example/', outputs: 'o.json', env, readFile }).url.href,
    ).toBe('http://flag.example/');
    expect(resolveEndpoint({ outputs: 'o.json', env, readFile }).url.href).toBe('http://env.example:8080/');
    const fromOutputs = resolveEndpoint({ outputs: 'o.json', env: {}, readFile });
    expect(fromOutputs.url.href).toBe('https://abc123defg.execute-api.eu-west-2.amazonaws.com/prod');
    expect(fromOutputs.source).toBe('o.json');
    expect(resolveEndpoint({ env: {} }).url.href).toBe('http://127.0.0.1:3000/');
  });

  it('keeps the stage path and drops trailing slashes', () => {
    expect(resolveEndpoint({ endpoint: `${API}/`, env: {} }).url.pathname).toBe('/prod');
  });

  it('rejects what is not an http(s) base URL', () => {
    expect(() => resolveEndpoint({ endpoint: 'not a url', env: {} })).toThrow(UsageError);
    expect(() => resolveEndpoint({ endpoint: 'ftp://x', env: {} })).toThrow(/http/);
    expect(() => resolveEndpoint({ endpoint: 'http://x/?a=1', env: {} })).toThrow(/query/);
  });
});

describe('apiUrlFromOutputs', () => {
  it('reads the only stack with an ApiUrl', () => {
    const readFile = outputs({ Other: { Bucket: 'b' }, Newsdesk: { ApiUrl: API, EditorPolicyArn: 'arn' } });
    expect(apiUrlFromOutputs('cdk-outputs.json', undefined, readFile)).toBe(API);
  });

  it('asks for --stack when several stacks have one, and honours it', () => {
    const readFile = outputs({ A: { ApiUrl: 'https://a.example' }, B: { ApiUrl: 'https://b.example' } });
    expect(() => apiUrlFromOutputs('o.json', undefined, readFile)).toThrow(/several stacks.*--stack/);
    expect(apiUrlFromOutputs('o.json', 'B', readFile)).toBe('https://b.example');
    expect(() => apiUrlFromOutputs('o.json', 'C', readFile)).toThrow(/no stack "C"/);
  });

  it('explains a missing, non-JSON or ApiUrl-less file', () => {
    const missing = () => {
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    };
    expect(() => apiUrlFromOutputs('cdk-outputs.json', undefined, missing)).toThrow(
      /cannot read the file \(ENOENT\).*npm run deploy/,
    );
    expect(() => apiUrlFromOutputs('o.json', undefined, () => '{oops')).toThrow(/not JSON/);
    expect(() => apiUrlFromOutputs('o.json', undefined, outputs({ S: { X: 'y' } }))).toThrow(
      /no stack.*ApiUrl/,
    );
  });
});

describe('resolveRegion', () => {
  const local = new URL('http://127.0.0.1:3000');
  it('prefers --region, then the execute-api host name, then AWS_REGION, then us-east-1', () => {
    const deployed = new URL(API);
    const env = { AWS_REGION: 'ap-southeast-2' };
    expect(resolveRegion({ region: 'eu-central-1', env }, deployed)).toEqual({
      region: 'eu-central-1',
      source: '--region',
    });
    expect(resolveRegion({ env }, deployed).region).toBe('eu-west-2');
    expect(resolveRegion({ env }, local).region).toBe('ap-southeast-2');
    expect(resolveRegion({ env: { AWS_DEFAULT_REGION: 'eu-north-1' } }, local).region).toBe('us-east-1');
  });

  it('reads regions from API Gateway host names only', () => {
    expect(regionFromHost('a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com')).toBe('us-gov-west-1');
    expect(regionFromHost('a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn')).toBe('cn-north-1');
    expect(regionFromHost('news.example.com')).toBeUndefined();
    expect(regionFromHost('127.0.0.1')).toBeUndefined();
  });

  it('rejects a --region that is not a region name', () => {
    expect(() => resolveRegion({ region: 'Europe', env: {} }, local)).toThrow(UsageError);
  });
});
