import type { StageName } from './app-config';

/**
 * Physical names derived from the app and stage name. The identity stack and the stage stacks both use them, which
 * is how the deploy role finds its ECR repository without a cross-stack export.
 */
export interface StageResourceNames {
  readonly prefix: string;
  readonly registryStackName: string;
  readonly serviceStackName: string;
  readonly repositoryName: string;
  readonly functionName: string;
  readonly apiName: string;
  readonly webAclName: string;
  readonly edgeStackName: string;
  readonly cdnWebAclName: string;
  /** SSM parameter (in us-east-1) through which the edge stack hands the CDN web ACL's ARN to the service stack. */
  readonly cdnWebAclParameterName: string;
  readonly logDeliveryStreamName: string;
  readonly deployRoleName: string;
  /**
   * CloudWatch namespace of the function's EMF metrics. Per stage, so dev and prod in one account never mix in a
   * dashboard or an alarm (the `service` dimension is the same in both).
   */
  readonly metricsNamespace: string;
}

export function stageResourceNames(appName: string, stageName: StageName): StageResourceNames {
  const prefix = `${appName}-${stageName}`;
  return {
    prefix,
    registryStackName: `${prefix}-registry`,
    serviceStackName: `${prefix}-service`,
    repositoryName: prefix,
    functionName: `${prefix}-api`,
    apiName: `${prefix}-api`,
    webAclName: `${prefix}-api`,
    edgeStackName: `${prefix}-edge`,
    cdnWebAclName: `${prefix}-cdn`,
    cdnWebAclParameterName: `/${prefix}/edge/cdn-web-acl-arn`,
    logDeliveryStreamName: `${prefix}-log-archive`,
    deployRoleName: `${prefix}-github-deploy`,
    metricsNamespace: prefix,
  };
}

/**
 * Tags on every resource of a stage. The deploy role of a stage may read API keys only with exactly these tags,
 * so the stage and the identity stack must both take them from here.
 */
export function stageTags(appName: string, stageName: StageName): { readonly app: string; readonly stage: string } {
  return { app: appName, stage: stageName };
}

export function identityStackName(appName: string): string {
  return `${appName}-identity`;
}
