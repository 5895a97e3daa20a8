import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../functions/core/routes.ts';
import { acknowledge, nagResourceFinding } from './nag.ts';

export interface EditorAccessProps {
  /** The REST API whose editor routes the policy opens. */
  readonly api: apigw.RestApi;
  /** The stage editors call. */
  readonly stageName: string;
  /** The routes; only those with `auth: 'editor'` are granted. */
  readonly routes: readonly RouteDefinition[];
}

/**
 * A customer managed policy allowing `execute-api:Invoke` on the editor routes of this
 * API and stage, and nothing else. Attach it to the IAM users or roles of editors;
 * their SigV4-signed requests then pass the methods' `AWS_IAM` authorization.
 */
export class EditorAccess extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: EditorAccessProps) {
    super(scope, id);
    const editorRoutes = props.routes.filter((route) => route.auth === 'editor');
    if (editorRoutes.length === 0) throw new Error('EditorAccess: no editor routes');

    // `{slug}` becomes `*`: the path segment is the only wildcard, scoped to one
    // method, one resource shape, one stage of this API.
    const resources = editorRoutes.map((route) =>
      props.api.arnForExecuteApi(route.method, route.resource.replace(/\{[^}]+\}/g, '*'), props.stageName),
    );

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Invoke the Newsdesk editor routes (SigV4-signed requests)',
      statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources })],
    });

    for (const arn of resources) {
      const finding = nagResourceFinding(this, arn);
      if (finding.includes('*')) {
        acknowledge(this.policy, {
          id: `AwsSolutions-IAM5[${finding}]`,
          reason:
            'The wildcard stands for the {slug} path parameter of one editor route (one method, one stage of this API); editors edit any article.',
        });
      }
    }
  }
}
