import MarkdownIt from 'markdown-it';
import { ValidationError } from './errors.ts';

/**
 * Markdown → HTML at write time, configured safe: raw HTML in the Markdown is
 * escaped (`html: false`), and links or images whose URL uses a script-capable or
 * embedding scheme (javascript:, vbscript:, data:, file:) are not turned into links.
 */

/** Rendered HTML larger than this is refused: it guards against expansion bombs (reference links). */
export const MAX_HTML_BYTES = 1_048_576;

// Browsers ignore ASCII white space and C0 controls inside a URL scheme ("java\tscript:").
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const IGNORED_IN_SCHEME = /[\u0000-\u0020\u007f-\u009f]/g;
const BLOCKED_SCHEME = /^(javascript|vbscript|data|file):/;

export function isSafeUrl(url: string): boolean {
  return !BLOCKED_SCHEME.test(url.replace(IGNORED_IN_SCHEME, '').toLowerCase());
}

let markdown: InstanceType<typeof MarkdownIt> | undefined;

/** The renderer, configured on first use (a function that never renders never pays for it). */
function renderer(): InstanceType<typeof MarkdownIt> {
  if (markdown === undefined) {
    markdown = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
    markdown.validateLink = isSafeUrl;
  }
  return markdown;
}

export function renderMarkdown(source: string): string {
  const html = renderer().render(source);
  if (Buffer.byteLength(html, 'utf8') > MAX_HTML_BYTES) {
    throw new ValidationError('The body renders to too much HTML.', [
      {
        path: 'body',
        message: `renders to more than ${MAX_HTML_BYTES} bytes of HTML; shorten it or use fewer repeated links`,
      },
    ]);
  }
  return html;
}
