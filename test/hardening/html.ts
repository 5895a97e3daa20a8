/**
 * An independent check that rendered Markdown (`bodyHtml`) carries no input as live
 * HTML: every `<` opens a tag from the small set markdown-it produces, with only the
 * attributes it produces, and no link or image URL uses a script-capable or embedding
 * scheme once the browser has decoded it.
 */

const ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  p: new Set(),
  h1: new Set(),
  h2: new Set(),
  h3: new Set(),
  h4: new Set(),
  h5: new Set(),
  h6: new Set(),
  em: new Set(),
  strong: new Set(),
  s: new Set(),
  code: new Set(['class']),
  pre: new Set(),
  blockquote: new Set(),
  ul: new Set(),
  ol: new Set(['start']),
  li: new Set(),
  a: new Set(['href', 'title']),
  img: new Set(['src', 'alt', 'title']),
  hr: new Set(),
  br: new Set(),
  table: new Set(),
  thead: new Set(),
  tbody: new Set(),
  tr: new Set(),
  th: new Set(['style']),
  td: new Set(['style']),
};

// A tag as markdown-it writes it: lower-case name, double-quoted attribute values that
// hold no quote or angle bracket, optional self-closing slash.
const TAG = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"<>]*")*)\s*\/?>/y;
const ATTRIBUTE = /\s+([a-z-]+)="([^"<>]*)"/g;

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  colon: ':',
  tab: '\t',
  newline: '\n',
};

/** One level of HTML entity decoding, as a browser applies to an attribute value. */
function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16) % 0x110000);
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10) % 0x110000);
    return NAMED[lower] ?? whole;
  });
}

// Browsers drop ASCII white space and C0/C1 controls inside a scheme ("java\tscript:").
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const IGNORED = /[\u0000-\u0020\u007f-\u009f]/g;
const DANGEROUS_SCHEME = /^(javascript|vbscript|data|file|livescript|mocha):/;

export function dangerousUrl(value: string): boolean {
  return DANGEROUS_SCHEME.test(decodeEntities(value).replace(IGNORED, '').toLowerCase());
}

/** What is wrong with `html` as rendered, untrusted Markdown (empty when nothing). */
export function htmlViolations(html: string): string[] {
  const violations: string[] = [];
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
    TAG.lastIndex = at;
    const match = TAG.exec(html);
    if (match === null) {
      violations.push(`raw "<" at ${at}: ${JSON.stringify(html.slice(at, at + 40))}`);
      continue;
    }
    const [, closing = '', name = '', attributes = ''] = match;
    const allowed = ATTRIBUTES[name];
    if (allowed === undefined) {
      violations.push(`tag <${name}> is not one Markdown produces`);
      continue;
    }
    if (closing !== '' && attributes !== '') violations.push(`closing tag </${name}> with attributes`);
    for (const [, attribute = '', value = ''] of attributes.matchAll(ATTRIBUTE)) {
      if (!allowed.has(attribute)) violations.push(`attribute ${attribute} on <${name}>`);
      if ((attribute === 'href' || attribute === 'src') && dangerousUrl(value)) {
        violations.push(`dangerous URL in ${attribute}: ${JSON.stringify(value.slice(0, 60))}`);
      }
      if (attribute === 'style' && !/^text-align:(left|right|center)$/.test(value)) {
        violations.push(`style ${JSON.stringify(value)}`);
      }
    }
  }
  return violations;
}
