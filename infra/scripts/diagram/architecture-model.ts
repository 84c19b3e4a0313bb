import type { App } from 'aws-cdk-lib';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildImagestoreApp } from '../../lib/imagestore-app';

/** One box: a construct directly under a stack (each construct folder in lib/constructs is one). */
export interface ModelNode {
  readonly id: string;
  readonly stack: string;
  readonly label: string;
  /** Short names of the AWS resource kinds the construct owns, e.g. "S3 bucket". */
  readonly resources: readonly string[];
}

/** `from` uses `to`: one of its resources references (Ref/GetAtt or a physical name) a resource of `to`. */
export interface ModelEdge {
  readonly from: string;
  readonly to: string;
  /** A few words on what travels along the edge, read off the referencing resources (see `describeEdge`). */
  readonly label: string;
  /** Data flows from `to` to `from` (a subscription filter or an alarm reads what `to` emits; Lambda pulls its image). */
  readonly reverse: boolean;
}

export interface ArchitectureModel {
  readonly title: string;
  readonly stacks: readonly string[];
  readonly nodes: readonly ModelNode[];
  readonly edges: readonly ModelEdge[];
}

/** Resource kinds worth naming on a box; everything else (policies, permissions, deployments) is glue. */
const RESOURCE_LABELS: Record<string, string> = {
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::ECR::Repository': 'ECR repository',
  'AWS::Lambda::Function': 'Lambda function',
  'AWS::SecretsManager::Secret': 'Secrets Manager secret',
  'AWS::Logs::LogGroup': 'CloudWatch log group',
  'AWS::ApiGateway::RestApi': 'API Gateway REST API',
  'AWS::ApiGateway::UsagePlan': 'usage plan + API key',
  'AWS::WAFv2::WebACL': 'WAF web ACL',
  'AWS::KinesisFirehose::DeliveryStream': 'Firehose stream',
  'AWS::Logs::SubscriptionFilter': 'subscription filters',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::CloudWatch::Dashboard': 'CloudWatch dashboard',
  'AWS::CloudWatch::Alarm': 'CloudWatch alarms',
  'AWS::IAM::OIDCProvider': 'IAM OIDC provider',
  'AWS::ApiGateway::Account': 'API Gateway account setting',
  'AWS::CloudFront::Distribution': 'CloudFront distribution',
  'AWS::CloudFront::OriginAccessControl': 'origin access control',
  'AWS::CloudFront::KeyGroup': 'key group (signed URLs)',
  'AWS::CloudFront::Function': 'CloudFront Function',
  'AWS::Lambda::Url': 'function URL',
  'AWS::SSM::Parameter': 'SSM parameter',
  'Custom::AWS': 'read in us-east-1 at deploy',
};
/** Resource kinds shown on a box only when it has nothing more telling. */
const FALLBACK_LABELS: Record<string, string> = { 'AWS::IAM::Role': 'IAM roles' };

/** External actors, drawn for orientation; they are not part of the synthesized app. */
export const EXTERNAL_NODES: readonly (ModelNode & {
  readonly uses: readonly string[];
  readonly edgeLabel: string;
})[] = [
  {
    id: 'external/Clients',
    stack: 'external',
    label: 'Clients',
    resources: ['HTTPS + X-Api-Key'],
    uses: ['prod/Service/ImageApi'],
    edgeLabel: 'HTTPS + x-api-key',
  },
  {
    id: 'external/Browsers',
    stack: 'external',
    label: 'Browsers',
    resources: ['<img src> signed URL'],
    uses: ['prod/Service/ImageCdn'],
    edgeLabel: 'signed URL',
  },
  {
    id: 'external/GitHubActions',
    stack: 'external',
    label: 'GitHub Actions',
    resources: ['OIDC token per environment'],
    uses: ['Identity/GithubDeployAccess'],
    edgeLabel: 'assume role (OIDC)',
  },
];

/** A managed service the app turns on without a construct of its own (drawn when a resource enables it). */
export const XRAY_NODE: ModelNode = { id: 'aws/XRay', stack: 'aws', label: 'X-Ray', resources: ['traces (managed)'] };

interface ResourceEntry {
  readonly node: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: unknown;
}

/** The model of the app as `cdk synth` builds it: the identity stack and the prod stage (dev adds no boxes). */
export function buildArchitectureModel(app: App): ArchitectureModel {
  const built = buildImagestoreApp(app);
  const assembly = app.synth();
  const artifacts: CloudFormationStackArtifact[] = [
    assembly.getStackByName(built.identity.stackName),
    ...built.stages.prod.synth().stacks,
  ];
  return modelFromArtifacts(artifacts);
}

export function modelFromArtifacts(artifacts: readonly CloudFormationStackArtifact[]): ArchitectureModel {
  const entries: ResourceEntry[] = [];
  const stacks: string[] = [];
  for (const artifact of artifacts) {
    const resources =
      (
        artifact.template as {
          Resources?: Record<string, { Type: string; Properties?: unknown; Metadata?: Record<string, unknown> }>;
        }
      ).Resources ?? {};
    stacks.push(artifact.hierarchicalId);
    for (const [logicalId, resource] of Object.entries(resources)) {
      const path = resource.Metadata?.['aws:cdk:path'];
      if (typeof path !== 'string') continue;
      const node = nodeIdOf(path, artifact.hierarchicalId);
      if (node === undefined) continue;
      entries.push({
        node,
        logicalId: `${artifact.hierarchicalId}:${logicalId}`,
        type: resource.Type,
        properties: resource.Properties ?? {},
      });
    }
  }

  const nodeIds = [...new Set(entries.map((e) => e.node))].sort();
  const nodes: ModelNode[] = nodeIds.map((id) => {
    const types = new Set(entries.filter((e) => e.node === id).map((e) => e.type));
    let resources = [...types].map((t) => RESOURCE_LABELS[t]).filter((l): l is string => l !== undefined);
    if (resources.length === 0)
      resources = [...types].map((t) => FALLBACK_LABELS[t]).filter((l): l is string => l !== undefined);
    return { id, stack: stackOf(id), label: id.split('/').at(-1)!, resources: [...new Set(resources)].sort() };
  });

  const owner = new Map(entries.map((e) => [e.logicalId, e.node]));
  const physicalNames = entries
    .filter((e) => e.type === 'AWS::ECR::Repository')
    .map((e) => ({ node: e.node, name: (e.properties as { RepositoryName?: unknown }).RepositoryName }))
    .filter((p): p is { node: string; name: string } => typeof p.name === 'string');
  // SSM parameters are read by name too (across regions, by a deploy-time custom resource).
  const parameterNames = entries
    .filter((e) => e.type === 'AWS::SSM::Parameter')
    .map((e) => ({ node: e.node, name: (e.properties as { Name?: unknown }).Name }))
    .filter((p): p is { node: string; name: string } => typeof p.name === 'string');

  // What each "uses" relation is made of: the referencing resource types and, for IAM policies, the actions.
  const evidence = new Map<string, { from: string; to: string; facts: Set<string> }>();
  const add = (from: string, to: string, facts: readonly string[]) => {
    if (from === to) return;
    const key = `${from}->${to}`;
    const found = evidence.get(key) ?? { from, to, facts: new Set<string>() };
    for (const fact of facts) found.facts.add(fact);
    evidence.set(key, found);
  };
  // Metrics name the API by its name (a dimension), not by a reference.
  const apiNames = entries
    .filter((e) => e.type === 'AWS::ApiGateway::RestApi')
    .map((e) => ({ node: e.node, name: (e.properties as { Name?: unknown }).Name }))
    .filter((p): p is { node: string; name: string } => typeof p.name === 'string');
  const targetsIn = (value: unknown, stackId: string): string[] => {
    const found = new Set<string>();
    for (const ref of referencesIn(value)) {
      const target = owner.get(`${stackId}:${ref}`);
      if (target !== undefined) found.add(target);
    }
    // Cross-stack uses go by physical name (no exports): "…/imagestore-prod:tag" or "…repository/imagestore-prod".
    const text = JSON.stringify(value);
    for (const { node, name } of physicalNames) {
      if (new RegExp(`/${escapeRegExp(name)}(?=[:"])`).test(text)) found.add(node);
    }
    for (const { node, name } of parameterNames) {
      if (new RegExp(`${escapeRegExp(name)}\\\\?"`).test(text)) found.add(node);
    }
    for (const { node, name } of apiNames) {
      if (new RegExp(`ApiName.{0,24}?${escapeRegExp(name)}(?![a-z0-9-])`).test(text)) found.add(node);
    }
    return [...found];
  };

  let traced: string[] = [];
  // Powertools publishes custom metrics as EMF log lines, which the alarms and dashboard read next to AWS metrics.
  const emitsEmf = new Set<string>();
  for (const entry of entries) {
    const stackId = entry.logicalId.split(':')[0];
    // A bucket policy says who may use the bucket, not what the bucket uses; a CloudFront statement in it is
    // the distribution reading the bucket through origin access control.
    if (entry.type === 'AWS::S3::BucketPolicy') {
      const statements = (entry.properties as { PolicyDocument?: { Statement?: { Principal?: unknown }[] } })
        .PolicyDocument?.Statement;
      for (const statement of statements ?? []) {
        if (!JSON.stringify(statement.Principal ?? '').includes('cloudfront.amazonaws.com')) continue;
        for (const reader of targetsIn(statement, stackId)) {
          if (reader !== entry.node) add(reader, entry.node, [CLOUDFRONT_OAC]);
        }
      }
      continue;
    }
    const properties = entry.properties as {
      PolicyDocument?: { Statement?: { Action?: unknown }[] };
      TracingConfig?: { Mode?: unknown };
      TracingEnabled?: unknown;
    };
    const statements = entry.type === 'AWS::IAM::Policy' ? (properties.PolicyDocument?.Statement ?? []) : [];
    // A policy one construct attaches to another's role (the CDN's purge grant) is that role's use of it.
    const roleOwners =
      entry.type === 'AWS::IAM::Policy' ? targetsIn((properties as { Roles?: unknown }).Roles, stackId) : [];
    for (const statement of statements) {
      const actions = [statement.Action].flat().filter((a): a is string => typeof a === 'string');
      for (const target of targetsIn(statement, stackId)) {
        add(entry.node, target, [entry.type, ...actions]);
        if (target === entry.node) for (const owner of roleOwners) add(owner, target, [entry.type, ...actions]);
      }
    }
    for (const target of targetsIn(entry.properties, stackId)) add(entry.node, target, [entry.type]);
    const variables = (entry.properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment
      ?.Variables;
    if (entry.type === 'AWS::Lambda::Function' && variables?.POWERTOOLS_METRICS_NAMESPACE !== undefined)
      emitsEmf.add(entry.node);
    if (properties.TracingConfig?.Mode === 'Active' || properties.TracingEnabled === true) traced.push(entry.node);
  }
  traced = [...new Set(traced)].sort();
  for (const node of traced) add(node, XRAY_NODE.id, ['tracing']);

  const edges: ModelEdge[] = [...evidence.values()].map(({ from, to, facts }) => ({
    from,
    to,
    ...describeEdge(
      emitsEmf.has(to) ? new Set([...facts, 'emf']) : facts,
      nodes.find((n) => n.id === to)?.resources ?? [],
    ),
  }));
  for (const external of EXTERNAL_NODES) {
    for (const used of external.uses) {
      // Requests reach an API through the web ACL attached to it, when there is one.
      const firewall = edges.find(
        (e) => e.to === used && evidence.get(`${e.from}->${e.to}`)?.facts.has(WAF_ASSOCIATION),
      );
      edges.push({ from: external.id, to: firewall?.from ?? used, label: external.edgeLabel, reverse: false });
    }
  }

  return {
    title: 'imagestore on AWS (prod stage shown; dev is the same without the WAFs and the edge stack)',
    stacks: [...stacks, 'external'],
    nodes: [
      ...nodes,
      ...EXTERNAL_NODES.map(({ uses: _uses, edgeLabel: _edgeLabel, ...node }) => node),
      ...(traced.length > 0 ? [XRAY_NODE] : []),
    ],
    edges: edges.sort((a, b) => `${a.from}->${a.to}`.localeCompare(`${b.from}->${b.to}`)),
  };
}

const WAF_ASSOCIATION = 'AWS::WAFv2::WebACLAssociation';
const CLOUDFRONT_OAC = 'cloudfront-oac';

/** The label of a "uses" edge, from what it is made of (`facts`) and what the used construct owns. */
export function describeEdge(
  facts: ReadonlySet<string>,
  targetResources: readonly string[],
): { label: string; reverse: boolean } {
  const has = (fact: string) => facts.has(fact);
  const hasAction = (prefix: string) => [...facts].some((f) => f.startsWith(prefix));
  if (has('tracing')) return { label: 'traces', reverse: false };
  if (has(CLOUDFRONT_OAC)) return { label: 'GetObject (OAC)', reverse: false };
  if (hasAction('cloudfront:CreateInvalidation')) return { label: 'purge on delete', reverse: false };
  if (has('AWS::CloudFront::Distribution') && targetResources.includes('function URL'))
    return { label: 'variant fallback (OAC)', reverse: false };
  if (has('AWS::CloudFront::Distribution') && targetResources.includes('read in us-east-1 at deploy'))
    return { label: 'web ACL', reverse: false };
  if (has('Custom::AWS')) return { label: 'reads (us-east-1)', reverse: false };
  if (has('AWS::SSM::Parameter') && targetResources.includes('WAF web ACL')) return { label: 'ARN', reverse: false };
  if (has(WAF_ASSOCIATION)) return { label: 'allowed requests', reverse: false };
  if (has('AWS::Logs::SubscriptionFilter')) return { label: 'subscription filter', reverse: true };
  if (has('AWS::CloudWatch::Alarm') || has('AWS::CloudWatch::Dashboard'))
    return { label: has('emf') ? 'EMF + metrics' : 'metrics', reverse: true };
  if (targetResources.includes('ECR repository'))
    return hasAction('ecr:PutImage') ? { label: 'push image', reverse: false } : { label: 'pull image', reverse: true };
  if (has('AWS::ApiGateway::Method') || has('AWS::Lambda::Permission')) return { label: 'proxy', reverse: false };
  if (has('AWS::KinesisFirehose::DeliveryStream')) return { label: 'archive logs', reverse: false };
  if ((has('AWS::S3::Bucket') || has('AWS::CloudFront::Distribution')) && targetResources.includes('S3 bucket'))
    return { label: 'access logs', reverse: false };
  if (hasAction('s3:GetObject') && hasAction('s3:PutObject')) return { label: 'GetObject/PutObject', reverse: false };
  return { label: 'uses', reverse: false };
}

/** "prod/Service/ImageBucket/Bucket/Resource" → "prod/Service/ImageBucket"; CDK's own helpers are left out. */
function nodeIdOf(path: string, stackPath: string): string | undefined {
  if (!path.startsWith(`${stackPath}/`)) return undefined;
  const top = path.slice(stackPath.length + 1).split('/')[0];
  if (top === 'CDKMetadata' || top.startsWith('Custom::') || top.startsWith('AWS')) return undefined;
  return `${stackPath}/${top}`;
}

function stackOf(nodeId: string): string {
  return nodeId.split('/').slice(0, -1).join('/');
}

function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const found: string[] = [];
  if (typeof object.Ref === 'string') found.push(object.Ref);
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.push(getAtt[0]);
  return [...found, ...Object.values(object).flatMap(referencesIn)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
