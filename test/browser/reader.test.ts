/**
 * The reader page in a real browser: the system Chromium (Debian's `chromium` package,
 * which .ci/run installs) driven by playwright-core, against the local server started
 * in-process (API on one port, reader page on another: a real cross-origin setup).
 *
 * It opens the page, sees the sample article, opens it, follows a tag, pages through 30
 * articles with the "More" button (cursors), revalidates with ETags (the server answers
 * 304), and checks that the console shows no CORS or script error. It then publishes an
 * article full of script and event-handler payloads and proves none of them runs.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { signedFetch, tempDataDir } from '../e2e/support/server.ts';

// The little of the DOM that the callbacks run in the page (page.evaluate) use: the
// project's tsconfig has no DOM library, and these only type-check that page-side code.
interface PageNode {
  readonly attributes: Iterable<{ readonly name: string }>;
  innerHTML: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selectors: string): Iterable<PageNode> & ArrayLike<PageNode>;
  append(...nodes: PageNode[]): void;
}
declare const document: {
  readonly body: PageNode;
  getElementById(id: string): PageNode | null;
  querySelectorAll(selectors: string): Iterable<PageNode>;
  createElement(tag: string): PageNode;
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (event: { violatedDirective: string; blockedURI: string }) => void,
  ): void;
};
declare const window: { __pwned?: unknown; __violations: string[] };

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const executablePath = CANDIDATES.find((path): path is string => path !== undefined && existsSync(path));
if (executablePath === undefined) {
  console.warn(
    `skipping the reader browser test: no Chromium at ${CANDIDATES.filter(Boolean).join(' or ')} (install the Debian "chromium" package, as .ci/run does, or set CHROMIUM_PATH)`,
  );
}

/** This machine has no outside network: without these flags Chromium keeps trying to reach it. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SEED_SLUG = 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia';
const PAGE_TAG = `paging-${randomUUID().slice(0, 6)}`;
const PAGED = 30;
const XSS_SLUG = 'xss-payloads';

const XSS = {
  slug: XSS_SLUG,
  title: `<img src=x onerror="window.__pwned='title';console.error('PWNED')"> Payloads`,
  summary: `<script>window.__pwned='summary';console.error('PWNED')</script>`,
  author: `<svg onload="window.__pwned='author';console.error('PWNED')">`,
  tags: ['xss'],
  body: [
    'Raw HTML and URL attempts, all to be shown as text or dropped:',
    '',
    `<script>window.__pwned = 'script'; console.error('PWNED')</script>`,
    '',
    `<img src="x" onerror="window.__pwned = 'img'; console.error('PWNED')">`,
    '',
    `<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
    '',
    `<a href="javascript:window.__pwned='anchor'">raw anchor</a>`,
    '',
    `[a javascript link](javascript:window.__pwned='link')`,
    '',
    `![an image](javascript:window.__pwned='image')`,
    '',
    '[a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '',
    `Inline \`<b onmouseover="window.__pwned='code'">code</b>\` and <b onclick="window.__pwned='b'">bold</b>.`,
  ].join('\n'),
};

describe.skipIf(executablePath === undefined)('reader page in Chromium', () => {
  let server: LocalServer;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const serverLog: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];
  let credentials: { accessKeyId: string; secretAccessKey: string };

  const publish = async (article: Record<string, unknown>) => {
    const response = await signedFetch({ credentials }, `${server.url}/editor/articles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(article),
    });
    expect(response.status, await response.clone().text()).toBe(201);
  };

  const pagedSlug = (i: number) => `${PAGE_TAG}-${String(i).padStart(2, '0')}`;

  beforeAll(async () => {
    credentials = { accessKeyId: 'AKIAREADERBROWSER001', secretAccessKey: `reader-${randomUUID()}` };
    server = await startLocalServer({
      port: 0,
      dataDir: tempDataDir(),
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: `newsdesk-reader-${randomUUID().slice(0, 8)}`,
      editor: credentials,
      log: (line) => serverLog.push(line),
    });
    // 30 articles on one tag, older than the sample article, one minute apart (newest: 30).
    await Promise.all(
      Array.from({ length: PAGED }, (_, index) => {
        const i = index + 1;
        return publish({
          slug: pagedSlug(i),
          title: `Paged article ${i}`,
          body: `Paged body ${i}.`,
          tags: [PAGE_TAG],
          publishedAt: new Date(Date.UTC(2023, 0, 1, 0, i)).toISOString(),
        });
      }),
    );

    userDataDir = mkdtempSync(join(tmpdir(), 'newsdesk-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 20_000,
    });
    // Records every CSP violation the page sees (there should be none: nothing even tries).
    await context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.__violations.push(`${event.violatedDirective}: ${event.blockedURI}`);
      });
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        consoleErrors.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('requestfailed', (request) =>
      failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`),
    );
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
    await server?.close();
    if (server !== undefined) rmSync(server.dataDir, { recursive: true, force: true });
  });

  const articleItems = () => page.locator('#articles > li');
  const slugsShown = () =>
    page.$$eval('#articles > li', (items) => items.map((item) => item.getAttribute('data-slug') ?? ''));

  it('is served on another origin than the API, with a strict CSP', async () => {
    expect(server.readerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(new URL(server.readerUrl ?? '').origin).not.toBe(new URL(server.url).origin);
    const response = await page.goto(server.readerUrl ?? '');
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src ${server.url}`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it("announces the API's feeds: discovery links in the head, the feed URL on the page", async () => {
    // The page the previous test opened, once its list has loaded (no request left in flight).
    await page.locator(`#articles > li[data-slug="${SEED_SLUG}"]`).waitFor();
    const alternates = await page.$$eval('head link[rel="alternate"]', (links) =>
      links.map((link) => `${link.getAttribute('type')} ${link.getAttribute('href')}`),
    );
    expect(alternates).toEqual([
      `application/rss+xml ${server.url}/feed.xml`,
      `application/atom+xml ${server.url}/feed.atom`,
      `application/feed+json ${server.url}/feed.json`,
    ]);
    // In the HTML as served, not only after the script ran: feed readers do not run scripts.
    const html = await (await fetch(server.readerUrl ?? '')).text();
    expect(html).toContain(
      `<link rel="alternate" type="application/rss+xml" title="Newsdesk (RSS)" href="${server.url}/feed.xml">`,
    );
    expect(await page.locator('#feed-link').textContent()).toBe(`${server.url}/feed.xml`);
    expect(await page.locator('#feed-link').getAttribute('href')).toBe(`${server.url}/feed.xml`);
    // The feed it names is there, and lists the sample article.
    const feed = await fetch(`${server.url}/feed.xml`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain(`#/articles/${SEED_SLUG}</link>`);
  });

  it('lists the sample article, opens it, follows a tag', async () => {
    const seed = page.locator(`#articles > li[data-slug="${SEED_SLUG}"]`);
    await seed.waitFor();
    await expect(seed.locator('h2').textContent()).resolves.toBe(
      'Biden partially lifts ban on Ukraine using US weapons to strike inside Russia',
    );
    await seed.locator('h2 a').click();
    await page.locator('#article-view:not([hidden])').waitFor();
    expect(await page.locator('#article-title').textContent()).toBe(
      'Biden partially lifts ban on Ukraine using US weapons to strike inside Russia',
    );
    expect(await page.locator('#article-body p').first().textContent()).toContain(
      'President Joe Biden has partially lifted a ban',
    );
    expect(await page.locator('#article-author').textContent()).toBe('Sky News');

    await page.locator('#article-tags a', { hasText: 'ukraine' }).click();
    await page.locator('#list-view:not([hidden])').waitFor();
    expect(await page.locator('#list-title').textContent()).toBe('Tagged "ukraine"');
    await page.locator(`#articles > li[data-slug="${SEED_SLUG}"]`).waitFor();
    expect(await slugsShown()).toEqual([SEED_SLUG]);
    expect(await page.locator('#more').isHidden()).toBe(true);
  });

  it('pages through 30 articles with the More button (cursors)', async () => {
    await page.goto(`${server.readerUrl}#/tag/${PAGE_TAG}`);
    await expect.poll(() => articleItems().count()).toBe(10);
    await page.locator('#more').click();
    await expect.poll(() => articleItems().count()).toBe(20);
    await page.locator('#more').click();
    await expect.poll(() => articleItems().count()).toBe(30);
    await expect.poll(() => page.locator('#more').isHidden()).toBe(true);
    const expected = Array.from({ length: PAGED }, (_, i) => pagedSlug(PAGED - i));
    expect(await slugsShown()).toEqual(expected);
    expect(serverLog.some((line) => /^GET \/articles\?.*cursor=.* -> 200 /.test(line))).toBe(true);
  });

  it('revalidates with If-None-Match: the API answers 304 and the page still shows the article', async () => {
    const path = `/articles/${SEED_SLUG}`;
    await page.goto(`${server.readerUrl}#/articles/${SEED_SLUG}`);
    await page.locator('#article-view:not([hidden])').waitFor();
    await page.goto(`${server.readerUrl}#/`);
    await page.locator(`#articles > li[data-slug="${SEED_SLUG}"]`).waitFor();
    await page.locator(`#articles > li[data-slug="${SEED_SLUG}"] h2 a`).click();
    await page.locator('#article-view:not([hidden])').waitFor();
    expect(await page.locator('#article-title').textContent()).toContain('Biden partially lifts ban');
    await expect.poll(() => serverLog.some((line) => line.startsWith(`GET ${path} -> 304 `))).toBe(true);
  });

  it('shows stored payloads as text and runs none of them', async () => {
    await publish(XSS);
    await page.goto(`${server.readerUrl}#/`);
    const item = page.locator(`#articles > li[data-slug="${XSS_SLUG}"]`);
    await item.waitFor();
    expect(await item.locator('h2').textContent()).toBe(XSS.title);
    expect(await item.locator('.summary').textContent()).toBe(XSS.summary);
    await item.locator('h2 a').click();
    await page.locator('#article-view:not([hidden])').waitFor();
    expect(await page.locator('#article-title').textContent()).toBe(XSS.title);
    expect(await page.locator('#article-author').textContent()).toBe(XSS.author);
    const bodyText = (await page.locator('#article-body').textContent()) ?? '';
    expect(bodyText).toContain(`<script>window.__pwned = 'script'`);
    expect(bodyText).toContain('<img src="x" onerror=');

    const dom = await page.evaluate(() => {
      const body = document.getElementById('article-body');
      const all = [...document.querySelectorAll('*')];
      return {
        scriptsInBody: body?.querySelectorAll('script, iframe, img, svg, object, embed').length ?? -1,
        handlerAttributes: all.flatMap((element) =>
          [...element.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name),
        ),
        badLinks: [...(body?.querySelectorAll('a') ?? [])]
          .map((a) => a.getAttribute('href') ?? '')
          .filter((href) => /^\s*(javascript|data|vbscript):/i.test(href)),
        pwned: window.__pwned,
      };
    });
    expect(dom).toEqual({ scriptsInBody: 0, handlerAttributes: [], badLinks: [], pwned: undefined });
    // Hovering and clicking what is there changes nothing either.
    for (const element of await page.locator('#article-body b, #article-body a').all()) {
      await element.hover();
      await element.click({ noWaitAfter: true }).catch(() => {});
    }
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  });

  it('renders a preview link marked "Preview — not published", noindex, and a plain message for a bad link', async () => {
    const slug = `preview-${randomUUID().slice(0, 6)}`;
    await publish({ slug, title: 'A draft to preview', body: 'Draft *body*.', status: 'draft' });
    const made = await signedFetch({ credentials }, `${server.url}/editor/articles/${slug}/preview`, {
      method: 'POST',
    });
    expect(made.status).toBe(201);
    const link = (await made.json()) as { token: string; url: string };
    expect(link.url).toBe(server.site.previewUrl.replace('{token}', link.token));
    await page.goto(link.url);
    await page.locator('#article-view:not([hidden])').waitFor();
    expect(await page.locator('#article-title').textContent()).toBe('A draft to preview');
    expect(await page.locator('#article-body em').textContent()).toBe('body');
    expect(await page.locator('#preview-mark').isVisible()).toBe(true);
    expect(await page.locator('#preview-mark').textContent()).toBe('Preview — not published');
    expect(await page.locator('#article-date').textContent()).toBe('not published');
    expect(await page.locator('head meta[name="robots"]').getAttribute('content')).toBe('noindex');
    expect(serverLog.some((line) => line.startsWith(`GET /preview/${link.token} -> 200 `))).toBe(true);

    // An altered link: a plain message, no article.
    const altered = `${link.token.slice(0, -1)}${link.token.endsWith('A') ? 'B' : 'A'}`;
    await page.goto(`${server.readerUrl}#/preview/${altered}`);
    await expect
      .poll(() => page.locator('#status').textContent())
      .toBe('This preview link is invalid or has expired. Ask the editor for a new one.');
    expect(await page.locator('#article-view').isHidden()).toBe(true);
    expect(await page.locator('head meta[name="robots"]').count()).toBe(1);

    // A published article afterwards: no mark, indexable again.
    await page.goto(`${server.readerUrl}#/articles/${SEED_SLUG}`);
    await page.locator('#article-view:not([hidden])').waitFor();
    expect(await page.locator('#preview-mark').isHidden()).toBe(true);
    expect(await page.locator('head meta[name="robots"]').count()).toBe(0);
    // The browser reports the altered link's 404 on its console: expected here, not an error.
    const notFound = /^error: Failed to load resource: the server responded with a status of 404/;
    expect(consoleErrors.filter((line) => notFound.test(line))).toHaveLength(1);
    consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((line) => !notFound.test(line)));
  });

  it('refuses HTML from strings outside the one policy (Trusted Types), so a slip cannot run script', async () => {
    const outcome = await page.evaluate(() => {
      const attempts: string[] = [];
      const body = document.getElementById('article-body');
      try {
        if (body) body.innerHTML = `<img src=x onerror="window.__pwned='innerHTML'">`;
        attempts.push('innerHTML assigned');
      } catch (error) {
        attempts.push(`innerHTML: ${(error as Error).name}`);
      }
      try {
        const script = document.createElement('script');
        script.textContent = "window.__pwned='script element'";
        document.body.append(script);
        attempts.push('script appended');
      } catch (error) {
        attempts.push(`script: ${(error as Error).name}`);
      }
      return attempts;
    });
    expect(outcome).toEqual(['innerHTML: TypeError', 'script: TypeError']);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    // Those refusals are reported as violations; clear the log of them for the final check.
    await page.evaluate(() => {
      window.__violations.length = 0;
    });
    const refusals = /^error: This document requires 'Trusted(HTML|Script)' assignment\./;
    expect(consoleErrors.filter((line) => refusals.test(line))).toHaveLength(2);
    consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((line) => !refusals.test(line)));
  });

  it('logged no CORS, CSP or script error and no failed request', async () => {
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(consoleErrors.filter((line) => /PWNED/.test(line))).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });
});
