import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { STAGE_NAMES, type AppConfig } from '../config/app-config';
import { stageResourceNames, stageTags } from '../config/naming';
import { ApiGatewayAccountLogging } from '../constructs/api-gateway-account-logging/api-gateway-account-logging';
import { GithubDeployAccess } from '../constructs/github-deploy-access/github-deploy-access';

export interface IdentityStackProps extends StackProps {
  readonly config: AppConfig;
}

/**
 * Account-level pieces an administrator deploys once (per account and region): GitHub's OIDC provider, the
 * deploy roles CI assumes, and API Gateway's CloudWatch Logs role.
 */
export class IdentityStack extends Stack {
  readonly deployAccess: GithubDeployAccess;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.deployAccess = new GithubDeployAccess(this, 'GithubDeployAccess', {
      owner: config.github.owner,
      repo: config.github.repo,
      cdkBootstrapQualifier: config.cdkBootstrapQualifier,
      targets: STAGE_NAMES.map((stageName) => {
        const names = stageResourceNames(config.appName, stageName);
        return {
          environment: stageName,
          roleName: names.deployRoleName,
          repositoryName: names.repositoryName,
          apiKeyTags: stageTags(config.appName, stageName),
        };
      }),
    });
    new ApiGatewayAccountLogging(this, 'ApiGatewayAccountLogging');
  }
}
