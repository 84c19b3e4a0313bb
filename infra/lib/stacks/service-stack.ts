import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/app-config';
import { readCdnPublicKeys } from '../config/cdn-keys';
import { SERVICE_OUTPUTS } from '../config/deploy-contract';
import type { StageResourceNames } from '../config/naming';
import { ApiFirewall } from '../constructs/api-firewall/api-firewall';
import { ApiFunction, POWERTOOLS_SERVICE_NAME } from '../constructs/api-function/api-function';
import { ImageApi } from '../constructs/image-api/image-api';
import { ImageBucket } from '../constructs/image-bucket/image-bucket';
import { cdnSettingsParameterName, cdnSigningKeySecretName, ImageCdn } from '../constructs/image-cdn/image-cdn';
import { UsEast1Parameter } from '../constructs/us-east-1-parameter/us-east-1-parameter';
import { LogArchive } from '../constructs/log-archive/log-archive';
import { LogsBucket } from '../constructs/logs-bucket/logs-bucket';
import { ServiceMonitoring } from '../constructs/service-monitoring/service-monitoring';

export interface ServiceStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly names: StageResourceNames;
  /** Tag of the function image in the stage's ECR repository. */
  readonly imageTag: string;
}

/** Everything that serves requests: buckets, function, API, firewall, log archive and monitoring. */
export class ServiceStack extends Stack {
  readonly imageBucket: ImageBucket;
  readonly apiFunction: ApiFunction;
  readonly imageApi: ImageApi;
  readonly cdn?: ImageCdn;
  readonly monitoring: ServiceMonitoring;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { stage, names } = props;

    const logs = new LogsBucket(this, 'LogsBucket', {
      removal: stage.statefulRemoval,
      expirationDays: stage.logArchiveExpirationDays,
    });

    this.imageBucket = new ImageBucket(this, 'ImageBucket', {
      removal: stage.statefulRemoval,
      noncurrentVersionExpirationDays: stage.noncurrentVersionExpirationDays,
      corsAllowedOrigins: stage.api.corsAllowedOrigins,
      accessLogsBucket: logs.bucket,
    });

    // By name, not by a cross-stack export: the registry stack stays independent of the function using it.
    const repository = ecr.Repository.fromRepositoryName(this, 'FunctionImageRepository', names.repositoryName);
    this.apiFunction = new ApiFunction(this, 'ApiFunction', {
      functionName: names.functionName,
      repository,
      imageTag: props.imageTag,
      function: stage.function,
      limits: stage.limits,
      imageBucket: this.imageBucket,
      logRetentionDays: stage.logRetentionDays,
      removal: stage.statefulRemoval,
      metricsNamespace: names.metricsNamespace,
      contentLinkTtlSeconds: stage.contentLinkTtlSeconds,
      cdn: stage.cdn.enabled
        ? {
            settingsParameterName: cdnSettingsParameterName(names.prefix),
            signingKeySecretName: cdnSigningKeySecretName(names.prefix, stage.cdn.activeKeyName),
          }
        : undefined,
    });

    if (stage.cdn.enabled) {
      this.cdn = new ImageCdn(this, 'ImageCdn', {
        namePrefix: names.prefix,
        imageBucket: this.imageBucket.bucket,
        fallbackFunction: this.apiFunction.function,
        publicKeys: readCdnPublicKeys(stage.stageName, stage.cdn.keyNames),
        activeKeyName: stage.cdn.activeKeyName,
        logsBucket: logs.bucket,
        logPrefix: `cloudfront/${stage.stageName}/`,
        browserCacheSeconds: stage.contentLinkTtlSeconds,
        priceClass: stage.cdn.priceClass as cloudfront.PriceClass,
        webAclArn: stage.cdn.wafEnabled
          ? new UsEast1Parameter(this, 'CdnWebAclArn', { parameterName: names.cdnWebAclParameterName }).value
          : undefined,
      });
      UsEast1Parameter.acknowledgeProvider(this);
    }

    this.imageApi = new ImageApi(this, 'ImageApi', {
      apiName: names.apiName,
      stageName: stage.stageName,
      handler: this.apiFunction.function,
      corsAllowedOrigins: stage.api.corsAllowedOrigins,
      throttleRateLimit: stage.api.throttleRateLimit,
      throttleBurstLimit: stage.api.throttleBurstLimit,
      reviewerQuotaPerDay: stage.api.reviewerQuotaPerDay,
      accessLogRetentionDays: stage.logRetentionDays,
      removal: stage.statefulRemoval,
    });

    if (stage.api.wafEnabled) {
      new ApiFirewall(this, 'ApiFirewall', {
        webAclName: names.webAclName,
        stageArn: this.imageApi.api.deploymentStage.stageArn,
        rateLimitPer5Minutes: stage.api.wafRateLimitPer5Minutes,
      });
    } else {
      Validations.of(this.imageApi.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `WAF is switched off for ${stage.stageName} in config (api.wafEnabled) to save its ~$6/month; usage-plan and stage throttling still apply.`,
      });
    }

    new LogArchive(this, 'LogArchive', {
      deliveryStreamName: names.logDeliveryStreamName,
      bucket: logs.bucket,
      prefix: `cloudwatch-logs/${stage.stageName}/`,
      logGroups: [this.apiFunction.logGroup, this.imageApi.accessLogGroup],
    });

    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      namePrefix: names.prefix,
      api: this.imageApi.api,
      apiStageName: stage.stageName,
      function: this.apiFunction.function,
      imageBucket: this.imageBucket.bucket,
      cdn: this.cdn && { distribution: this.cdn.distribution, alarms: stage.cdn },
      alarms: stage.alarms,
      metricsNamespace: names.metricsNamespace,
      serviceDimension: POWERTOOLS_SERVICE_NAME,
    });

    this.addOutputs();
  }

  /**
   * The stack's public contract (CI and docs/deploy.md read it). Created here, at the stack's top level, so each
   * logical id is exactly the contract name; outputs inside a construct would get a hash appended.
   */
  private addOutputs(): void {
    const keyId = this.imageApi.apiKey.keyId;
    new CfnOutput(this, SERVICE_OUTPUTS.apiUrl, {
      value: this.imageApi.api.url,
      description: 'Base URL of the API stage (stage path included, trailing slash)',
    });
    new CfnOutput(this, SERVICE_OUTPUTS.apiKeyId, {
      value: keyId,
      description: 'Id (not the value) of the reviewers API key',
    });
    new CfnOutput(this, SERVICE_OUTPUTS.readApiKeyCommand, {
      value: `aws apigateway get-api-key --api-key ${keyId} --include-value --query value --output text`,
      description: 'Command that prints the reviewers API key value (send it as the X-Api-Key header)',
    });
    new CfnOutput(this, SERVICE_OUTPUTS.imageBucketName, {
      value: this.imageBucket.bucket.bucketName,
      description: 'Bucket holding the images',
    });
    if (this.cdn) {
      new CfnOutput(this, SERVICE_OUTPUTS.cdnDomainName, {
        value: this.cdn.distribution.distributionDomainName,
        description: 'CloudFront domain serving the image bytes (signed URLs only)',
      });
    }
  }
}
