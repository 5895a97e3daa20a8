/**
 * The local server's per-request log line on stdout: `<ISO 8601 time> <line>`. Made for a
 * server under load: the time's text is formatted once per second (milliseconds appended),
 * and the lines of one turn of the event loop go out in one write instead of one each
 * (no console.log per request, which also formats its arguments and copies each call to
 * the inspector). Whatever is pending is written on flush() and when the process exits.
 */

export interface LogOutput {
  write(chunk: string): unknown;
  listenerCount(event: 'error'): number;
  once(event: 'error', listener: () => void): unknown;
  removeListener(event: 'error', listener: () => void): unknown;
}

export interface RequestLog {
  /** Queues one line, stamped with the current time. */
  readonly log: (line: string) => void;
  /** Writes the queued lines now (before other output that must come after them). */
  readonly flush: () => void;
}

let stampSecond = Number.NaN;
let stampPrefix = '';

/** `new Date(ms).toISOString()`, the date and time up to the second formatted once per second. */
/** The pending lines of every request log are written when the process exits (one listener for all). */
const exitFlushers = new Set<() => void>();
function flushOnExit(flush: () => void): void {
  if (exitFlushers.size === 0) {
    process.on('exit', () => {
      for (const pendingFlush of exitFlushers) pendingFlush();
    });
  }
  exitFlushers.add(flush);
}

export function isoTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond) {
    // Everything before the milliseconds: `2026-11-26T20:00:00.`
    stampPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    stampSecond = second;
  }
  const millis = ms - second * 1000;
  return `${stampPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

function ignore(): void {}

export function createRequestLog(out: LogOutput = process.stdout, now: () => number = Date.now): RequestLog {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    // As console.log does: a write error (a closed pipe) must not become an uncaught one.
    const guard = out.listenerCount('error') === 0;
    if (guard) out.once('error', ignore);
    try {
      out.write(text);
    } finally {
      if (guard) out.removeListener('error', ignore);
    }
  };
  flushOnExit(flush);
  return {
    log: (line) => {
      pending += `${isoTimestamp(now())} ${line}\n`;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
