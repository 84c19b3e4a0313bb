import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/app-config';
import { REGISTRY_OUTPUTS } from '../config/deploy-contract';
import type { StageResourceNames } from '../config/naming';
import { FunctionImageRepository } from '../constructs/function-image-repository/function-image-repository';

export interface RegistryStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly names: StageResourceNames;
}

/** Deployed first so CI can push the function image before the service stack creates the function. */
export class RegistryStack extends Stack {
  readonly functionImage: FunctionImageRepository;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    this.functionImage = new FunctionImageRepository(this, 'FunctionImageRepository', {
      repositoryName: props.names.repositoryName,
      maxImageCount: props.stage.ecrMaxImageCount,
      removal: props.stage.statefulRemoval,
      pullingFunctionNamePrefix: props.names.prefix,
    });

    // At the stack's top level, so the logical id is exactly the contract name (CI pushes the image here).
    new CfnOutput(this, REGISTRY_OUTPUTS.ecrRepositoryUri, {
      value: this.functionImage.repository.repositoryUri,
      description: 'URI of the ECR repository CI pushes the function image to',
    });
  }
}
