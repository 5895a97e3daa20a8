/** Messages between the bench and its warm Lambda processes (bench/warm-child.ts). */

export type WarmRequest =
  | { readonly type: 'load'; readonly file: string }
  | { readonly type: 'run'; readonly count: number; readonly event: unknown };

export type WarmReply =
  | { readonly type: 'loaded'; readonly initMs: number }
  | {
      readonly type: 'done';
      /** Wall-clock time of each invocation, milliseconds. */
      readonly durations: number[];
      /** CPU time (user + system) of the process during each invocation, milliseconds. */
      readonly cpu: number[];
      readonly statuses: Record<string, number>;
      readonly firstBody: string | undefined;
    }
  | { readonly type: 'error'; readonly message: string };
