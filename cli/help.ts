/** Help texts for `newsdesk --help` and `newsdesk <command> --help`. */

const CONNECTION = `Connection options (every command):
  --endpoint <url>      API base URL (else $NEWSDESK_ENDPOINT, else --outputs, else http://127.0.0.1:3000)
  --outputs <file>      read the ApiUrl output from a "cdk deploy --outputs-file" JSON (cdk-outputs.json)
  --stack <name>        which stack's ApiUrl, when the outputs file holds several
  --region <region>     signing region (else the region in an execute-api host name, else $AWS_REGION, else us-east-1)
  --profile <name>      AWS profile for credentials (else the standard chain: env, SSO, shared files, roles)
  --max-attempts <n>    attempts per request, retrying 429/5xx/network errors with backoff (default 5)
  -h, --help            this help`;

export const HELP = `newsdesk: publish and manage Newsdesk articles from Markdown files

Usage: newsdesk <command> [options]

Commands:
  publish <file|dir|glob>...   create, replace or skip articles from Markdown files
  get <slug>                   print one article (editor view, JSON; --html for the rendered body)
  list                         list articles of every status (a table; --json for scripts)
  take-down <slug>             take an article down (asks first unless --yes)
  history <slug>               every version of an article, newest first (--json for scripts)
  restore <slug> <version>     restore a version as a new one (asks first unless --yes)
  preview <slug>               make a preview link to the current version (--expires 2h)
  events [--follow]            the local server's events (article published, updated, …)
  help [command]               help for a command

Options:
  -v, --version         print the version
  -h, --help            this help

${CONNECTION}

Requests to /editor/ routes are signed with AWS Signature Version 4 (service execute-api).
Credentials come from the AWS provider chain; against the local server, export the pair it
printed as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

Exit codes: 0 success, 1 something failed, 2 usage error (nothing was sent).`;

const COMMAND_HELP = {
  publish: `Usage: newsdesk publish [options] <file|dir|glob>...

Validates each file (YAML front matter between "---" lines, then the Markdown body) with
the API's own rules, then for each article:
  - creates it (POST) when its slug does not exist yet;
  - replaces it (PUT with If-Match from a fresh GET) when a field differs;
  - skips it when title, summary, body, author, tags, status and publishedAt all match.
The slug is the front matter's "slug", else derived from the title as the API does.
Directories are searched for *.md and *.markdown files (recursively); quoted globs
(*, **, ?, [..], {a,b}) are expanded. A file failing never stops the others.

Options:
  -n, --dry-run         show what would be created/updated/skipped; change nothing
  --status <status>     publish every file with this status: draft or published
  -c, --concurrency <n> files handled at once (default 4)

${CONNECTION}

Output: a progress bar on a terminal, plain lines otherwise, then a summary
(created / updated / unchanged / failed). Exit code 1 if any file failed.

Example:
  newsdesk publish articles/
  newsdesk publish --dry-run 'articles/**/*.md'
  newsdesk publish --status draft --outputs cdk-outputs.json draft.md`,

  get: `Usage: newsdesk get [options] <slug>

Prints the editor representation of one article, any status (JSON: slug, title, summary,
body, bodyHtml, author, tags, publishedAt, updatedAt, status, createdAt, version,
createdBy, updatedBy).

Options:
  --html                print only the rendered body (bodyHtml)

${CONNECTION}`,

  list: `Usage: newsdesk list [options]

Lists articles of every status, newest publishedAt first, as a table (or JSON).

Options:
  --status <status>     only draft, scheduled or published articles
  --tag <tag>           only articles carrying this tag (filtered by the CLI over the
                        editor list, so drafts and scheduled articles are included)
  --limit <n>           at most n articles (default 20; pages are read as needed)
  --all                 every article (follows the API's cursors to the end)
  --cursor <cursor>     continue where a previous list stopped (not with --tag)
  --json                print { "items": [...], "nextCursor": ... } for scripts

${CONNECTION}`,

  'take-down': `Usage: newsdesk take-down [options] <slug>

Takes an article down: afterwards every route answers 404 for it and lists omit it. Its
content is kept and its slug stays taken. Asks for confirmation on a terminal; without
a terminal, --yes is required.

Options:
  -y, --yes             do not ask

${CONNECTION}`,

  history: `Usage: newsdesk history [options] <slug>

Lists every version of an article, newest first: version, status, when and by whom it
was written, title. Every write adds one (create = 1; each update and restore).

Options:
  --json                print { "items": [...] } for scripts

${CONNECTION}`,

  restore: `Usage: newsdesk restore [options] <slug> <version>

Restores a version: writes a new version whose title, summary, body, author, tags,
status and publishedAt are those of <version> (history is never rewritten). Uses the
current version's ETag, so a change made meanwhile by someone else makes it fail (412)
instead of being overwritten. Asks for confirmation on a terminal; without a terminal,
--yes is required.

Options:
  -y, --yes             do not ask

${CONNECTION}`,

  preview: `Usage: newsdesk preview [options] <slug>

Makes a preview link to the article's current version, whatever its status (drafts and
scheduled articles included), and prints the page to share; the API URL it reads and the
expiry go to stderr. Later edits do not change what the link shows; it stops working when
it expires or the article is taken down.

Options:
  --expires <time>      how long the link works: seconds, or with s, m, h or d
                        (e.g. 90m, 2h, 7d); 1 minute to 7 days, default 1 day

${CONNECTION}

Example:
  newsdesk preview my-draft --expires 2h`,

  events: `Usage: newsdesk events [options]

Prints the events the local server (npm start) announced: its last 1 000, one line each
(time, detail-type, slug, version, status, reason). They are read from the local-only
route GET /editor/_local/events, signed like every editor request.

Deployed APIs have no such route: events go to the stack's EventBridge bus (output
EventBusName); against an execute-api URL this command prints how to subscribe (a rule on
that bus, or webhooks in cdk.json) and exits with 2.

Options:
  -f, --follow          keep printing new events as they come (Ctrl-C stops)
  --json                one EventBridge event JSON per line instead

${CONNECTION}

Example:
  newsdesk events --follow
  newsdesk events --json | jq -r 'select(.["detail-type"] == "Article Published") | .detail.url'`,
} as const;

export function helpFor(command: keyof typeof COMMAND_HELP): string {
  return COMMAND_HELP[command];
}
