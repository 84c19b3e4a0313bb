import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { STAGE_NAMES, type AppConfig } from './config/app-config';
import { loadAppConfig, loadImageTag } from './config/load-config';
import { identityStackName } from './config/naming';
import { IdentityStack } from './stacks/identity-stack';
import { ImagestoreStage } from './stages/imagestore-stage';

export interface ImagestoreApp {
  readonly config: AppConfig;
  readonly imageTag: string;
  readonly identity: IdentityStack;
  readonly stages: { readonly [S in (typeof STAGE_NAMES)[number]]: ImagestoreStage };
}

/**
 * Builds the whole app into `app`: the identity stack and one stage per configured environment. cdk-nag's
 * AwsSolutions and Serverless packs are registered as validation plugins, so `cdk synth` fails on an
 * unacknowledged error (cdk-nag 3 replaced its Aspects with CDK's policy-validation plugins).
 */
export function buildImagestoreApp(app: App): ImagestoreApp {
  const config = loadAppConfig(app.node);
  const imageTag = loadImageTag(app.node);

  const identity = new IdentityStack(app, 'Identity', {
    stackName: identityStackName(config.appName),
    description: `${config.appName}: GitHub OIDC deploy roles and API Gateway logging role (deploy once per account)`,
    config,
  });

  const build = (stageName: (typeof STAGE_NAMES)[number]) => {
    const stage = config.stages[stageName];
    const env = stage.account || stage.region ? { account: stage.account, region: stage.region } : undefined;
    return new ImagestoreStage(app, stageName, { appName: config.appName, stage, imageTag, env });
  };
  const stages = { dev: build('dev'), prod: build('prod') };

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { config, imageTag, identity, stages };
}
