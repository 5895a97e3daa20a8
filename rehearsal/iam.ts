/**
 * IAM identity-based policy evaluation, for the policies a template gives a role (its
 * inline policies, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources attached to
 * it, managed policy ARNs) or an IAM user: an explicit Deny wins, otherwise some Allow
 * must match both the action (case-insensitive) and the resource ARN (case-sensitive),
 * with `*` and `?` wildcards, `NotAction` and `NotResource` as IAM defines them.
 *
 * Condition blocks are not evaluated: a statement with one stops the rehearsal (it could
 * only be guessed at, and a wrong guess would hide exactly what the rehearsal looks for).
 */
import { TemplateError, UnsupportedTemplateError } from './errors.ts';
import type { Json, JsonObject, Resolver } from './template.ts';

export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** Where it comes from (policy logical id or ARN), for reports. */
  readonly source: string;
}

export interface Decision {
  readonly allowed: boolean;
  /** The statement that decided (an Allow, or the Deny that overrode). */
  readonly statement?: Statement;
}

/**
 * AWS managed policies a function role may carry that grant nothing the rehearsal
 * checks (CloudWatch Logs, X-Ray, VPC networking): their actions, on `*`. Any other AWS
 * managed policy stops the rehearsal, since its content is not in the template.
 */
const KNOWN_AWS_MANAGED: Readonly<Record<string, readonly string[]>> = {
  'service-role/AWSLambdaBasicExecutionRole': [
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ],
  AWSXRayDaemonWriteAccess: ['xray:*'],
  'service-role/AWSLambdaVPCAccessExecutionRole': ['ec2:*NetworkInterface*', 'logs:*'],
};

const list = (value: Json | undefined): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);

const STATEMENT_KEYS = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];

/** The statements of a resolved policy document. */
export function statementsOf(document: Json | undefined, source: string): Statement[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new TemplateError(source, 'PolicyDocument is not an object');
  }
  const raw = document.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements.map((item) => {
    const statement = item as JsonObject;
    for (const key of Object.keys(statement)) {
      if (!STATEMENT_KEYS.includes(key))
        throw new UnsupportedTemplateError(source, `policy statement key ${key}`);
    }
    if (statement.Condition !== undefined) {
      throw new UnsupportedTemplateError(source, 'a policy statement Condition');
    }
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') throw new TemplateError(source, `Effect ${String(effect)}`);
    const actions = list(statement.Action);
    const notActions = list(statement.NotAction);
    const resources = list(statement.Resource);
    const notResources = list(statement.NotResource);
    return {
      effect,
      source,
      ...(actions ? { actions } : {}),
      ...(notActions ? { notActions } : {}),
      ...(resources ? { resources } : {}),
      ...(notResources ? { notResources } : {}),
    };
  });
}

const patterns = new Map<string, RegExp>();

/** IAM wildcard matching: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = patterns.get(key);
  if (regex === undefined) {
    const source = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    patterns.set(key, regex);
  }
  return regex.test(value);
}

function applies(statement: Statement, action: string, resource: string): boolean {
  const actionHit = statement.actions
    ? statement.actions.some((pattern) => wildcardMatch(pattern, action, true))
    : !(statement.notActions ?? []).some((pattern) => wildcardMatch(pattern, action, true));
  if (!actionHit) return false;
  return statement.resources
    ? statement.resources.some((pattern) => wildcardMatch(pattern, resource))
    : !(statement.notResources ?? []).some((pattern) => wildcardMatch(pattern, resource));
}

/** IAM's decision for one action on one resource under a set of identity-based statements. */
export function evaluate(statements: readonly Statement[], action: string, resource: string): Decision {
  const deny = statements.find(
    (statement) => statement.effect === 'Deny' && applies(statement, action, resource),
  );
  if (deny) return { allowed: false, statement: deny };
  const allow = statements.find(
    (statement) => statement.effect === 'Allow' && applies(statement, action, resource),
  );
  return allow ? { allowed: true, statement: allow } : { allowed: false };
}

function managedPolicyStatements(resolver: Resolver, arn: string, owner: string): Statement[] {
  const inStack = resolver
    .resources()
    .find(([id, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy' && resolver.physicalId(id) === arn);
  if (inStack) {
    const [id] = inStack;
    return statementsOf(resolver.properties(id).PolicyDocument, id);
  }
  const awsManaged = /^arn:aws:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  const actions = awsManaged === undefined ? undefined : KNOWN_AWS_MANAGED[awsManaged];
  if (actions === undefined) throw new UnsupportedTemplateError(owner, `managed policy ${arn}`);
  return [{ effect: 'Allow', actions, resources: ['*'], source: arn }];
}

const ROLE_KEYS = [
  'AssumeRolePolicyDocument',
  'Policies',
  'ManagedPolicyArns',
  'Description',
  'Path',
  'RoleName',
  'MaxSessionDuration',
  'Tags',
];

/** Every identity-based statement that applies to the role `roleId` (a logical id). */
export function roleStatements(resolver: Resolver, roleId: string, trustedService: string): Statement[] {
  const role = resolver.resource(roleId);
  if (role.Type !== 'AWS::IAM::Role') throw new TemplateError(roleId, `is a ${role.Type}, not an IAM role`);
  const properties = resolver.properties(roleId);
  for (const key of Object.keys(properties)) {
    if (!ROLE_KEYS.includes(key))
      throw new UnsupportedTemplateError(roleId, `AWS::IAM::Role property ${key}`);
  }
  if (!JSON.stringify(properties.AssumeRolePolicyDocument ?? {}).includes(`"${trustedService}"`)) {
    throw new TemplateError(roleId, `cannot be assumed by ${trustedService} (AssumeRolePolicyDocument)`);
  }
  const roleName = resolver.physicalId(roleId);
  const statements: Statement[] = [];
  for (const inline of (properties.Policies as JsonObject[] | undefined) ?? []) {
    statements.push(...statementsOf(inline.PolicyDocument, `${roleId}/${String(inline.PolicyName)}`));
  }
  for (const arn of list(properties.ManagedPolicyArns) ?? []) {
    statements.push(...managedPolicyStatements(resolver, arn, roleId));
  }
  for (const [id, resource] of resolver.resources()) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const policy = resolver.properties(id);
    if (!(list(policy.Roles) ?? []).includes(roleName)) continue;
    statements.push(...statementsOf(policy.PolicyDocument, id));
  }
  return statements;
}

/**
 * The statements of the customer managed policies the stack creates for people to
 * attach (attached to no role, user or group in the template): what the stand-in editor
 * user holds, as the deployment guide has editors attach them.
 */
export function unattachedManagedPolicyStatements(resolver: Resolver): Statement[] {
  return resolver
    .resources()
    .filter(([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy')
    .filter(([id]) => {
      const policy = resolver.properties(id);
      return [policy.Roles, policy.Users, policy.Groups].every((value) => (list(value) ?? []).length === 0);
    })
    .flatMap(([id]) => statementsOf(resolver.properties(id).PolicyDocument, id));
}
