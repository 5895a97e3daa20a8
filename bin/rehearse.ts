/**
 * `npm run rehearse`: the stack as it would be deployed, on this machine. Runs `cdk synth`
 * (into cdk.out, or --cdk-out), then serves the synthesized API from the bundles in the
 * cloud assembly on DynamoDB Local, every DynamoDB call checked against the calling
 * function's IAM policies (see docs/rehearsal.md).
 *
 *   npm run rehearse                      synth, serve until Ctrl-C, print the report
 *   npm run rehearse -- --smoke           synth, call every route once, print the report, exit
 *   options: --no-synth  --cdk-out <dir>  --port <n> (default $PORT or 3000)
 *            --dynamodb-endpoint <url> (default: an in-memory DynamoDB Local)  --quiet
 *
 * Exit status: 0 when the run saw no denial and no function error, 1 otherwise, 2 when
 * the rehearsal could not start (a template it cannot emulate, a bundle that does not load).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { stopAllDynamoDbLocal } from '../local/dynamodb-local.ts';
import { formatReport, type Rehearsal, startRehearsal } from '../rehearsal/rehearsal.ts';
import { smoke } from '../rehearsal/smoke.ts';
import { synthesize } from '../rehearsal/synth.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    'no-synth': { type: 'boolean', default: false },
    'cdk-out': { type: 'string', default: join(PROJECT_ROOT, 'cdk.out') },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'dynamodb-endpoint': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

let rehearsal: Rehearsal | undefined;
let stopping = false;

async function finish(): Promise<never> {
  if (stopping) process.exit(1);
  stopping = true;
  const report = rehearsal === undefined ? undefined : await rehearsal.close();
  if (report !== undefined) console.log(formatReport(report));
  process.exit(report === undefined || report.ok ? 0 : 1);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void finish());

function readyMessage(r: Rehearsal): string {
  const { editor, url } = r;
  return [
    `Newsdesk rehearsal ready at ${url}`,
    `  stack        ${r.stackName} from ${values['cdk-out']} (the synthesized template and bundles)`,
    `  functions    ${r.functions
      .filter((f) => f.api)
      .map((f) => f.name.replace(/\/Function$/, ''))
      .join(', ')}`,
    `  loaded only  ${r.functions
      .filter((f) => !f.api)
      .map((f) => f.name.replace(/\/Function$/, ''))
      .join(', ')} (events: no stream, bus or scheduler is emulated)`,
    `  tables       ${r.tables.join(', ')} on ${r.dynamodbEndpoint}`,
    `  editor key   ${editor.accessKeyId}  (IAM user ${editor.userArn}, holding the stack's unattached managed policies)`,
    `  secret       ${editor.secretAccessKey}`,
    "  checked      every DynamoDB call against the calling function's IAM policies in the template",
    '',
    'Publish an article:',
    `  curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "${editor.accessKeyId}:${editor.secretAccessKey}" \\`,
    `    -H 'Content-Type: application/json' -d '{"title":"Hello, rehearsal","body":"Deployed *locally*."}' \\`,
    `    ${url}/editor/articles`,
    `Read it:  curl ${url}/articles/hello-rehearsal`,
    'Stop with Ctrl-C: the report of denials and function errors follows.',
  ].join('\n');
}

try {
  if (!values['no-synth']) {
    console.log(`Synthesizing into ${values['cdk-out']} ...`);
    await synthesize(values['cdk-out']);
  }
  const editor =
    process.env.NEWSDESK_EDITOR_ACCESS_KEY_ID && process.env.NEWSDESK_EDITOR_SECRET_ACCESS_KEY
      ? {
          accessKeyId: process.env.NEWSDESK_EDITOR_ACCESS_KEY_ID,
          secretAccessKey: process.env.NEWSDESK_EDITOR_SECRET_ACCESS_KEY,
        }
      : undefined;
  rehearsal = await startRehearsal({
    cdkOut: values['cdk-out'],
    port: Number(values.port),
    ...(values['dynamodb-endpoint'] === undefined ? {} : { dynamodbEndpoint: values['dynamodb-endpoint'] }),
    ...(editor === undefined ? {} : { editor }),
    log: values.quiet ? () => {} : (line) => console.log(line),
  });
  if (stopping) await rehearsal.close();
  console.log(readyMessage(rehearsal));
  if (values.smoke) {
    const steps = await smoke(rehearsal.url, rehearsal.editor);
    for (const step of steps) {
      console.log(
        `  ${step.status === step.expected ? 'ok  ' : 'FAIL'} ${step.name} -> ${step.status} (expected ${step.expected})`,
      );
    }
    if (steps.some((step) => step.status !== step.expected)) process.exitCode = 1;
    const report = await rehearsal.close();
    console.log(formatReport(report));
    process.exit(report.ok && process.exitCode !== 1 ? 0 : 1);
  }
} catch (error) {
  console.error(`rehearse: ${error instanceof Error ? error.message : String(error)}`);
  await rehearsal?.close();
  await stopAllDynamoDbLocal();
  process.exit(2);
}
