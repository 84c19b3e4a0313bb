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
};
/** Resource kinds shown on a box only when it has nothing more telling. */
const FALLBACK_LABELS: Record<string, string> = { 'AWS::IAM::Role': 'IAM roles' };

/** External actors, drawn for orientation; they are not part of the synthesized app. */
export const EXTERNAL_NODES: readonly (ModelNode & { readonly uses: readonly string[] })[] = [
  {
    id: 'external/Clients',
    stack: 'external',
    label: 'Clients',
    resources: ['HTTPS + X-Api-Key'],
    uses: ['prod/Service/ImageApi'],
  },
  {
    id: 'external/GitHubActions',
    stack: 'external',
    label: 'GitHub Actions',
    resources: ['OIDC token per environment'],
    uses: ['Identity/GithubDeployAccess'],
  },
];

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

  const edges = new Map<string, ModelEdge>();
  const add = (from: string, to: string) => {
    if (from !== to) edges.set(`${from}->${to}`, { from, to });
  };
  // Metrics name the API by its name (a dimension), not by a reference.
  const apiNames = entries
    .filter((e) => e.type === 'AWS::ApiGateway::RestApi')
    .map((e) => ({ node: e.node, name: (e.properties as { Name?: unknown }).Name }))
    .filter((p): p is { node: string; name: string } => typeof p.name === 'string');

  for (const entry of entries) {
    // A bucket policy says who may write to the bucket, not what the bucket uses.
    if (entry.type === 'AWS::S3::BucketPolicy') continue;
    const stackId = entry.logicalId.split(':')[0];
    for (const ref of referencesIn(entry.properties)) {
      const target = owner.get(`${stackId}:${ref}`);
      if (target !== undefined) add(entry.node, target);
    }
    // Cross-stack uses go by physical name (no exports): "…/imagestore-prod:tag" or "…repository/imagestore-prod".
    const text = JSON.stringify(entry.properties);
    for (const { node, name } of physicalNames) {
      if (new RegExp(`/${escapeRegExp(name)}(?=[:"])`).test(text)) add(entry.node, node);
    }
    for (const { node, name } of apiNames) {
      if (new RegExp(`ApiName.{0,24}?${escapeRegExp(name)}(?![a-z0-9-])`).test(text)) add(entry.node, node);
    }
  }
  for (const external of EXTERNAL_NODES) {
    for (const used of external.uses) add(external.id, used);
  }

  return {
    title: 'imagestore on AWS (prod stage shown; dev is the same without the WAF)',
    stacks: [...stacks, 'external'],
    nodes: [...nodes, ...EXTERNAL_NODES.map(({ uses: _uses, ...node }) => node)],
    edges: [...edges.values()].sort((a, b) => `${a.from}->${a.to}`.localeCompare(`${b.from}->${b.to}`)),
  };
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
