/**
 * Preview tokens (functions/core/preview.ts): what a token carries, that only the key that
 * signed it and a time before its expiry make it valid, and that any change to it is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.ts';
import { parsePreviewRequest, signPreviewToken, verifyPreviewToken } from '../../functions/core/preview.ts';

const KEY = 'unit-preview-key-0123456789abcdef0123456789';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const claimsArb = fc.record({
  slug: fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/).filter((slug) => slug.length <= 96),
  version: fc.integer({ min: 1, max: 9_999_999_999 }),
  expiresAt: fc.integer({ min: NOW.getTime() / 1000 + 1, max: NOW.getTime() / 1000 + 604_800 }),
});
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

describe('preview tokens', () => {
  it('are URL-safe and give back their claims, with the key that signed them, before they expire', () => {
    fc.assert(
      fc.property(claimsArb, (claims) => {
        const token = signPreviewToken(KEY, claims);
        expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
        expect(verifyPreviewToken(KEY, token, NOW)).toEqual(claims);
        expect(verifyPreviewToken(`${KEY}x`, token, NOW)).toBeUndefined();
        expect(verifyPreviewToken(KEY, token, new Date(claims.expiresAt * 1000))).toBeUndefined();
      }),
    );
  });

  it('refuse a token with any character changed, at any position', () => {
    fc.assert(
      fc.property(
        claimsArb,
        fc.nat(),
        fc.integer({ min: 1, max: URL_SAFE.length - 1 }),
        (claims, at, shift) => {
          const token = signPreviewToken(KEY, claims);
          const position = at % token.length;
          const original = token[position] ?? '';
          const replacement = URL_SAFE[(URL_SAFE.indexOf(original) + shift) % URL_SAFE.length] ?? '';
          const changed = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
          expect(verifyPreviewToken(KEY, changed, NOW)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('expiresInSeconds: absent → one day; 60 to 604800 accepted; anything else is a 400', () => {
    expect(parsePreviewRequest(undefined)).toBe(86_400);
    expect(parsePreviewRequest({})).toBe(86_400);
    expect(parsePreviewRequest({ expiresInSeconds: 60 })).toBe(60);
    expect(parsePreviewRequest({ expiresInSeconds: 604_800 })).toBe(604_800);
    for (const body of [
      { expiresInSeconds: 59 },
      { expiresInSeconds: 604_801 },
      { expiresInSeconds: 1.5 },
      { expiresInSeconds: '60' },
      { expiresInSeconds: 60, extra: true },
      [],
      'x',
      null,
    ]) {
      expect(() => parsePreviewRequest(body), JSON.stringify(body)).toThrow(ValidationError);
    }
  });
});
