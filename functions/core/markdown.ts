import type { MarkdownIt } from 'markdown-it';
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

let markdown: Promise<MarkdownIt> | undefined;

/**
 * The renderer, loaded and configured on first use: markdown-it and its entity tables are
 * evaluated then, not when the function starts (a cold start that renders nothing, such as
 * a take-down's or a failed validation's, never pays for them). The bundle holds it all
 * the same; the dynamic import only defers its evaluation.
 */
function renderer(): Promise<MarkdownIt> {
  markdown ??= import('markdown-it').then(({ default: MarkdownIt }) => {
    const instance = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
    instance.validateLink = isSafeUrl;
    return instance;
  });
  return markdown;
}

export async function renderMarkdown(source: string): Promise<string> {
  const html = (await renderer()).render(source);
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
