/**
 * The local purge pipeline: an HTTP receiver for the local server's webhooks
 * (NEWSDESK_WEBHOOKS, local/events/webhooks.ts) that purges the local edge of what each
 * event changed. It stands where the deployed rule → queue → purge function stands, and
 * runs the same code (parseMessage, purgeEvents): the same paths, the same dedup. A failed
 * purge answers 503, so the webhook deliverer retries it with backoff.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EdgePurger } from '../../functions/core/edge/paths.ts';
import { parseMessage, purgeEvents } from '../../functions/core/edge/purge.ts';

export interface PurgeReceiver {
  /** The URL to add to NEWSDESK_WEBHOOKS. */
  readonly url: string;
  /** Each purge done: the paths. */
  readonly purged: readonly (readonly string[])[];
  close(): Promise<void>;
}

export async function startPurgeReceiver(options: {
  readonly purger: EdgePurger;
  readonly log?: (line: string) => void;
}): Promise<PurgeReceiver> {
  const purged: string[][] = [];
  const log = options.log ?? (() => {});
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let event: ReturnType<typeof parseMessage>;
      try {
        event = parseMessage(Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        res.writeHead(400).end(error instanceof Error ? error.message : 'not an event');
        return;
      }
      purgeEvents([event], options.purger).then(
        (paths) => {
          purged.push(paths);
          log(`edge purged ${paths.join(' ')}`);
          res.writeHead(204).end();
        },
        (error: unknown) => {
          log(`edge purge failed: ${error instanceof Error ? error.message : String(error)}`);
          res.writeHead(503).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/purge`,
    purged,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
