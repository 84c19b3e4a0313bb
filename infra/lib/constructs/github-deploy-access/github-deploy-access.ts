import { Aws, CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { requireMatch } from '../../config/require';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const STS_AUDIENCE = 'sts.amazonaws.com';
/** The bootstrap roles `cdk deploy` assumes: deploy (CloudFormation), file assets, and read-only lookups for diff. */
export const CDK_BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'lookup'] as const;
/** The resource of the ReadStageApiKeys statement as cdk-nag prints it in a finding id. */
const API_KEYS_ARN_FOR_NAG = 'arn:<AWS::Partition>:apigateway:<AWS::Region>::/apikeys/*';

export interface DeployTarget {
  /** GitHub environment the workflow job runs in (also the CDK stage). */
  readonly environment: string;
  readonly roleName: string;
  /** ECR repository the job pushes the function image to. */
  readonly repositoryName: string;
  /**
   * Tags that identify this environment's API keys. The job may read the value of an API key only if the key
   * carries all of them (for the e2e suite; see the ReadStageApiKeys statement).
   */
  readonly apiKeyTags: { readonly [key: string]: string };
}

export interface GithubDeployAccessProps {
  readonly owner: string;
  readonly repo: string;
  readonly cdkBootstrapQualifier: string;
  readonly targets: readonly DeployTarget[];
}

/**
 * GitHub Actions' OIDC provider and one deploy role per GitHub environment. A role trusts only tokens for its own
 * environment of this repository. It may assume the CDK bootstrap roles (`cdk deploy` does everything else through
 * them, stack outputs included: the workflow reads `--outputs-file`, never `describe-stacks`), push to its ECR
 * repository, and read its own environment's API keys.
 */
export class GithubDeployAccess extends Construct {
  readonly provider: iam.OidcProviderNative;
  readonly roles: ReadonlyMap<string, iam.Role>;

  constructor(scope: Construct, id: string, props: GithubDeployAccessProps) {
    super(scope, id);
    validateGithubDeployAccessProps(props);

    this.provider = new iam.OidcProviderNative(this, 'GithubOidcProvider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIds: [STS_AUDIENCE],
    });

    const roles = new Map<string, iam.Role>();
    for (const target of props.targets) {
      const role = new iam.Role(this, `DeployRole-${target.environment}`, {
        roleName: target.roleName,
        description: `GitHub Actions deploys ${props.owner}/${props.repo} to the ${target.environment} environment`,
        maxSessionDuration: Duration.hours(1),
        assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
          // StringEquals on both: a token for another repository, branch, PR or environment never matches.
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${props.owner}/${props.repo}:environment:${target.environment}`,
          },
        }),
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole'],
          resources: CDK_BOOTSTRAP_ROLE_KINDS.map(
            (kind) =>
              `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-${props.cdkBootstrapQualifier}-${kind}-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
          ),
        }),
      );
      const repository = ecr.Repository.fromRepositoryName(
        this,
        `Repository-${target.environment}`,
        target.repositoryName,
      );
      repository.grantPush(role);
      // The workflow asks `aws ecr batch-get-image` whether a tag is already pushed (tags are immutable, so a
      // re-run must skip the push). grantPush has no read action; BatchGetImage reads manifests, never layers.
      repository.grant(role, 'ecr:BatchGetImage');
      role.addToPolicy(readApiKeysStatement(target.apiKeyTags));
      Validations.of(role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'ecr:GetAuthorizationToken has no resource-level permissions; written by repository.grantPush, every other ECR action is on one repository.',
        },
        {
          id: `AwsSolutions-IAM5[Resource::${API_KEYS_ARN_FOR_NAG}]`,
          reason:
            "The API key id is only known after the service stack is deployed; the wildcard is narrowed to this environment's keys by a StringEquals on their app and stage tags.",
        },
      );
      new CfnOutput(this, `DeployRoleArn-${target.environment}`, {
        value: role.roleArn,
        description: `Set as the AWS_DEPLOY_ROLE_ARN variable of the GitHub environment "${target.environment}"`,
      }).overrideLogicalId(`DeployRoleArn${target.environment.replace(/[^A-Za-z0-9]/g, '')}`);
      roles.set(target.environment, role);
    }
    this.roles = roles;
  }
}

/**
 * `aws apigateway get-api-key --include-value` (apigateway:GET on the key) for the e2e suite. The key lives in the
 * service stack and gets a new random id whenever it is replaced, while this stack is deployed once by an
 * administrator: the id cannot be in this policy, and the service stack must not widen the deploy role it is
 * deployed by. So: any API key in this account and region (API Gateway has no finer ARN for a key), but only one
 * tagged with this environment's tags, which the stage puts on all its resources.
 */
function readApiKeysStatement(tags: { readonly [key: string]: string }): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadStageApiKeys',
    actions: ['apigateway:GET'],
    resources: [`arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/apikeys/*`],
    conditions: {
      StringEquals: Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value])),
    },
  });
}

function validateGithubDeployAccessProps(props: GithubDeployAccessProps): void {
  requireMatch('GithubDeployAccess owner', props.owner, /^[A-Za-z0-9-]{1,39}$/, 'a GitHub user or organisation name');
  requireMatch('GithubDeployAccess repo', props.repo, /^[A-Za-z0-9._-]{1,100}$/, 'a GitHub repository name');
  if (props.targets.length === 0) {
    throw new Error('GithubDeployAccess targets must name at least one GitHub environment');
  }
  const seen = new Set<string>();
  for (const target of props.targets) {
    // "*" or "?" would turn the StringEquals on `sub` into something that never matches, or invite StringLike.
    requireMatch(
      'GithubDeployAccess target environment',
      target.environment,
      /^[A-Za-z0-9_.-]{1,255}$/,
      'a GitHub environment name without wildcards',
    );
    requireMatch('GithubDeployAccess target roleName', target.roleName, /^[\w+=,.@-]{1,64}$/, 'an IAM role name');
    // Without a tag the condition would be empty and the role could read every API key in the account.
    if (Object.keys(target.apiKeyTags).length === 0) {
      throw new Error(`GithubDeployAccess target "${target.environment}" apiKeyTags must name at least one tag`);
    }
    if (seen.has(target.environment)) {
      throw new Error(`GithubDeployAccess targets name environment "${target.environment}" twice`);
    }
    seen.add(target.environment);
  }
}
