import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { StatefulRemoval } from '../../config/app-config';
import { removalPolicyOf } from '../../config/removal';
import { requireInteger, requireMatch } from '../../config/require';

export interface FunctionImageRepositoryProps {
  /** Physical name; the service stack and the deploy role find the repository by it. */
  readonly repositoryName: string;
  readonly maxImageCount: number;
  readonly removal: StatefulRemoval;
  /** Only Lambda functions whose name starts with this may pull (the repository policy Lambda needs). */
  readonly pullingFunctionNamePrefix: string;
}

/** The ECR repository CI pushes the function image to; deployed before the function that uses it. */
export class FunctionImageRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: FunctionImageRepositoryProps) {
    super(scope, id);
    requireMatch(
      'FunctionImageRepository repositoryName',
      props.repositoryName,
      /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
      'a lowercase ECR repository name',
    );
    requireInteger('FunctionImageRepository maxImageCount', props.maxImageCount, 1, 1000);
    requireMatch(
      'FunctionImageRepository pullingFunctionNamePrefix',
      props.pullingFunctionNamePrefix,
      /^[A-Za-z0-9_-]{1,56}$/,
      'a Lambda function name prefix',
    );

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // A tag names one build forever, so a rollback (redeploying an older tag) gets exactly that build.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      lifecycleRules: [
        { description: `Keep the last ${props.maxImageCount} images`, maxImageCount: props.maxImageCount },
      ],
      removalPolicy: removalPolicyOf(props.removal),
      emptyOnDelete: props.removal === 'destroy',
    });

    // Lambda pulls the image with its service principal; scope that to this app's functions in this account.
    const stack = Stack.of(this);
    this.repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LambdaImagePull',
        principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        conditions: {
          StringLike: {
            'aws:sourceArn': stack.formatArn({
              service: 'lambda',
              resource: 'function',
              resourceName: `${props.pullingFunctionNamePrefix}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
