import { App } from 'aws-cdk-lib';
import { NewsdeskStack } from '../lib/newsdesk-stack.ts';

const app = new App();

new NewsdeskStack(app, 'Newsdesk', {
  description: 'Newsdesk article-publishing API',
  // Environment-agnostic: the template deploys to whatever account and region
  // `cdk deploy` targets, and synthesizes offline without credentials.
});

app.synth();
