/**
 * The synthesized CloudFormation template, read from `cdk.out` and resolved the way
 * CloudFormation would resolve it in a deployment, with local stand-ins: account
 * 000000000000, region us-east-1, physical names made from the stack name, the logical
 * id and a per-rehearsal suffix (so several rehearsals can share one DynamoDB Local),
 * and the values of generated secrets for `{{resolve:secretsmanager:...}}`.
 *
 * Anything the resolver does not know (an intrinsic, an attribute, an SSM parameter)
 * throws an `UnsupportedTemplateError` naming where it is: never a silent guess.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateError, UnsupportedTemplateError } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
  readonly Condition?: string;
  readonly DependsOn?: Json;
  readonly Metadata?: JsonObject;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Parameters?: Readonly<Record<string, JsonObject>>;
  readonly Conditions?: Readonly<Record<string, Json>>;
  readonly Mappings?: Readonly<Record<string, JsonObject>>;
  readonly Outputs?: JsonObject;
  readonly Rules?: JsonObject;
  readonly Transform?: Json;
}

/** The stand-in environment every ARN and URL of the rehearsal is built in. */
export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';
export const URL_SUFFIX = 'amazonaws.com';

export interface LoadedStack {
  readonly stackName: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
  /** The cdk.out directory (asset directories are relative to it). */
  readonly cdkOut: string;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    { readonly type?: string; readonly properties?: { readonly templateFile?: string } }
  >;
}

/** Reads the one CloudFormation stack of a cloud assembly (or the one named `stackName`). */
export function loadStack(cdkOut: string, stackName?: string): LoadedStack {
  const manifest = JSON.parse(readFileSync(join(cdkOut, 'manifest.json'), 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(
    ([name, artifact]) =>
      artifact.type === 'aws:cloudformation:stack' && (stackName === undefined || name === stackName),
  );
  const [first, ...rest] = stacks;
  if (first === undefined) {
    throw new TemplateError(cdkOut, stackName ? `no stack named ${stackName}` : 'no CloudFormation stack');
  }
  if (rest.length > 0) {
    throw new UnsupportedTemplateError(
      cdkOut,
      `more than one stack (${stacks.map(([name]) => name).join(', ')}; pick one with --stack)`,
    );
  }
  const [name, artifact] = first;
  const templateFile = join(cdkOut, artifact.properties?.templateFile ?? `${name}.template.json`);
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as CfnTemplate;
  return { stackName: name, templateFile, template, cdkOut };
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string property, or an error naming the resource and property. */
export function stringProp(value: Json | undefined, logicalId: string, property: string): string {
  if (typeof value !== 'string') throw new TemplateError(logicalId, `${property} must be a string`);
  return value;
}

/** Fails on any property of `properties` not in `known` (understood or deliberately without effect here). */
export function checkProperties(
  logicalId: string,
  what: string,
  properties: JsonObject | undefined,
  known: readonly string[],
): void {
  for (const key of Object.keys(properties ?? {})) {
    if (!known.includes(key)) throw new UnsupportedTemplateError(logicalId, `${what} property ${key}`);
  }
}

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const randomId = (length: number, alphabet = ALPHANUM) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

interface SecretSettings {
  readonly PasswordLength?: number;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeCharacters?: string;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

const GENERATE_KEYS = [
  'PasswordLength',
  'ExcludePunctuation',
  'ExcludeCharacters',
  'ExcludeLowercase',
  'ExcludeUppercase',
  'ExcludeNumbers',
  'IncludeSpace',
  'RequireEachIncludedType',
  'SecretStringTemplate',
  'GenerateStringKey',
];

/** A value as Secrets Manager's GenerateSecretString would make it (same alphabet rules). */
function generateSecret(logicalId: string, settings: SecretSettings): string {
  checkProperties(logicalId, 'GenerateSecretString', settings as JsonObject, GENERATE_KEYS);
  let alphabet = '';
  if (!settings.ExcludeLowercase) alphabet += 'abcdefghijklmnopqrstuvwxyz';
  if (!settings.ExcludeUppercase) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (!settings.ExcludeNumbers) alphabet += '0123456789';
  if (!settings.ExcludePunctuation) alphabet += '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  if (settings.IncludeSpace) alphabet += ' ';
  const excluded = new Set(settings.ExcludeCharacters ?? '');
  alphabet = [...alphabet].filter((char) => !excluded.has(char)).join('');
  if (alphabet === '') throw new TemplateError(logicalId, 'GenerateSecretString leaves no characters');
  const password = randomId(settings.PasswordLength ?? 32, alphabet);
  if (settings.GenerateStringKey === undefined) return password;
  const base = JSON.parse(settings.SecretStringTemplate ?? '{}') as Record<string, unknown>;
  return JSON.stringify({ ...base, [settings.GenerateStringKey]: password });
}

const PSEUDO: Readonly<Record<string, (stack: string) => string>> = {
  'AWS::AccountId': () => ACCOUNT_ID,
  'AWS::Region': () => REGION,
  'AWS::Partition': () => PARTITION,
  'AWS::URLSuffix': () => URL_SUFFIX,
  'AWS::StackName': (stack) => stack,
  'AWS::StackId': (stack) =>
    `arn:${PARTITION}:cloudformation:${REGION}:${ACCOUNT_ID}:stack/${stack}/00000000-0000-0000-0000-000000000000`,
};

/** `{{resolve:secretsmanager:id:SecretString:json-key:stage:version}}` */
const DYNAMIC_REFERENCE = /\{\{resolve:([a-z-]+):([^}]*)\}\}/g;

/**
 * Resolves intrinsic functions, pseudo parameters and dynamic references of one template
 * to the rehearsal's stand-in values. Physical ids are made once per resource and kept.
 */
export class Resolver {
  private readonly ids = new Map<string, string>();
  private readonly secrets = new Map<string, string>();
  /** Per-rehearsal suffix of generated physical names. */
  readonly suffix = randomId(12);

  constructor(
    readonly stackName: string,
    readonly template: CfnTemplate,
  ) {
    if (template.Transform !== undefined) {
      throw new UnsupportedTemplateError('Transform', 'a template Transform (macro)');
    }
  }

  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new TemplateError(logicalId, 'referenced but not in the template');
    return resource;
  }

  /** Resources that exist in this deployment (their Condition, if any, holds). */
  resources(): [string, CfnResource][] {
    return Object.entries(this.template.Resources).filter(
      ([, resource]) => resource.Condition === undefined || this.condition(resource.Condition),
    );
  }

  /** The resolved properties of a resource. */
  properties(logicalId: string): JsonObject {
    const resolved = this.resolve(this.resource(logicalId).Properties ?? {}, logicalId);
    return isObject(resolved) ? resolved : {};
  }

  private generatedName(logicalId: string, max = 255): string {
    return `${this.stackName}-${logicalId}-${this.suffix}`.slice(-max);
  }

  /** What `Ref` returns for a resource. */
  physicalId(logicalId: string): string {
    const known = this.ids.get(logicalId);
    if (known !== undefined) return known;
    const resource = this.resource(logicalId);
    const raw = resource.Properties ?? {};
    const named = (key: string, max?: number): string =>
      raw[key] === undefined
        ? this.generatedName(logicalId, max)
        : stringProp(this.resolve(raw[key] ?? null, logicalId), logicalId, key);
    let id: string;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        id = named('TableName');
        break;
      case 'AWS::Lambda::Function':
        id = named('FunctionName', 64);
        break;
      case 'AWS::IAM::Role':
        id = named('RoleName', 64);
        break;
      case 'AWS::Logs::LogGroup':
        id = named('LogGroupName');
        break;
      case 'AWS::IAM::ManagedPolicy':
        id = `arn:${PARTITION}:iam::${ACCOUNT_ID}:policy/${named('ManagedPolicyName', 128)}`;
        break;
      case 'AWS::SecretsManager::Secret':
        id = `arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${named('Name')}-${randomId(6)}`;
        break;
      case 'AWS::ApiGateway::RestApi':
      case 'AWS::ApiGateway::Resource':
      case 'AWS::ApiGateway::Deployment':
        id = randomId(10, 'abcdefghijklmnopqrstuvwxyz0123456789');
        break;
      case 'AWS::ApiGateway::Stage':
        id = named('StageName');
        break;
      case 'AWS::Events::EventBus':
      case 'AWS::Events::Connection':
      case 'AWS::Events::ApiDestination':
      case 'AWS::Events::Rule':
      case 'AWS::Scheduler::ScheduleGroup':
        id = named('Name', 64);
        break;
      case 'AWS::SQS::Queue':
        id = named('QueueName', 80);
        break;
      default:
        id = this.generatedName(logicalId);
    }
    this.ids.set(logicalId, id);
    return id;
  }

  /** What `Fn::GetAtt` returns. */
  attribute(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const id = this.physicalId(logicalId);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::DynamoDB::Table.Arn':
      case 'AWS::DynamoDB::GlobalTable.Arn':
        return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT_ID}:table/${id}`;
      case 'AWS::DynamoDB::Table.StreamArn':
      case 'AWS::DynamoDB::GlobalTable.StreamArn':
        return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT_ID}:table/${id}/stream/1970-01-01T00:00:00.000`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT_ID}:function:${id}`;
      case 'AWS::IAM::Role.Arn': {
        const path = resource.Properties?.Path;
        return `arn:${PARTITION}:iam::${ACCOUNT_ID}:role${typeof path === 'string' ? path : '/'}${id}`;
      }
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${PARTITION}:logs:${REGION}:${ACCOUNT_ID}:log-group:${id}:*`;
      case 'AWS::ApiGateway::RestApi.RootResourceId': {
        const key = `${logicalId}#root`;
        const root = this.ids.get(key) ?? randomId(10, 'abcdefghijklmnopqrstuvwxyz0123456789');
        this.ids.set(key, root);
        return root;
      }
      case 'AWS::ApiGateway::RestApi.RestApiId':
      case 'AWS::ApiGateway::Resource.ResourceId':
        return id;
      case 'AWS::IAM::ManagedPolicy.PolicyArn':
        return id;
      // Events (not emulated, see rehearsal.ts), named in the functions' environment and policies.
      case 'AWS::SQS::Queue.Arn':
        return `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT_ID}:${id}`;
      case 'AWS::SQS::Queue.QueueName':
        return id;
      case 'AWS::Events::EventBus.Arn':
        return `arn:${PARTITION}:events:${REGION}:${ACCOUNT_ID}:event-bus/${id}`;
      case 'AWS::Events::EventBus.Name':
        return id;
      case 'AWS::Events::Rule.Arn':
        return `arn:${PARTITION}:events:${REGION}:${ACCOUNT_ID}:rule/${id}`;
      case 'AWS::Events::Connection.Arn':
        return `arn:${PARTITION}:events:${REGION}:${ACCOUNT_ID}:connection/${id}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::Events::ApiDestination.Arn':
        return `arn:${PARTITION}:events:${REGION}:${ACCOUNT_ID}:api-destination/${id}/00000000-0000-0000-0000-000000000000`;
      // The edge (not emulated, see rehearsal.ts), named in outputs, environment and policies.
      case 'AWS::CloudFront::Distribution.Id':
      case 'AWS::CloudFront::CachePolicy.Id':
      case 'AWS::CloudFront::OriginRequestPolicy.Id':
        return id;
      case 'AWS::CloudFront::Distribution.DomainName':
        return `${id
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '')
          .slice(-14)}.cloudfront.net`;
      case 'AWS::CloudFront::Function.FunctionARN':
        return `arn:${PARTITION}:cloudfront::${ACCOUNT_ID}:function/${id}`;
      case 'AWS::Scheduler::ScheduleGroup.Arn':
        return `arn:${PARTITION}:scheduler:${REGION}:${ACCOUNT_ID}:schedule-group/${id}`;
      default:
        throw new UnsupportedTemplateError(logicalId, `Fn::GetAtt ${attribute} of ${resource.Type}`);
    }
  }

  /** Evaluates a named condition of the template. */
  condition(name: string): boolean {
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new TemplateError(`Conditions.${name}`, 'not in the template');
    const value = this.resolve(expression, `Conditions.${name}`);
    if (typeof value !== 'boolean') throw new TemplateError(`Conditions.${name}`, 'is not a boolean');
    return value;
  }

  private ref(name: string, where: string): string {
    const pseudo = PSEUDO[name];
    if (pseudo !== undefined) return pseudo(this.stackName);
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) {
      const type = String(parameter.Type ?? 'String');
      if (type.startsWith('AWS::SSM::')) {
        throw new UnsupportedTemplateError(`Parameters.${name}`, `an SSM parameter value (${type})`);
      }
      if (parameter.Default === undefined) {
        throw new TemplateError(
          `Parameters.${name}`,
          'has no Default and the rehearsal passes no parameters',
        );
      }
      return String(parameter.Default);
    }
    if (this.template.Resources[name] === undefined) {
      throw new TemplateError(where, `Ref to ${name}, which is not in the template`);
    }
    return this.physicalId(name);
  }

  private sub(template: string, variables: JsonObject, where: string): string {
    return template.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const variable = variables[name];
      if (variable !== undefined) return String(this.resolve(variable, where));
      const dot = name.indexOf('.');
      if (dot > 0 && PSEUDO[name] === undefined)
        return this.attribute(name.slice(0, dot), name.slice(dot + 1));
      return this.ref(name, where);
    });
  }

  /**
   * A secret of the template as Secrets Manager would find it by `secretId` (its ARN, or its
   * name), with its value; undefined when the stack holds no such secret.
   */
  secret(secretId: string): { logicalId: string; arn: string; name: string; value: string } | undefined {
    const found = this.resources().find(
      ([id, resource]) =>
        resource.Type === 'AWS::SecretsManager::Secret' &&
        (this.physicalId(id) === secretId || resource.Properties?.Name === secretId),
    );
    if (found === undefined) return undefined;
    const [logicalId] = found;
    const arn = this.physicalId(logicalId);
    const name = arn.slice(arn.indexOf(':secret:') + ':secret:'.length).replace(/-[A-Za-z0-9]{6}$/, '');
    return { logicalId, arn, name, value: this.secretValue(arn, logicalId) };
  }

  private secretValue(secretId: string, where: string): string {
    const found = this.resources().find(
      ([id, resource]) =>
        resource.Type === 'AWS::SecretsManager::Secret' &&
        (this.physicalId(id) === secretId || resource.Properties?.Name === secretId),
    );
    if (found === undefined) {
      throw new UnsupportedTemplateError(
        where,
        `a dynamic reference to a secret outside the stack (${secretId})`,
      );
    }
    const [logicalId, resource] = found;
    const known = this.secrets.get(logicalId);
    if (known !== undefined) return known;
    const properties = resource.Properties ?? {};
    checkProperties(logicalId, 'AWS::SecretsManager::Secret', properties, [
      'Description',
      'Name',
      'GenerateSecretString',
      'SecretString',
      'KmsKeyId',
      'Tags',
    ]);
    const literal = properties.SecretString;
    const generate = properties.GenerateSecretString;
    let value: string;
    if (typeof literal === 'string') value = literal;
    else if (isObject(generate)) value = generateSecret(logicalId, generate as SecretSettings);
    else value = generateSecret(logicalId, {});
    this.secrets.set(logicalId, value);
    return value;
  }

  private dynamicReferences(text: string, where: string): string {
    return text.replace(DYNAMIC_REFERENCE, (_whole, service: string, rest: string) => {
      if (service !== 'secretsmanager') {
        throw new UnsupportedTemplateError(where, `dynamic reference {{resolve:${service}:...}}`);
      }
      // The secret id may be an ARN, which holds colons: the last four fields are fixed.
      const parts = rest.split(':');
      const tail = parts.length >= 5 && parts.at(-4) === 'SecretString' ? parts.splice(-4) : undefined;
      const [, jsonKey = '', stage = '', version = ''] = tail ?? [];
      if (tail === undefined && rest.includes(':SecretBinary')) {
        throw new UnsupportedTemplateError(where, 'a SecretBinary dynamic reference');
      }
      if (stage !== '' || version !== '') {
        throw new UnsupportedTemplateError(where, 'a dynamic reference to a secret version or stage');
      }
      const value = this.secretValue(parts.join(':'), where);
      if (jsonKey === '') return value;
      const parsed = JSON.parse(value) as Record<string, unknown>;
      const field = parsed[jsonKey];
      if (typeof field !== 'string') throw new TemplateError(where, `secret has no JSON key ${jsonKey}`);
      return field;
    });
  }

  /** Resolves every intrinsic function in `value`; `where` names the resource for errors. */
  resolve(value: Json, where: string): Json {
    if (typeof value === 'string') return this.dynamicReferences(value, where);
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item, where)).filter((item) => item !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    const [only] = keys;
    if (
      keys.length === 1 &&
      only !== undefined &&
      (only === 'Ref' || only.startsWith('Fn::') || only === 'Condition')
    ) {
      return this.intrinsic(only, value[only] ?? null, where);
    }
    const out: JsonObject = {};
    for (const key of keys) {
      const resolved = this.resolve(value[key] ?? null, where);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private resolveString(value: Json, where: string, fn: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved !== 'string' && typeof resolved !== 'number') {
      throw new TemplateError(where, `${fn} expects a string`);
    }
    return String(resolved);
  }

  private intrinsic(fn: string, arg: Json, where: string): Json {
    const list = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Ref': {
        const name = String(arg);
        return name === 'AWS::NoValue' ? NO_VALUE : this.ref(name, where);
      }
      case 'Condition':
        return this.condition(String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof arg === 'string' ? arg.split(/\.(.*)/s) : list.map(String);
        return this.attribute(String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, items] = list;
        const resolved = this.resolve(items ?? [], where);
        if (!Array.isArray(resolved)) throw new TemplateError(where, 'Fn::Join expects a list');
        return resolved.map(String).join(String(separator ?? ''));
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof arg === 'string' ? [arg, {}] : list;
        return this.dynamicReferences(
          this.sub(String(text), isObject(variables ?? null) ? (variables as JsonObject) : {}, where),
          where,
        );
      }
      case 'Fn::Select': {
        const [index, items] = list;
        const resolved = this.resolve(items ?? [], where);
        const picked = Array.isArray(resolved)
          ? resolved[Number(this.resolve(index ?? 0, where))]
          : undefined;
        if (picked === undefined) throw new TemplateError(where, 'Fn::Select index out of range');
        return picked;
      }
      case 'Fn::Split': {
        const [separator, text] = list;
        return this.resolveString(text ?? '', where, fn).split(String(separator));
      }
      case 'Fn::If': {
        const [name, then, otherwise] = list;
        return this.resolve((this.condition(String(name)) ? then : otherwise) ?? null, where);
      }
      case 'Fn::Equals': {
        const [a, b] = list.map((item) => JSON.stringify(this.resolve(item, where)));
        return a === b;
      }
      case 'Fn::And':
        return list.every((item) => this.resolve(item, where) === true);
      case 'Fn::Or':
        return list.some((item) => this.resolve(item, where) === true);
      case 'Fn::Not':
        return this.resolve(list[0] ?? null, where) !== true;
      case 'Fn::FindInMap': {
        const [map, top, second] = list.map((item) => this.resolveString(item, where, fn));
        const found = this.template.Mappings?.[String(map)]?.[String(top)];
        const value = isObject(found ?? null) ? (found as JsonObject)[String(second)] : undefined;
        if (value === undefined)
          throw new TemplateError(where, `Fn::FindInMap ${map}.${top}.${second} not found`);
        return value;
      }
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(arg, where, fn), 'utf8').toString('base64');
      default:
        throw new UnsupportedTemplateError(where, `intrinsic function ${fn}`);
    }
  }
}

/** Marker for `Ref: AWS::NoValue` (the property is removed). */
const NO_VALUE: Json = { '#rehearsal:no-value': true };

/** A random AWS-looking key pair (`prefix` AKIA for users, ASIA for role sessions). */
export function randomKeyPair(prefix: 'AKIA' | 'ASIA'): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: `${prefix}${randomId(16)}`, secretAccessKey: randomBytes(30).toString('base64') };
}
