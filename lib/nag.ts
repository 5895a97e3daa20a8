import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (v3) acknowledgements. A finding is acknowledged on the construct that
 * causes it (or its ancestor), always with the reason the rule does not apply.
 */

export interface NagAcknowledgement {
  /** Rule id, with the finding in brackets for rules that report several (`AwsSolutions-IAM5[Resource::*]`). */
  readonly id: string;
  /** Why the finding is acceptable here. */
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ...acks: NagAcknowledgement[]): void {
  Validations.of(scope).acknowledge(...acks.map((ack) => ({ id: ack.id, reason: ack.reason })));
}

/**
 * The string cdk-nag's IAM5 rule reports for a resource ARN that contains tokens:
 * `Ref` becomes `<LogicalId>`, `Fn::GetAtt` `<LogicalId.Attr>`, `Fn::Join` is joined.
 * Lets a construct acknowledge exactly the wildcard ARNs it builds, no others.
 */
export function nagResourceFinding(scope: IConstruct, arn: string): string {
  return `Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}`;
}

/** A resolved CloudFormation value as one string, the way cdk-nag reports it. */
export function flattenCfnReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    const join = record['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenCfnReference).join(delimiter);
    }
    if ('Fn::Sub' in record) return flattenCfnReference(record['Fn::Sub']);
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flattenCfnReference(getAtt[0])}.${flattenCfnReference(getAtt[1])}>`;
    if ('Fn::ImportValue' in record) return flattenCfnReference(record['Fn::ImportValue']);
    if ('Ref' in record) return `<${flattenCfnReference(record.Ref)}>`;
  }
  return JSON.stringify(node);
}
