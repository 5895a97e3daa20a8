import fc from 'fast-check';

/**
 * fast-check arbitraries for requests around and beyond the Newsdesk contract:
 * every limit at, one below and one past its edge; wrong types; lone surrogates,
 * NUL and other controls; prototype and storage key names; JSON that is not an object;
 * odd header and query values.
 */

/** Characters that break naive code: controls, lone surrogates, bidi, separators, HTML metacharacters. */
export const NASTY_CHARS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '"',
  "'",
  '`',
  '\\',
  '<',
  '>',
  '&',
  '%00',
  '$' + '{x}',
  '{{x}}',
  '😀',
  '👩‍👩‍👧',
  'é',
  'e\u0301',
  'İ',
  'ß',
  'ﬁ',
  '𝔘',
] as const;

/** Markdown and HTML that try to get script or embedded content into bodyHtml. */
export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">x</a>',
  '<div onclick="alert(1)">x</div>',
  '<style>*{x:expression(alert(1))}</style>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<!-- x --><script>x</script>',
  '<![CDATA[<script>]]>',
  '</p><script>x</script><p>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](<java\tscript:alert(1)>)',
  '[x](<java\nscript:alert(1)>)',
  '[x](\u0001javascript:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;avascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](javascript&#58;alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](DATA:text/html,<script>alert(1)</script>)',
  '[x](file:///etc/passwd)',
  '![x](javascript:alert(1))',
  '![x](data:image/svg+xml,<svg onload=alert(1)>)',
  '![x](x" onerror="alert(1))',
  '[x](" onmouseover="alert(1))',
  '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
  '[r]: javascript:alert(1)\n\n[r]',
  '[r]: <data:text/html,x>\n\n![r]',
  '<javascript:alert(1)>',
  '<http://x/"onmouseover="alert(1)>',
  '```js" onload="alert(1)\ncode\n```',
  '```<script>\nx\n```',
  '`<script>`',
  '| a | b |\n|:-|-:|\n| <b>x</b> | y |',
  '> <script>x</script>',
  '* <img src=x>',
  '1. <b>x</b>',
  '# <h1>x</h1>',
  '&lt;script&gt;',
  '&#60;script&#62;',
  '\\<script>',
] as const;

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
export const STORAGE_KEYS = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'chunks',
  'data',
  'version',
  'createdBy',
  'updatedBy',
  'createdAt',
  'updatedAt',
  'bodyHtml',
  'takenDownAt',
  'takenDownBy',
  'expiresAt',
  'id',
  'Title',
  'title ',
  'TITLE',
];

export const nastyChar = fc.constantFrom(...NASTY_CHARS);

/** Short text mixing ordinary and hostile characters. */
export const hostileText = fc
  .array(
    fc.oneof(
      { arbitrary: fc.string({ maxLength: 8 }), weight: 3 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 4 }), weight: 2 },
      { arbitrary: nastyChar, weight: 3 },
      { arbitrary: fc.constantFrom(...XSS_PAYLOADS), weight: 1 },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** A string of exactly `length` code points made of one repeated unit (ASCII, 2-, 3- or 4-byte). */
export const repeated = (length: number) =>
  fc.constantFrom('a', 'é', '字', '😀', ' ', '-', '"', '<').map((unit) => unit.repeat(Math.max(0, length)));

/** Strings at, one below and one past a code-point limit (and at the empty edge). */
export const around = (limit: number, min = 1) =>
  fc.oneof(
    fc.constantFrom(limit - 1, limit, limit + 1, min - 1, min, min + 1).chain((n) => repeated(n)),
    // Padding that trimming removes (title) or keeps (everything else).
    fc.constantFrom(limit - 1, limit, limit + 1).map((n) => ` \t${'b'.repeat(Math.max(0, n))}\n `),
  );

const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);

export const validSlug = fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,3}$/);

/** Slugs and tags that break the rule in one way or another. */
export const badSlug = fc.oneof(
  fc.constantFrom(
    '',
    '-',
    'a-',
    '-a',
    'a--b',
    'A',
    'Hello',
    'a b',
    'a_b',
    'a.b',
    '..',
    '../etc',
    'a/b',
    '%2e%2e',
    'a%20b',
    'é',
    'ａ',
    '__proto__',
    'constructor',
    'a\u0000',
    '\ud800',
    'a\n',
  ),
  hostileText,
  fc.constant('a'.repeat(97)),
  fc.constant(`${'a'.repeat(48)}-${'b'.repeat(48)}`),
);

export const slugAtLimits = fc.oneof(
  fc.constantFrom(95, 96, 97).map((n) => 'a'.repeat(n)),
  fc.constantFrom(95, 96, 97).map((n) => `${'a'.repeat(n - 2)}-b`),
);

const tag = fc.oneof(
  { arbitrary: fc.constantFrom('news', 'world', 'tech', 'a'), weight: 4 },
  { arbitrary: validSlug.filter((s) => s.length <= 40), weight: 2 },
  { arbitrary: fc.constantFrom(39, 40, 41).map((n) => 'x'.repeat(n)), weight: 1 },
  { arbitrary: badSlug, weight: 1 },
  { arbitrary: wrongType, weight: 1 },
);

const tags = fc.oneof(
  {
    arbitrary: fc.uniqueArray(fc.constantFrom('news', 'world', 'tech', 'sport', 'a-b'), { maxLength: 5 }),
    weight: 4,
  },
  { arbitrary: fc.array(tag, { maxLength: 12 }), weight: 2 },
  {
    arbitrary: fc.constantFrom(9, 10, 11).map((n) => Array.from({ length: n }, (_, i) => `t${i}`)),
    weight: 1,
  },
  { arbitrary: fc.constant(['news', 'news']), weight: 1 },
  { arbitrary: wrongType, weight: 1 },
);

const isoDate = fc.oneof(
  fc.constantFrom(
    '2024-05-31T06:00:00Z',
    '2024-05-31T06:00:00.123+05:30',
    '2024-05-31T06:00:00-00:00',
    '2999-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '0000-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59-01:00',
    '10000-01-01T00:00:00Z',
    '+010000-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '2024-05-31T24:00:00Z',
    '2024-05-31T06:00:00',
    '2024-05-31',
    '2024-05-31T06:00:00+25:00',
    '2024-05-31t06:00:00z',
    '2024-05-31T06:00:00.1234567890123Z',
    'Fri, 31 May 2024 06:00:00 GMT',
    'now',
    '',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constant(`2024-05-31T06:00:00${'0'.repeat(100)}Z`),
  hostileText,
);

const markdownBody = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 40 }), weight: 6 },
  { arbitrary: fc.constantFrom(...XSS_PAYLOADS), weight: 6 },
  {
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...XSS_PAYLOADS), fc.string({ maxLength: 10 }), nastyChar), {
        minLength: 1,
        maxLength: 6,
      })
      .map((parts) => parts.join('\n')),
    weight: 6,
  },
  // Rare and expensive: the longest bodies, and a reference-link bomb past the HTML limit.
  { arbitrary: fc.constantFrom(99_999, 100_000).chain((n) => repeated(n)), weight: 1 },
  {
    arbitrary: fc.constant(`[r]: https://example.com/${'x'.repeat(900)}\n\n${'[r] '.repeat(1_200)}`),
    weight: 1,
  },
);

export interface ArticleFields {
  readonly [key: string]: unknown;
}

/** Values inside the rules for each field (absent optional fields included). */
const validFields = (withSlug: boolean) =>
  fc.record(
    {
      ...(withSlug ? { slug: fc.option(validSlug, { nil: undefined, freq: 2 }) } : {}),
      title: fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,.!?'-]{0,40}$/),
        fc.constantFrom('Hello world', 'Ça va? Ünïcødé ß æ œ ø ł đ þ', 'İstanbul'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((t) => `T ${t}`),
      ),
      summary: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: undefined }),
      body: markdownBody,
      author: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      tags: fc.option(
        fc.uniqueArray(fc.constantFrom('news', 'world', 'tech', 'sport', 'a-b', 'x9'), { maxLength: 5 }),
        {
          nil: undefined,
        },
      ),
      status: fc.option(fc.constantFrom('published', 'draft'), { nil: undefined }),
      publishedAt: fc.option(
        fc.constantFrom('2024-05-31T06:00:00Z', '2999-01-01T00:00:00+02:00', '2020-02-29T23:59:59.999-05:00'),
        {
          nil: undefined,
        },
      ),
    },
    { requiredKeys: ['title', 'body'] },
  );

/** Values at and beyond the edges of each field's rules. */
const fieldEdges = (withSlug: boolean, slugs: readonly string[]): Record<string, fc.Arbitrary<unknown>> => ({
  ...(withSlug
    ? { slug: fc.oneof(fc.constantFrom(...slugs), badSlug, slugAtLimits, wrongType, fc.constant(null)) }
    : {}),
  title: fc.oneof(
    around(200),
    fc.constantFrom('   ', '\t\n', '!!!', '😀', 'a\nb'),
    hostileText,
    wrongType,
    fc.constant(undefined),
  ),
  summary: fc.oneof(around(500, 0), hostileText, wrongType),
  body: fc.oneof(
    { arbitrary: hostileText, weight: 3 },
    { arbitrary: wrongType, weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: around(100_000), weight: 1 },
  ),
  author: fc.oneof(around(100, 0), fc.constant('a\nb'), hostileText, wrongType),
  tags: tags,
  status: fc.oneof(fc.constantFrom('scheduled', 'PUBLISHED', '', 'deleted'), wrongType, hostileText),
  publishedAt: fc.oneof(isoDate, wrongType),
});

/**
 * Article objects: valid ones, valid ones with one field at or past an edge (the most
 * telling cases), and ones where every field is anything at all.
 */
export const articleFields = (options: { withSlug: boolean; slugs: readonly string[] }) => {
  const valid = validFields(options.withSlug);
  const edges = fieldEdges(options.withSlug, options.slugs);
  const oneEdge = fc
    .tuple(valid, fc.constantFrom(...Object.keys(edges)))
    .chain(([object, name]) =>
      (edges[name] as fc.Arbitrary<unknown>).map((value): ArticleFields => ({ ...object, [name]: value })),
    );
  const anything = fc.record(
    Object.fromEntries(
      Object.entries(edges).map(([name, edge]) => [
        name,
        fc.oneof(edge, fc.constant(undefined), fc.constant(null)),
      ]),
    ),
    { requiredKeys: [] },
  );
  return fc.oneof(
    { arbitrary: valid as fc.Arbitrary<ArticleFields>, weight: 4 },
    { arbitrary: oneEdge, weight: 6 },
    { arbitrary: anything as fc.Arbitrary<ArticleFields>, weight: 2 },
  );
};

/** Keys that are not article fields, with values of any kind. */
const extraEntries = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom(...PROTO_KEYS, ...STORAGE_KEYS), fc.string({ maxLength: 6 })),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ polluted: 'yes' })),
  ),
  { maxLength: 3 },
);

/**
 * A JSON object as text, written entry by entry so that `__proto__` becomes a real own key
 * and keys may repeat.
 */
export const objectText = (fields: fc.Arbitrary<ArticleFields>, extraWeight = 1) =>
  fc
    .tuple(
      fields,
      fc.oneof({ arbitrary: fc.constant([]), weight: 4 }, { arbitrary: extraEntries, weight: extraWeight }),
      fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
      fc.constantFrom('', ' ', '\n\t'),
    )
    .map(([object, extras, duplicateTitle, space]) => {
      const entries: [string, unknown][] = Object.entries(object).filter(([, v]) => v !== undefined);
      entries.push(...extras);
      if (duplicateTitle) entries.push(['title', 'Duplicate key']);
      const text = entries
        .map(([k, v]) => `${JSON.stringify(k)}:${space}${JSON.stringify(v)}`)
        .join(`,${space}`);
      return `{${space}${text}${space}}`;
    });

/** JSON (and not-quite-JSON) texts that are not an object. */
export const notAnObject = fc.oneof(
  fc.constantFrom(
    'null',
    '0',
    '-0',
    '1e309',
    '123456789012345678901234567890',
    'true',
    '"a string"',
    '[]',
    '[{}]',
    '[{"title":"t","body":"b"}]',
    '{}',
    '',
    ' ',
    '\u0000',
    '{',
    '}',
    '{"title":',
    '{"title":"t",}',
    "{'title':'t'}",
    '{"title":"t"}{"body":"b"}',
    '{"title":"t"} x',
    'NaN',
    'undefined',
    '{"title":"\\ud800","body":"b"}',
    '{"title":"a\\u0000b","body":"b"}',
    '\ufeff{"title":"t","body":"b"}',
    '{"__proto__":{"polluted":"yes"},"title":"t","body":"b"}',
    '{"constructor":{"prototype":{"polluted":"yes"}},"title":"t","body":"b"}',
  ),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(1_000, 50_000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc
    .constantFrom(1_000, 50_000)
    .map((depth) => `{"title":${'['.repeat(depth)}${']'.repeat(depth)},"body":"b"}`),
  fc.constant(`{"title":"t","body":"${'a'.repeat(256 * 1024)}"}`),
  fc.constant(`{"title":"t","body":"${'é'.repeat(140 * 1024)}"}`),
);

export const contentType = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      'Application/JSON',
      'application/json;charset=latin1',
      ' application/json ',
      'application/json, text/plain',
      'text/plain',
      'text/html',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json-seq',
      'application/jsonx',
      'application/problem+json',
      'application/merge-patch+json',
      '*/*',
      '',
      'application/json\u0000',
    ),
    weight: 1,
  },
);

/** Values for If-Match / If-None-Match beyond the real ETags. */
export const oddEtag = fc.oneof(
  fc.constantFrom(
    '*',
    '',
    ' ',
    '""',
    '"',
    'W/',
    'W/""',
    'W/*',
    ',',
    ', ,',
    '"a", "b"',
    'unquoted',
    '"\u0000"',
    '"\ud800"',
    'W/"x"',
  ),
  fc.constant(`"${'x'.repeat(8_192)}"`),
  fc.constant(Array.from({ length: 1_000 }, (_, i) => `"${i}"`).join(', ')),
  hostileText,
);

export const idempotencyKey = fc.oneof(
  { arbitrary: fc.uuid(), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'a b',
      'é',
      '\u0000',
      '\t',
      '!',
      '~',
      'x'.repeat(128),
      'x'.repeat(129),
      '\u007f',
      '"quoted"',
    ),
    weight: 2,
  },
  { arbitrary: hostileText, weight: 1 },
);

/** Extra headers a client (or attacker) might add. */
export const extraHeaders = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom(
        'Authorization',
        'X-Amz-Date',
        'X-Amz-Security-Token',
        'X-Forwarded-For',
        'Origin',
        'Cookie',
        'Accept',
        'Accept-Encoding',
        'Content-Length',
        'Transfer-Encoding',
        'X-HTTP-Method-Override',
        '__proto__',
        'constructor',
      ),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/),
    ),
    fc.oneof(fc.string({ maxLength: 20 }), hostileText),
  ),
  { maxLength: 3 },
);

/** Query parameters nobody asked for, up to a few thousand. */
export const extraQuery = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant([] as [string, string][]), weight: 6 },
  {
    arbitrary: fc.array(
      fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...PROTO_KEYS)), hostileText),
      {
        maxLength: 4,
      },
    ),
    weight: 3,
  },
  {
    arbitrary: fc
      .constantFrom(500, 3_000)
      .map((n) => Array.from({ length: n }, (_, i): [string, string] => [`p${i}`, 'x'.repeat(20)])),
    weight: 1,
  },
);

export const limitValue = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map(String),
  fc.constantFrom(
    '0',
    '101',
    '-1',
    '1.5',
    '1e2',
    ' 1',
    '1 ',
    '+1',
    '01',
    '001',
    '0x10',
    '１',
    '',
    'abc',
    '100000000000000000000',
    'NaN',
    'Infinity',
  ),
  hostileText,
);
