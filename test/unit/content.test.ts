import { describe, expect, it } from 'vitest';
import { decodeContent, encodeContent } from '../../functions/core/content.ts';

describe('stored content', () => {
  const cases = [
    { body: 'Hi *there*', bodyHtml: '<p>Hi <em>there</em></p>\n' },
    // Multi-byte characters on both sides of the boundary between body and HTML.
    { body: 'Kyiv’s “poison” 漢字 😀', bodyHtml: '<p>Kyiv’s “poison” 漢字 😀</p>\n' },
    { body: 'x', bodyHtml: '' },
    { body: '{"looks": "like JSON"}', bodyHtml: '<p>{&quot;looks&quot;: &quot;like JSON&quot;}</p>\n' },
  ];

  it.each(cases)('reads back what it writes: %j', (content) => {
    const bytes = encodeContent(content);
    expect(decodeContent(bytes)).toEqual(content);
    // Read where it lies, in a larger buffer (as the SDK hands out attribute values).
    const padded = Buffer.concat([Buffer.from('pad'), bytes, Buffer.from('pad')]);
    expect(decodeContent(padded.subarray(3, 3 + bytes.length))).toEqual(content);
  });

  it('stores both strings as UTF-8 after a five-byte header, with no escaping', () => {
    const content = { body: 'é "q"', bodyHtml: '<p>é</p>' };
    const bytes = encodeContent(content);
    expect(bytes.length).toBe(5 + Buffer.byteLength('é "q"') + Buffer.byteLength('<p>é</p>'));
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(Buffer.byteLength('é "q"'));
  });

  it('still reads content stored as JSON text, as earlier versions wrote it', () => {
    const legacy = Buffer.from(JSON.stringify({ body: 'old', bodyHtml: '<p>old</p>\n' }), 'utf8');
    expect(decodeContent(legacy)).toEqual({ body: 'old', bodyHtml: '<p>old</p>\n' });
  });

  it('refuses bytes in no known format, or cut short', () => {
    expect(() => decodeContent(Buffer.from([7, 0, 0, 0, 0]))).toThrow(/unknown format/);
    expect(() => decodeContent(Buffer.from([0, 0, 0]))).toThrow(/unknown format/);
    const bytes = encodeContent({ body: 'a longer body', bodyHtml: '' });
    expect(() => decodeContent(bytes.subarray(0, 8))).toThrow(/cut short/);
  });
});
