import { Stage, Tags, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/app-config';
import { STAGE_STACK_IDS } from '../config/deploy-contract';
import { stageResourceNames, stageTags } from '../config/naming';
import { CLOUDFRONT_REGION } from '../constructs/us-east-1-parameter/us-east-1-parameter';
import { EdgeStack } from '../stacks/edge-stack';
import { RegistryStack } from '../stacks/registry-stack';
import { ServiceStack } from '../stacks/service-stack';

export interface ImagestoreStageProps extends StageProps {
  readonly appName: string;
  readonly stage: StageConfig;
  readonly imageTag: string;
}

/**
 * One deployment of the service (`dev` or `prod`): a registry stack, the us-east-1 edge stack when the CDN has a
 * WAF, then the service stack that runs the image. Deploy order: `cdk deploy <stage>/Registry`, push the image,
 * `cdk deploy <stage>/Edge` (if present), `cdk deploy <stage>/Service -c imageTag=<tag>`.
 */
export class ImagestoreStage extends Stage {
  readonly registry: RegistryStack;
  readonly edge?: EdgeStack;
  readonly service: ServiceStack;

  constructor(scope: Construct, id: string, props: ImagestoreStageProps) {
    super(scope, id, props);
    const names = stageResourceNames(props.appName, props.stage.stageName);

    this.registry = new RegistryStack(this, STAGE_STACK_IDS.registry, {
      stackName: names.registryStackName,
      description: `${props.appName} ${props.stage.stageName}: ECR repository for the function image`,
      stage: props.stage,
      names,
      terminationProtection: props.stage.statefulRemoval === 'retain',
    });
    if (props.stage.cdn.enabled && props.stage.cdn.wafEnabled) {
      this.edge = new EdgeStack(this, STAGE_STACK_IDS.edge, {
        stackName: names.edgeStackName,
        description: `${props.appName} ${props.stage.stageName}: CloudFront WAF web ACL (us-east-1)`,
        env: { account: props.stage.account, region: CLOUDFRONT_REGION },
        stage: props.stage,
        names,
        terminationProtection: props.stage.statefulRemoval === 'retain',
      });
    }
    this.service = new ServiceStack(this, STAGE_STACK_IDS.service, {
      stackName: names.serviceStackName,
      description: `${props.appName} ${props.stage.stageName}: buckets, function, API, monitoring`,
      stage: props.stage,
      names,
      imageTag: props.imageTag,
      terminationProtection: props.stage.statefulRemoval === 'retain',
    });
    // The function needs its image, which needs the repository: deploy the registry first.
    this.service.addStackDependency(this.registry, 'the function image lives in the registry stack repository');
    if (this.edge) {
      this.service.addStackDependency(this.edge, 'the distribution names the web ACL the edge stack makes');
    }

    // The deploy role reads the reviewers API key by these tags (identity stack), besides cost allocation.
    for (const [key, value] of Object.entries(stageTags(props.appName, props.stage.stageName))) {
      Tags.of(this).add(key, value);
    }
  }
}
