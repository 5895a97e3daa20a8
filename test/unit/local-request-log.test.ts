import { describe, expect, it } from 'vitest';
import { createRequestLog, isoTimestamp, type LogOutput } from '../../local/request-log.ts';

function memoryOutput(): LogOutput & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    write: (chunk: string) => writes.push(chunk),
    listenerCount: () => 0,
    once: () => undefined,
    removeListener: () => undefined,
  };
}

describe('request log', () => {
  it('stamps lines exactly as Date#toISOString does', () => {
    for (const ms of [0, 7, 42, 999, 1_000, 1_795_731_437_951, 1_795_731_437_009, 1_795_731_438_000]) {
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
    // the same second again, after another one
    expect(isoTimestamp(1_795_731_437_500)).toBe(new Date(1_795_731_437_500).toISOString());
  });

  it('writes the lines of one event-loop turn in one write, in order', async () => {
    const out = memoryOutput();
    let now = 1_795_731_437_951;
    const { log } = createRequestLog(out, () => now);
    log('GET /a -> 200 3ms');
    now += 60;
    log('GET /b -> 404 1ms');
    expect(out.writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.writes).toEqual([
      '2026-11-26T22:17:17.951Z GET /a -> 200 3ms\n2026-11-26T22:17:18.011Z GET /b -> 404 1ms\n',
    ]);
    log('GET /c -> 200 2ms');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.writes).toHaveLength(2);
  });

  it('writes what is pending on flush', () => {
    const out = memoryOutput();
    const { log, flush } = createRequestLog(out, () => 0);
    log('x');
    flush();
    flush();
    expect(out.writes).toEqual(['1970-01-01T00:00:00.000Z x\n']);
  });
});
