/**
 * The reader page's server without a browser: what it serves, its headers, its port rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ReaderServer,
  ReaderServerError,
  readerAssets,
  readerCsp,
  readerPortFor,
  startReaderServer,
} from '../../local/reader-server.ts';

describe('readerPortFor', () => {
  it('defaults to the API port + 1, or a free port when the API port was picked freely', () => {
    expect(readerPortFor(3000, 3000, undefined)).toBe(3001);
    expect(readerPortFor(0, 41234, undefined)).toBe(0);
    expect(readerPortFor(65535, 65535, '')).toBe(0);
  });

  it('takes READER_PORT, "off", and refuses anything else', () => {
    expect(readerPortFor(3000, 3000, '8080')).toBe(8080);
    expect(readerPortFor(3000, 3000, '0')).toBe(0);
    expect(readerPortFor(3000, 3000, 'off')).toBe(false);
    expect(() => readerPortFor(3000, 3000, '70000')).toThrow(ReaderServerError);
    expect(() => readerPortFor(3000, 3000, 'x')).toThrow(/READER_PORT/);
  });
});

describe('reader page assets', () => {
  it('writes the API URL into the page, escaped, and refuses non-http URLs', () => {
    const page = readerAssets('http://127.0.0.1:3000').get('/')?.body.toString('utf8') ?? '';
    expect(page).toContain('<meta name="newsdesk-api" content="http://127.0.0.1:3000/">');
    const odd = readerAssets('https://api.example/v1?a="b"&c=<d>').get('/')?.body.toString('utf8') ?? '';
    expect(odd).toContain('content="https://api.example/v1?a=%22b%22&amp;c=%3Cd%3E"');
    expect(() => readerAssets('javascript:alert(1)')).toThrow(ReaderServerError);
  });

  it('has a CSP with no inline script, fetch only to the API, Trusted Types', () => {
    const csp = readerCsp('https://api.example');
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self'",
        'connect-src https://api.example',
        "require-trusted-types-for 'script'",
        "frame-ancestors 'none'",
      ]),
    );
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('the script builds no HTML from strings except bodyHtml through the policy', async () => {
    const script = readerAssets('http://127.0.0.1:3000').get('/app.js')?.body.toString('utf8') ?? '';
    const sinks = script.match(
      /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|eval\(|new Function/g,
    );
    expect(sinks).toEqual(['.innerHTML =']);
    expect(script).toContain('view.body.innerHTML = bodyPolicy.createHTML(article.bodyHtml);');
  });
});

describe('startReaderServer', () => {
  let reader: ReaderServer;
  beforeAll(async () => {
    reader = await startReaderServer({ port: 0, apiUrl: 'http://127.0.0.1:3000' });
  });
  afterAll(async () => {
    await reader.close();
  });

  it('serves the page, the script and the style with security headers', async () => {
    for (const [path, type] of [
      ['', 'text/html'],
      ['index.html', 'text/html'],
      ['app.js', 'text/javascript'],
      ['style.css', 'text/css'],
    ] as const) {
      const response = await fetch(`${reader.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(response.headers.get('content-security-policy')).toContain('connect-src http://127.0.0.1:3000');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers 204 for the favicon, 404 for anything else, 405 for other methods', async () => {
    expect((await fetch(`${reader.url}favicon.ico`)).status).toBe(204);
    expect((await fetch(`${reader.url}../package.json`)).status).toBe(404);
    expect((await fetch(`${reader.url}reader/app.js`)).status).toBe(404);
    const post = await fetch(reader.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('reports a taken port in one clear message', async () => {
    await expect(startReaderServer({ port: reader.port, apiUrl: 'http://127.0.0.1:3000' })).rejects.toThrow(
      /already in use: set READER_PORT/,
    );
  });
});
