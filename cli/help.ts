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
} as const;

export function helpFor(command: keyof typeof COMMAND_HELP): string {
  return COMMAND_HELP[command];
}
