import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/core/config.ts';

const base = { TABLE_NAME: 'articles', CURSOR_SECRET: 'x'.repeat(32) };

describe('configuration', () => {
  it('applies documented defaults', () => {
    expect(parseConfig(base)).toMatchObject({
      PUBLIC_ORIGINS: ['*'],
      EDITOR_ORIGINS: ['*'],
      CACHE_MAX_AGE: 60,
      EDGE_MAX_AGE: 86_400,
      AWS_REGION: 'us-east-1',
      DYNAMODB_MAX_ATTEMPTS: 3,
      DYNAMODB_REQUEST_TIMEOUT_MS: 2000,
    });
  });

  it('parses origin lists', () => {
    const config = parseConfig({ ...base, PUBLIC_ORIGINS: 'https://a.example, https://b.example' });
    expect(config.PUBLIC_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('fails loudly at cold start on a missing or malformed variable', () => {
    expect(() => parseConfig({ CURSOR_SECRET: base.CURSOR_SECRET })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, CURSOR_SECRET: 'short' })).toThrow(/CURSOR_SECRET/);
    expect(() => parseConfig({ ...base, CACHE_MAX_AGE: '-1' })).toThrow(/CACHE_MAX_AGE/);
    expect(() => parseConfig({ ...base, EDGE_MAX_AGE: '1.5' })).toThrow(/EDGE_MAX_AGE/);
    expect(() => parseConfig({ ...base, EDGE_MAX_AGE: '31536001' })).toThrow(/EDGE_MAX_AGE/);
    expect(() => parseConfig({ ...base, PUBLIC_ORIGINS: ' , ' })).toThrow(/PUBLIC_ORIGINS/);
  });
});
