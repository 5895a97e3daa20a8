/**
 * How `publish` shows progress: a progress bar on a terminal, plain lines otherwise,
 * then one summary line.
 */
import cliProgress from 'cli-progress';
import type { RetryEvent } from './client.ts';
import type { Outcome, PublishReporter, PublishSummary } from './publish.ts';

export interface Output {
  readonly write: (text: string) => void;
}

export function outcomeLines(outcome: Outcome): string[] {
  const label = (kind: string) => kind.padEnd(12);
  switch (outcome.kind) {
    case 'created':
      return [`${label(outcome.dryRun ? 'would create' : 'created')} ${outcome.slug}  (${outcome.file})`];
    case 'updated':
      return [
        `${label(outcome.dryRun ? 'would update' : 'updated')} ${outcome.slug}  (${outcome.file}; changed: ${(outcome.changed ?? []).join(', ')})`,
      ];
    case 'unchanged':
      return [`${label('unchanged')} ${outcome.slug}  (${outcome.file})`];
    case 'failed':
      return [`${label('failed')} ${outcome.file}`, ...(outcome.errors ?? []).map((line) => `    ${line}`)];
  }
}

export function summaryLine(summary: PublishSummary, dryRun: boolean): string {
  const total = summary.created + summary.updated + summary.unchanged + summary.failed;
  const files = `${total} file${total === 1 ? '' : 's'}`;
  if (dryRun) {
    return `Dry run, nothing was changed. ${files}: ${summary.created} would be created, ${summary.updated} would be updated, ${summary.unchanged} unchanged, ${summary.failed} failed.`;
  }
  return `${files}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failed} failed.`;
}

export function retryLine(event: RetryEvent): string {
  return `retrying    ${event.request} after ${event.reason} (attempt ${event.attempt + 1} in ${event.delayMs} ms)`;
}

/** Plain lines: results on stdout, failures on stderr. */
export class LineReporter implements PublishReporter {
  constructor(
    private readonly stdout: Output,
    private readonly stderr: Output,
  ) {}

  start(): void {}

  result(outcome: Outcome): void {
    const target = outcome.kind === 'failed' ? this.stderr : this.stdout;
    target.write(`${outcomeLines(outcome).join('\n')}\n`);
  }

  retry(event: RetryEvent): void {
    this.stderr.write(`${retryLine(event)}\n`);
  }

  finish(summary: PublishSummary, dryRun: boolean): void {
    this.stdout.write(`${summaryLine(summary, dryRun)}\n`);
  }
}

/** A progress bar on the terminal (stderr), with each result logged above it. */
export class BarReporter implements PublishReporter {
  private readonly multi: cliProgress.MultiBar;
  private bar: cliProgress.SingleBar | undefined;

  constructor(
    private readonly stdout: Output,
    stream: NodeJS.WriteStream,
  ) {
    this.multi = new cliProgress.MultiBar(
      {
        stream,
        format: 'publishing [{bar}] {value}/{total} files | {failed} failed',
        hideCursor: true,
        clearOnComplete: true,
        stopOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(total: number): void {
    this.bar = this.multi.create(total, 0, { failed: 0 });
  }

  private failed = 0;

  result(outcome: Outcome): void {
    if (outcome.kind === 'failed') this.failed++;
    this.multi.log(`${outcomeLines(outcome).join('\n')}\n`);
    this.bar?.increment(1, { failed: this.failed });
  }

  retry(event: RetryEvent): void {
    this.multi.log(`${retryLine(event)}\n`);
  }

  finish(summary: PublishSummary, dryRun: boolean): void {
    this.multi.stop();
    this.stdout.write(`${summaryLine(summary, dryRun)}\n`);
  }
}
