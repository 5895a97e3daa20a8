import {
  type AttributeValue,
  DynamoDBClient,
  type TransactWriteItemsCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * SDK middlewares that let the bench use the application's own store unchanged:
 * - a client that captures the items of the store's transactions instead of sending them
 *   (the items the store would write, to seed tables with BatchWrite and to feed the stub);
 * - a client that asks every Query for its consumed capacity and adds it up.
 * Both sit at the `initialize` step. The store marshals its transactions itself (plain
 * `TransactWriteItems`), so the capture unmarshals them back into the plain items the store
 * built. The capacity hook only adds `ReturnConsumedCapacity`, the same in either format.
 */

/** The Document client options of the functions (functions/core/dynamodb.ts). */
const TRANSLATE = { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } };

export type PlainItem = Record<string, unknown>;

function hasTransactItems(
  input: unknown,
): input is { TransactItems: { Put?: { Item?: Record<string, AttributeValue> } }[] } {
  return typeof input === 'object' && input !== null && 'TransactItems' in input;
}

/**
 * A Document client on which `TransactWriteItems` never leaves the process: the items of
 * its `Put`s are kept, in order, for `take()`. Any other command fails (nothing listens
 * on the endpoint).
 */
export function capturingClient(): { client: DynamoDBDocumentClient; take(): PlainItem[] } {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      maxAttempts: 1,
    }),
    TRANSLATE,
  );
  let captured: PlainItem[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand' || !hasTransactItems(args.input)) {
        return next(args);
      }
      for (const entry of args.input.TransactItems) {
        if (entry.Put?.Item !== undefined) captured.push(unmarshall(entry.Put.Item));
      }
      const output: TransactWriteItemsCommandOutput = { $metadata: {} };
      return { output, response: {} };
    },
    { step: 'initialize', name: 'benchCaptureTransactions' },
  );
  return {
    client,
    take() {
      const items = captured;
      captured = [];
      return items;
    },
  };
}

export interface CapacityRecorder {
  /** Read capacity units consumed by the Queries since the last reset. */
  readonly units: number;
  /** Queries since the last reset. */
  readonly queries: number;
  /** Items the Queries read (ScannedCount) since the last reset. */
  readonly scanned: number;
  reset(): void;
}

function setReturnConsumedCapacity(input: unknown): void {
  if (typeof input === 'object' && input !== null) {
    Object.assign(input, { ReturnConsumedCapacity: 'TOTAL' });
  }
}

function capacityOf(output: unknown): { units: number; scanned: number } {
  if (typeof output !== 'object' || output === null) return { units: 0, scanned: 0 };
  const consumed = 'ConsumedCapacity' in output ? output.ConsumedCapacity : undefined;
  const units =
    typeof consumed === 'object' && consumed !== null && 'CapacityUnits' in consumed
      ? Number(consumed.CapacityUnits)
      : Number.NaN;
  const scanned = 'ScannedCount' in output ? Number(output.ScannedCount) : 0;
  return { units, scanned };
}

/** A Document client on `endpoint` whose Queries report their consumed capacity to the recorder. */
export function capacityRecordingClient(endpoint: string): {
  client: DynamoDBDocumentClient;
  recorder: CapacityRecorder;
} {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    }),
    TRANSLATE,
  );
  const state = { units: 0, queries: 0, scanned: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'QueryCommand') return next(args);
      setReturnConsumedCapacity(args.input);
      const result = await next(args);
      const { units, scanned } = capacityOf(result.output);
      if (!Number.isFinite(units)) throw new Error('DynamoDB returned no ConsumedCapacity for a Query');
      state.units += units;
      state.queries += 1;
      state.scanned += scanned;
      return result;
    },
    { step: 'initialize', name: 'benchQueryCapacity' },
  );
  return {
    client,
    recorder: {
      get units() {
        return state.units;
      },
      get queries() {
        return state.queries;
      },
      get scanned() {
        return state.scanned;
      },
      reset() {
        state.units = 0;
        state.queries = 0;
        state.scanned = 0;
      },
    },
  };
}

/** A plain Document client on `endpoint` (seeding, direct GetItem). */
export function localClient(endpoint: string, maxSockets?: number): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      ...(maxSockets === undefined ? {} : { requestHandler: { httpAgent: { maxSockets } } }),
    }),
    TRANSLATE,
  );
}
