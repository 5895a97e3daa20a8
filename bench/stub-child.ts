/**
 * The DynamoDB stub (bench/stub.ts) in a process of its own, so that its work never
 * shares an event loop with the bench or the handler being measured. Gets its canned
 * items over IPC, answers with its port, and with its request counts when asked.
 */
import { type StubCounts, type StubData, startStub } from './stub.ts';

type Request = { readonly type: 'init'; readonly data: StubData } | { readonly type: 'counts' };
type Reply =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'counts'; readonly counts: StubCounts };

let counts: StubCounts | undefined;

process.on('message', (message: Request) => {
  if (message.type === 'init') {
    startStub(message.data).then(
      (stub) => {
        counts = stub.counts;
        process.send?.({ type: 'ready', port: stub.port } satisfies Reply);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  } else {
    process.send?.({ type: 'counts', counts: { ...counts } } satisfies Reply);
  }
});
process.on('disconnect', () => process.exit(0));
