/**
 * `newsdesk events [--follow] [--json]`: the events the LOCAL server announced (API.md
 * "Events"), read from its local-only `GET /editor/_local/events` (signed like every editor
 * request). Deployed there is no such route: events go to the stack's EventBridge bus, and
 * the command says how to subscribe instead.
 */
import type { ApiClient } from './client.ts';

/** An event as the local server buffers it (the EventBridge event JSON). */
export interface FollowedEvent {
  readonly id: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: {
    readonly slug?: string;
    readonly version?: number;
    readonly status?: string;
    readonly reason?: string;
  };
}

interface EventsPage {
  readonly events: FollowedEvent[];
  readonly last: string | null;
}

export const EVENTS_PATH = '/editor/_local/events';
/** How long one request waits for the next event (the server's limit is 20 s). */
export const FOLLOW_WAIT_S = 20;

/** Whether a base URL is the local server (loopback): only it serves the events route. */
export function isLocalEndpoint(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What to do instead, against a deployed API. */
export function deployedEventsHelp(url: URL): string {
  return [
    `newsdesk events: ${url.origin} is a deployed API; it has no events route to follow.`,
    'Deployed, every event goes to the stack\'s EventBridge bus (stack output "EventBusName", source "newsdesk"). Subscribe with:',
    '  - an EventBridge rule on that bus, e.g. the pattern {"source": ["newsdesk"], "detail-type": ["Article Published"]},',
    '    targeting a queue, a function or an API destination; or',
    '  - webhooks in cdk.json: "webhooks": [{ "url": "https://…", "events": ["Article Published"] }], then cdk deploy.',
    'See docs/events.md. Against the local server (npm start), this command follows its events.',
  ].join('\n');
}

/** One line per event: time, detail-type, slug, version, status and reason. */
export function eventLine(event: FollowedEvent): string {
  const { detail } = event;
  const reason = detail.reason === undefined ? '' : `  reason=${detail.reason}`;
  return `${event.time}  ${event['detail-type'].padEnd(19)}  ${detail.slug ?? '?'}  v${detail.version ?? '?'}  ${detail.status ?? ''}${reason}`;
}

export interface FollowOptions {
  readonly follow: boolean;
  readonly json: boolean;
  readonly write: (line: string) => void;
  /** Stops following (tests; Ctrl-C simply ends the process). */
  readonly signal?: AbortSignal;
}

export type EventsOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * Prints the buffered events (the server keeps its last 1 000), then, with `follow`, every
 * new one as it comes (long polling), until `signal` aborts.
 */
export async function followEvents(client: ApiClient, options: FollowOptions): Promise<EventsOutcome> {
  let after: string | undefined;
  let wait = 0;
  while (options.signal?.aborted !== true) {
    const response = await client.send('GET', EVENTS_PATH, {
      query: { after, wait: wait === 0 ? undefined : String(wait) },
    });
    if (response.status === 404) {
      return {
        ok: false,
        message:
          'this server does not serve events (GET /editor/_local/events answered 404): is it an older `npm start`?',
      };
    }
    if (response.status !== 200) {
      return { ok: false, message: `GET ${EVENTS_PATH} answered ${response.status}` };
    }
    const page = response.json as EventsPage;
    for (const event of page.events) options.write(options.json ? JSON.stringify(event) : eventLine(event));
    if (!options.follow) return { ok: true };
    after = page.last ?? after;
    wait = FOLLOW_WAIT_S;
  }
  return { ok: true };
}
