import type { StoreOperation } from '../store/access.ts';

/**
 * The event functions' own environment variables, read once at cold start: a missing one
 * fails the cold start loudly (naming it) instead of surfacing deep inside a batch.
 */
export const EVENT_ENV = {
  /** Name of the stack's EventBridge bus. */
  busName: 'EVENT_BUS_NAME',
  /** The stack's EventBridge Scheduler schedule group (go-lives). */
  scheduleGroup: 'GO_LIVE_SCHEDULE_GROUP',
  /** ARN of the go-live function, the schedules' target. */
  goLiveFunctionArn: 'GO_LIVE_FUNCTION_ARN',
  /** ARN of the role EventBridge Scheduler assumes to invoke it. */
  schedulerRoleArn: 'GO_LIVE_SCHEDULER_ROLE_ARN',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** The value of a required variable, or an error naming it. */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Invalid Newsdesk configuration: ${name}: is required`);
  }
  return value;
}

/**
 * The functions that are not API routes: the stream consumer and the go-live (lib/events.ts
 * deploys them; the inventory test holds functions/ to this list and ROUTES). As for routes,
 * `store` names the store operations each uses: its table grants follow from them
 * (store/access.ts). The consumer reads no table item, only the table's stream.
 */
export const EVENT_FUNCTIONS = [
  { id: 'StreamConsumer', entry: 'functions/stream-consumer.ts', store: [], indexes: [] },
  // The go-live re-reads the head (consistent GetItem; Query when its content lies in slices).
  { id: 'GoLive', entry: 'functions/go-live.ts', store: ['get'], indexes: [] },
] as const satisfies readonly {
  id: string;
  entry: string;
  store: readonly StoreOperation[];
  indexes: readonly ('byStatus' | 'all')[];
}[];

/** The AWS APIs (besides DynamoDB) the event code talks to: fixed regional endpoints, never a URL from data. */
export const EVENT_SDK_PACKAGES = [
  '@aws-lambda-powertools/batch',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-scheduler',
] as const;
