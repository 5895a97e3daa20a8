import { describe, expect, it } from 'vitest';
import { verifySigV4 } from '../../local/sigv4.ts';
import { signedHeaders } from '../support/sigv4.ts';
import { signSync } from './sigv4-sync.ts';

/**
 * The load generator's synchronous signer signs exactly as the AWS SDK does (the tests'
 * signer, test/support/sigv4.ts), and the local server accepts it.
 */

const credentials = {
  accessKeyId: 'AKIDLOADTEST00000001',
  secretAccessKey: 'load-test-secret-0123456789abcdefghijk',
};
const date = new Date('2026-11-26T12:34:56.000Z');

describe('signSync', () => {
  it.each([
    ['POST', '/editor/articles', { 'content-type': 'application/json' }, '{"title":"T","body":"B"}'],
    [
      'PUT',
      '/editor/articles/load-target-3',
      { 'content-type': 'application/json', 'if-match': '*' },
      '{"title":"T","body":"é"}',
    ],
    ['GET', '/editor/articles', {}, undefined],
  ] as const)('%s %s: the same Authorization as the AWS SDK signer', async (method, path, headers, body) => {
    const sdk = await signedHeaders(credentials, `http://127.0.0.1:3000${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signingDate: date,
      contentSha256: false,
    });
    const mine = signSync(credentials, {
      method,
      path,
      host: '127.0.0.1:3000',
      headers,
      ...(body === undefined ? {} : { body }),
      date,
    });
    expect(mine.authorization).toBe(sdk.authorization);
    expect(mine['x-amz-date']).toBe(sdk['x-amz-date']);
  });

  it('is accepted by the local server’s verifier', async () => {
    const body = '{"title":"T","body":"B"}';
    const headers = { 'content-type': 'application/json' };
    const signed = signSync(credentials, {
      method: 'POST',
      path: '/editor/articles',
      host: '127.0.0.1:3000',
      headers,
      body,
      date,
    });
    const verdict = await verifySigV4(
      {
        method: 'POST',
        path: '/editor/articles',
        rawQuery: '',
        headers: { host: '127.0.0.1:3000', ...headers, ...signed },
        body: Buffer.from(body),
      },
      {
        credentials: new Map([[credentials.accessKeyId, { ...credentials, userName: 'load' }]]),
        region: 'us-east-1',
        now: () => date,
      },
    );
    expect(verdict.ok).toBe(true);
  });

  it('refuses paths it would sign differently from the SDK', () => {
    expect(() => signSync(credentials, { method: 'GET', path: '/a b', host: 'h' })).toThrow(/plain paths/);
  });
});
