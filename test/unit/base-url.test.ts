import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiBaseUrl } from '../../functions/core/base-url.ts';
import { apiEvent } from '../support/events.ts';

/** A proxy event for GET /feed.xml with the given host, called path, stage and headers. */
function event(options: {
  domainName?: string;
  calledPath: string;
  stage: string;
  headers?: Record<string, string>;
}): APIGatewayProxyEvent {
  const base = apiEvent({
    method: 'GET',
    resource: '/feed.xml',
    path: '/feed.xml',
    headers: options.headers,
  });
  return {
    ...base,
    requestContext: {
      ...base.requestContext,
      ...(options.domainName === undefined ? {} : { domainName: options.domainName }),
      path: options.calledPath,
      stage: options.stage,
    },
  };
}

describe('apiBaseUrl (the API base URL from the request, for sitemap <loc>s and feed self links)', () => {
  it('deployed: https://{domainName}/{stage}', () => {
    const deployed = event({
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      calledPath: '/v1/feed.xml',
      stage: 'v1',
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Port': '443' },
    });
    expect(apiBaseUrl(deployed)).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/v1');
  });

  it('the local server: http, its port, no stage segment', () => {
    const local = event({
      domainName: '127.0.0.1',
      calledPath: '/feed.xml',
      stage: 'local',
      headers: { 'x-forwarded-proto': 'http', 'x-forwarded-port': '3000' },
    });
    expect(apiBaseUrl(local)).toBe('http://127.0.0.1:3000');
  });

  it('the deploy rehearsal: http, its port, the stage', () => {
    const rehearsal = event({
      domainName: '127.0.0.1',
      calledPath: '/v1/feed.xml',
      stage: 'v1',
      headers: { 'X-Forwarded-Proto': 'http', 'X-Forwarded-Port': '41234' },
    });
    expect(apiBaseUrl(rehearsal)).toBe('http://127.0.0.1:41234/v1');
  });

  it('falls back to https and /{stage}; refuses a host that is no host', () => {
    expect(apiBaseUrl(event({ domainName: 'api.example.com', calledPath: '/x', stage: 'prod' }))).toBe(
      'https://api.example.com/prod',
    );
    expect(() =>
      apiBaseUrl(event({ domainName: 'evil.example/path?', calledPath: '/feed.xml', stage: 'v1' })),
    ).toThrow(/no usable host/);
    // No domainName in the event: the Host header.
    expect(apiBaseUrl(event({ calledPath: '/v1/feed.xml', stage: 'v1' }))).toBe('https://api.example.com/v1');
  });
});
