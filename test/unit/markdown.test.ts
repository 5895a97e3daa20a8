import { describe, expect, it } from 'vitest';
import { isSafeUrl, MAX_HTML_BYTES, renderMarkdown } from '../../functions/core/markdown.ts';

// Payloads from common XSS cheat sheets, written as Markdown.
const XSS_CORPUS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](<java\tscript:alert(1)>)',
  '[click](&#106;avascript:alert(1))',
  '[click](javascript&colon;alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![img](data:image/png;base64,iVBORw0KGgo=)',
  '![img](javascript:alert(1))',
  '[ref]: javascript:alert(1)\n\n[ref]',
  '<a href="javascript:alert(1)">x</a>',
  '[x](" onmouseover="alert(1))',
  '`<script>`',
  '<div onclick="alert(1)">hi</div>',
  '<http://example.com/"onmouseover="alert(1)>',
  '<javascript:alert(1)>',
  '[a](file:///etc/passwd)',
  '<style>body{}</style>',
];

describe('Markdown rendering', () => {
  it('renders Markdown', async () => {
    expect(await renderMarkdown('# Title\n\nSome **bold** [link](https://example.com).')).toBe(
      '<h1>Title</h1>\n<p>Some <strong>bold</strong> <a href="https://example.com">link</a>.</p>\n',
    );
  });

  it.each(XSS_CORPUS)('neutralises %s', async (source) => {
    const html = await renderMarkdown(source);
    // No raw tags other than the ones Markdown itself produces, and no dangerous URL.
    expect(html).not.toMatch(/<(script|img[^>]*onerror|svg|iframe|div|style)/i);
    expect(html).not.toMatch(/\son\w+="/i);
    expect(html).not.toMatch(/(href|src)="\s*(javascript|vbscript|data|file):/i);
  });

  it('reads CR LF and lone CR as line endings and NUL as U+FFFD, as CommonMark says', async () => {
    const lf = '# Title\n\nline one\nline two\n\n    code\n';
    const html = await renderMarkdown(lf);
    expect(html).toBe('<h1>Title</h1>\n<p>line one\nline two</p>\n<pre><code>code\n</code></pre>\n');
    expect(await renderMarkdown(lf.replaceAll('\n', '\r\n'))).toBe(html);
    expect(await renderMarkdown(lf.replaceAll('\n', '\r'))).toBe(html);
    expect(await renderMarkdown('a\r\r\nb\u0000c')).toBe('<p>a</p>\n<p>b\uFFFDc</p>\n');
  });

  it('escapes raw HTML instead of dropping it', async () => {
    expect(await renderMarkdown('<b>x</b>')).toBe('<p>&lt;b&gt;x&lt;/b&gt;</p>\n');
  });

  it('judges URLs the way browsers read them', () => {
    expect(isSafeUrl('https://example.com')).toBe(true);
    expect(isSafeUrl('/relative')).toBe(true);
    expect(isSafeUrl(' javascript:x')).toBe(false);
    expect(isSafeUrl('java\u0000script:x')).toBe(false);
    expect(isSafeUrl('DATA:image/png;base64,xx')).toBe(false);
  });

  it('refuses bodies that expand into too much HTML', async () => {
    const bomb = `[r]: https://example.com/${'x'.repeat(900)}\n\n${'[r] '.repeat(20_000)}`;
    await expect(renderMarkdown(bomb)).rejects.toThrow(/too much HTML/);
    expect(MAX_HTML_BYTES).toBe(1_048_576);
  });
});
