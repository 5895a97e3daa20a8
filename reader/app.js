/**
 * The Newsdesk reader: the public article list (paged with the API's cursors, a "More"
 * button), an article view and tag lists, fetched cross-origin from the API named in
 * <meta name="newsdesk-api">.
 *
 * Rules of this script:
 * - Text from the API is only ever put into the page with textContent or attributes set
 *   through the DOM; no HTML is built from strings.
 * - The one exception is `bodyHtml`, which the API renders from Markdown and sanitizes at
 *   write time (raw HTML escaped, no javascript:/data: URLs): it is inserted as HTML,
 *   through a Trusted Types policy, since rendering it is the point. The page's
 *   Content-Security-Policy (script-src 'self') would stop inline scripts and event
 *   handlers anyway.
 * - Requests use `cache: 'no-cache'`: the browser revalidates its cached copy with
 *   If-None-Match and the API answers 304 when nothing changed.
 */

const PAGE_SIZE = 10;

const apiMeta = document.querySelector('meta[name="newsdesk-api"]');
const apiBase = new URL(apiMeta?.getAttribute('content') || 'http://127.0.0.1:3000');
if (!apiBase.pathname.endsWith('/')) apiBase.pathname += '/';

/** The one place HTML from the API enters the page (see above). */
const bodyPolicy = window.trustedTypes?.createPolicy('newsdesk-body', { createHTML: (html) => html }) ?? {
  createHTML: (html) => html,
};

const $ = (id) => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing`);
  return element;
};

const view = {
  list: $('list-view'),
  listTitle: $('list-title'),
  articles: $('articles'),
  more: $('more'),
  article: $('article-view'),
  title: $('article-title'),
  author: $('article-author'),
  date: $('article-date'),
  summary: $('article-summary'),
  tags: $('article-tags'),
  body: $('article-body'),
  previewMark: $('preview-mark'),
  status: $('status'),
  crumbs: $('crumbs'),
};

/** A URL of the API: `path` relative to its base, with the given query parameters. */
function apiUrl(path, params = {}) {
  const url = new URL(path, apiBase);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  }
  return url;
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `The API answered ${status}.`);
    this.status = status;
    this.title = problem?.title ?? 'Error';
  }
}

async function getJson(url) {
  const response = await fetch(url, {
    cache: 'no-cache',
    credentials: 'omit',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = undefined;
    }
    throw new ApiError(response.status, problem);
  }
  return response.json();
}

function el(tag, properties = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

const articleHref = (slug) => `#/articles/${encodeURIComponent(slug)}`;
const tagHref = (tag) => `#/tag/${encodeURIComponent(tag)}`;

function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium' });
}

function tagList(tags) {
  return tags.map((tag) => el('li', {}, [el('a', { href: tagHref(tag), text: tag })]));
}

function byline(article) {
  const parts = [];
  if (article.author) parts.push(article.author);
  if (article.publishedAt) parts.push(formatDate(article.publishedAt));
  return parts.join(' · ');
}

function listItem(article) {
  return el('li', { 'data-slug': article.slug }, [
    el('h2', {}, [el('a', { href: articleHref(article.slug), text: article.title })]),
    el('p', { class: 'byline', text: byline(article) }),
    ...(article.summary ? [el('p', { class: 'summary', text: article.summary })] : []),
    el('ul', { class: 'tags' }, tagList(article.tags)),
  ]);
}

function setStatus(message, isError = false) {
  view.status.textContent = message;
  view.status.classList.toggle('error', isError);
}

function showError(error) {
  if (error instanceof ApiError) setStatus(`${error.title}: ${error.message}`, true);
  else setStatus(`The API at ${apiBase.origin} could not be reached (${error.message}).`, true);
}

// ---------------------------------------------------------------------------
// Views

/** Which request is current: answers of an older navigation are dropped. */
let generation = 0;

const list = { tag: undefined, cursor: null };

async function loadPage(current) {
  view.more.disabled = true;
  try {
    const page = await getJson(apiUrl('articles', { limit: PAGE_SIZE, tag: list.tag, cursor: list.cursor }));
    if (current !== generation) return;
    view.articles.append(...page.items.map(listItem));
    list.cursor = page.nextCursor;
    view.more.hidden = page.nextCursor === null;
    if (view.articles.childElementCount === 0) setStatus('No articles yet.');
    else setStatus('');
  } catch (error) {
    if (current === generation) showError(error);
  } finally {
    view.more.disabled = false;
  }
}

function showList(tag) {
  const current = ++generation;
  list.tag = tag;
  list.cursor = null;
  view.article.hidden = true;
  view.list.hidden = false;
  view.articles.replaceChildren();
  view.more.hidden = true;
  view.listTitle.textContent = tag === undefined ? 'Latest articles' : `Tagged "${tag}"`;
  view.crumbs.replaceChildren(...(tag === undefined ? [] : [el('a', { href: '#/', text: 'All articles' })]));
  document.title = tag === undefined ? 'Newsdesk' : `#${tag} - Newsdesk`;
  setStatus('Loading...');
  return loadPage(current);
}

/** Puts an article (public representation) in the article view; `preview` marks it as not published. */
function renderArticle(article, { preview }) {
  view.previewMark.hidden = !preview;
  view.article.classList.toggle('preview', preview);
  view.title.textContent = article.title;
  view.author.textContent = article.author ?? '';
  // A draft shown by a preview link may have no publication time yet.
  view.date.textContent = article.publishedAt ? formatDate(article.publishedAt) : 'not published';
  if (article.publishedAt) view.date.setAttribute('datetime', article.publishedAt);
  else view.date.removeAttribute('datetime');
  view.summary.textContent = article.summary ?? '';
  view.summary.hidden = !article.summary;
  view.tags.replaceChildren(...tagList(article.tags));
  // Sanitized by the API at write time; see the header comment.
  view.body.innerHTML = bodyPolicy.createHTML(article.bodyHtml);
  document.title = `${preview ? 'Preview: ' : ''}${article.title} - Newsdesk`;
  view.article.hidden = false;
}

/** `<meta name="robots" content="noindex">` while a preview is shown: previews are never indexed. */
function setNoIndex(on) {
  let meta = document.querySelector('meta[name="robots"]');
  if (on && meta === null) {
    meta = el('meta', { name: 'robots', content: 'noindex' });
    document.head.append(meta);
  } else if (!on) {
    meta?.remove();
  }
}

async function showArticle(slug) {
  const current = ++generation;
  setNoIndex(false);
  view.list.hidden = true;
  view.article.hidden = true;
  view.crumbs.replaceChildren(el('a', { href: '#/', text: 'All articles' }));
  setStatus('Loading...');
  try {
    const article = await getJson(apiUrl(`articles/${encodeURIComponent(slug)}`));
    if (current !== generation) return;
    renderArticle(article, { preview: false });
    setStatus('');
  } catch (error) {
    if (current === generation) showError(error);
  }
}

/** `#/preview/{token}`: the version a preview link names, whatever its status, marked as a preview. */
async function showPreview(token) {
  const current = ++generation;
  setNoIndex(true);
  view.list.hidden = true;
  view.article.hidden = true;
  view.crumbs.replaceChildren(el('a', { href: '#/', text: 'All articles' }));
  document.title = 'Preview - Newsdesk';
  setStatus('Loading...');
  try {
    const article = await getJson(apiUrl(`preview/${encodeURIComponent(token)}`));
    if (current !== generation) return;
    renderArticle(article, { preview: true });
    setStatus('');
  } catch (error) {
    if (current !== generation) return;
    // Expired, altered or withdrawn: the API says 404 alike; say it plainly.
    if (error instanceof ApiError && error.status === 404) {
      setStatus('This preview link is invalid or has expired. Ask the editor for a new one.', true);
    } else {
      showError(error);
    }
  }
}

function route() {
  const hash = decodeURIComponent(window.location.hash.replace(/^#\/?/, ''));
  const [kind, value] = [hash.split('/')[0], hash.split('/').slice(1).join('/')];
  if (kind === 'articles' && value) return showArticle(value);
  if (kind === 'preview' && value) return showPreview(value);
  setNoIndex(false);
  if (kind === 'tag' && value) return showList(value);
  return showList(undefined);
}

view.more.addEventListener('click', () => {
  void loadPage(generation);
});
window.addEventListener('hashchange', () => {
  void route();
});

const apiLink = $('api-link');
apiLink.textContent = apiBase.href;
apiLink.setAttribute('href', apiBase.href);
$('contract-link').setAttribute('href', apiUrl('openapi.json').href);

// The feeds of the API this page reads: the discovery links in <head> and the footer.
const FEEDS = [
  { type: 'application/rss+xml', path: 'feed.xml', link: 'feed-link' },
  { type: 'application/atom+xml', path: 'feed.atom', link: 'atom-link' },
  { type: 'application/feed+json', path: 'feed.json', link: 'json-feed-link' },
];
for (const feed of FEEDS) {
  const href = apiUrl(feed.path).href;
  document.querySelector(`link[rel="alternate"][type="${feed.type}"]`)?.setAttribute('href', href);
  $(feed.link).setAttribute('href', href);
}
const feedLink = $('feed-link');
feedLink.textContent = feedLink.getAttribute('href');

void route();
