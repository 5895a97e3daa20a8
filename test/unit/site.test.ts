import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  articleUrl,
  parseSiteSettings,
  previewUrl,
  SITE_SETTINGS_ENV,
  type SiteSettings,
  SiteSettingsError,
  siteSettingsEnv,
  siteSettingsFromEnv,
  siteSettingsFromLocalEnv,
} from '../../functions/core/site.ts';
import { validSlug } from '../hardening/arbitraries.ts';

const DEFAULT_URL = 'http://127.0.0.1:3001';
const parse = (input: Record<string, unknown>) => parseSiteSettings(input, { url: DEFAULT_URL });

describe('site settings: defaults', () => {
  it('fills every default from the contract table', () => {
    expect(parse({})).toEqual({
      name: 'Newsdesk',
      url: DEFAULT_URL,
      articleUrl: `${DEFAULT_URL}/#/articles/{slug}`,
      language: 'en',
      previewUrl: `${DEFAULT_URL}/#/preview/{token}`,
    });
  });

  it('derives the templates from a configured URL, without doubling its trailing slash', () => {
    const settings = parse({ url: 'https://news.example/' });
    expect(settings.url).toBe('https://news.example/');
    expect(settings.articleUrl).toBe('https://news.example/#/articles/{slug}');
    expect(settings.previewUrl).toBe('https://news.example/#/preview/{token}');
    expect(parse({ url: 'https://news.example/app' }).articleUrl).toBe(
      'https://news.example/app/#/articles/{slug}',
    );
  });

  it('treats an empty string as unset (an exported but empty variable)', () => {
    expect(parse({ name: '', url: '', articleUrl: '', language: '', previewUrl: '' })).toEqual(parse({}));
  });

  it('keeps given values and canonicalizes the language tag', () => {
    const settings = parse({
      name: 'The Daily',
      url: 'https://daily.example',
      articleUrl: 'https://daily.example/articles/{slug}',
      language: 'pt-br',
      previewUrl: 'https://daily.example/preview?token={token}',
    });
    expect(settings).toEqual({
      name: 'The Daily',
      url: 'https://daily.example',
      articleUrl: 'https://daily.example/articles/{slug}',
      language: 'pt-BR',
      previewUrl: 'https://daily.example/preview?token={token}',
    });
  });
});

describe('site settings: validation names the setting', () => {
  const rejects = (input: Record<string, unknown>, setting: string, why: RegExp) => {
    const attempt = () => parse(input);
    expect(attempt).toThrow(SiteSettingsError);
    expect(attempt).toThrow(new RegExp(`${setting.replace('.', '\\.')} ${why.source}`));
  };

  it.each([
    ['news.example', /must be an absolute http\(s\) URL/],
    ['/relative', /must be an absolute/],
    ['ftp://news.example', /must be an absolute/],
    ['javascript:alert(1)', /must be an absolute/],
    ['file:///etc/passwd', /must be an absolute/],
    [' https://news.example', /must be an absolute/],
    ['https://', /must be an absolute/],
  ])('site.url %j', (url, why) => rejects({ url }, 'site.url', why));

  it.each([
    ['https://news.example/articles/', /must contain \{slug\}/],
    ['https://news.example/articles/{Slug}', /must contain \{slug\}/],
    ['/articles/{slug}', /must be an absolute http\(s\) URL template/],
    ['mailto:{slug}@news.example', /must be an absolute http\(s\) URL template/],
  ])('site.articleUrl %j', (articleUrl, why) => rejects({ articleUrl }, 'site.articleUrl', why));

  it.each([
    ['https://news.example/preview/', /must contain \{token\}/],
    ['https://news.example/#/articles/{slug}', /must contain \{token\}/],
    ['preview/{token}', /must be an absolute http\(s\) URL template/],
  ])('site.previewUrl %j', (previewUrl, why) => rejects({ previewUrl }, 'site.previewUrl', why));

  it.each(['english', 'e', 'en_US', 'en-', '-en', 'en--us', '*', 'en US', 'x-private', '12'])(
    'site.language %j',
    (language) => rejects({ language }, 'site.language', /must be a BCP 47 language tag/),
  );

  it.each([
    ['   ', /must not be blank/],
    ['a\nb', /must not contain control characters/],
    ['a\u0000b', /must not contain control characters/],
    ['x'.repeat(201), /must be at most 200 characters/],
  ])('site.name %j', (name, why) => rejects({ name }, 'site.name', why));

  it('accepts BCP 47 tags with script, region and variant', () => {
    expect(parse({ language: 'zh-Hant-TW' }).language).toBe('zh-Hant-TW');
    expect(parse({ language: 'sr-latn-rs' }).language).toBe('sr-Latn-RS');
    expect(parse({ language: 'de-CH-1996' }).language).toBe('de-CH-1996');
    expect(parse({ language: 'fil' }).language).toBe('fil');
  });

  it('rejects values that are not strings', () => {
    expect(() => parse({ url: 42 })).toThrow(/site\.url must be a string/);
    expect(() => parse({ name: ['x'] })).toThrow(/site\.name must be a string/);
  });

  it('rejects unknown settings (typos) by name', () => {
    expect(() => parse({ articleURL: 'https://x.example/{slug}' })).toThrow(
      /site\.articleURL is not a site setting/,
    );
  });

  it('reports every bad setting at once, and a bad URL only once', () => {
    const attempt = () => parse({ url: 'nope', language: 'english' });
    expect(attempt).toThrow(/site\.url .*; site\.language/);
    expect(attempt).not.toThrow(/site\.articleUrl|site\.previewUrl/);
  });

  it('names settings as the caller spells them (custom naming)', () => {
    expect(() => parseSiteSettings({ url: 'nope' }, { url: DEFAULT_URL }, (key) => `context:${key}`)).toThrow(
      /context:url must be/,
    );
  });

  it('rejects an unusable default URL by the URL setting name', () => {
    expect(() => parseSiteSettings({}, { url: 'not a url' })).toThrow(/site\.url must be an absolute/);
  });

  it('property: any absolute http(s) URL is accepted as the site URL and kept as given', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true }), (url) => {
        const settings = parse({ url });
        expect(settings.url).toBe(url);
        expect(articleUrl(settings, 'a-b')).toMatch(/^https?:\/\/.*\/#\/articles\/a-b$/);
      }),
    );
  });

  it('property: text that is not an absolute http(s) URL is rejected, naming site.url', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((s) => s !== '' && !/^https?:\/\/[^\s/?#]/i.test(s)),
        (url) => {
          expect(() => parse({ url })).toThrow(/site\.url must be an absolute http\(s\) URL/);
        },
      ),
    );
  });
});

describe('site settings: local environment', () => {
  it('reads NEWSDESK_* variables with the reader page as default URL', () => {
    expect(siteSettingsFromLocalEnv({}, 'http://127.0.0.1:3001')).toEqual(parse({}));
    const settings = siteSettingsFromLocalEnv(
      {
        NEWSDESK_SITE_NAME: 'Local',
        NEWSDESK_SITE_URL: 'https://local.example',
        NEWSDESK_ARTICLE_URL: 'https://local.example/a/{slug}',
        NEWSDESK_SITE_LANGUAGE: 'fr',
        NEWSDESK_PREVIEW_URL: 'https://local.example/p/{token}',
        UNRELATED: 'ignored',
      },
      DEFAULT_URL,
    );
    expect(settings).toEqual({
      name: 'Local',
      url: 'https://local.example',
      articleUrl: 'https://local.example/a/{slug}',
      language: 'fr',
      previewUrl: 'https://local.example/p/{token}',
    });
  });

  it.each([
    ['NEWSDESK_SITE_URL', 'localhost:3001'],
    ['NEWSDESK_ARTICLE_URL', 'http://x.example/articles'],
    ['NEWSDESK_PREVIEW_URL', 'http://x.example/preview'],
    ['NEWSDESK_SITE_LANGUAGE', 'English'],
    ['NEWSDESK_SITE_NAME', ' \t '],
  ])('names %s in its error', (variable, value) => {
    expect(() => siteSettingsFromLocalEnv({ [variable]: value }, DEFAULT_URL)).toThrow(
      new RegExp(`Invalid site settings: ${variable} must`),
    );
  });
});

describe('site settings: Lambda environment (SITE_SETTINGS)', () => {
  const settings: SiteSettings = parse({ name: 'Ünï "quoted" 😀', url: 'https://news.example' });

  it('round-trips through one JSON environment variable', () => {
    const env = siteSettingsEnv(settings);
    expect(Object.keys(env)).toEqual([SITE_SETTINGS_ENV]);
    expect(siteSettingsFromEnv(env)).toEqual(settings);
  });

  it('fails loudly, naming SITE_SETTINGS, when missing or malformed', () => {
    expect(() => siteSettingsFromEnv({})).toThrow(/Invalid SITE_SETTINGS: is required/);
    expect(() => siteSettingsFromEnv({ SITE_SETTINGS: '{' })).toThrow(/SITE_SETTINGS: is not JSON/);
    expect(() => siteSettingsFromEnv({ SITE_SETTINGS: '[]' })).toThrow(/SITE_SETTINGS: is not a JSON object/);
    const edited = JSON.stringify({ ...settings, url: 'news.example', language: 7 });
    expect(() => siteSettingsFromEnv({ SITE_SETTINGS: edited })).toThrow(
      /SITE_SETTINGS: url must be an absolute .*; language must be a string/,
    );
  });

  it('keeps only the five settings', () => {
    const extra = JSON.stringify({ ...settings, secret: 'x' });
    expect(Object.keys(siteSettingsFromEnv({ SITE_SETTINGS: extra })).sort()).toEqual(
      ['articleUrl', 'language', 'name', 'previewUrl', 'url'].sort(),
    );
  });
});

describe('article and preview URLs', () => {
  const settings = parse({
    url: 'https://news.example',
    articleUrl: 'https://news.example/articles/{slug}?ref=feed&x={slug}',
    previewUrl: 'https://news.example/preview/{token}',
  });

  it('fills every placeholder', () => {
    expect(articleUrl(settings, 'hello-world')).toBe(
      'https://news.example/articles/hello-world?ref=feed&x=hello-world',
    );
    expect(previewUrl(settings, 'tok_123')).toBe('https://news.example/preview/tok_123');
  });

  it('URL-encodes the value as a path segment', () => {
    expect(previewUrl(settings, 'a/b c?d#e')).toBe('https://news.example/preview/a%2Fb%20c%3Fd%23e');
  });

  it('normalizes as the WHATWG URL parser does', () => {
    expect(articleUrl(parse({ url: 'HTTPS://News.Example:443' }), 'a')).toBe(
      'https://news.example/#/articles/a',
    );
  });

  it('property: every valid slug gives the template with the slug in place', () => {
    const plain = parse({ url: 'https://news.example' });
    fc.assert(
      fc.property(validSlug, (slug) => {
        expect(articleUrl(plain, slug)).toBe(`https://news.example/#/articles/${slug}`);
      }),
    );
  });
});
