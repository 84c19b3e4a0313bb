import { Arn, Aws, Stack, Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { requireMatch } from '../../config/require';

/** CLOUDFRONT-scope resources (the CDN's WAF web ACL) exist only here. */
export const CLOUDFRONT_REGION = 'us-east-1';

export interface UsEast1ParameterProps {
  /** Name of a String parameter the edge stack wrote in us-east-1. */
  readonly parameterName: string;
}

/**
 * Reads an SSM parameter from us-east-1 at deploy time, whatever region this stack is in: how the service stack
 * gets the ARN of the CDN's web ACL from the edge stack. CloudFormation cannot reference across regions, and
 * CDK's `crossRegionReferences` needs both stacks' regions fixed at synth, which environment-agnostic stages are
 * not. It reads again whenever the parameter name changes; the ACL keeps its ARN unless it is replaced.
 */
export class UsEast1Parameter extends Construct {
  readonly value: string;

  constructor(scope: Construct, id: string, props: UsEast1ParameterProps) {
    super(scope, id);
    requireMatch('UsEast1Parameter parameterName', props.parameterName, /^\/[\w./-]{1,1010}$/, 'an SSM parameter path');
    const parameterArn = Arn.format(
      {
        service: 'ssm',
        region: CLOUDFRONT_REGION,
        account: Aws.ACCOUNT_ID,
        resource: 'parameter',
        resourceName: props.parameterName.slice(1),
      },
      Stack.of(this),
    );
    const call: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: props.parameterName },
      region: CLOUDFRONT_REGION,
      physicalResourceId: cr.PhysicalResourceId.of(`${props.parameterName}@${CLOUDFRONT_REGION}`),
      outputPaths: ['Parameter.Value'],
    };
    const reader = new cr.AwsCustomResource(this, 'Reader', {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameterArn] }),
      installLatestAwsSdk: false,
    });
    this.value = reader.getResponseField('Parameter.Value');
  }

  /** The cdk-nag finding of the one provider function CDK shares between every AwsCustomResource in a stack. */
  static acknowledgeProvider(stack: Stack): void {
    const provider = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (!provider) return;
    const reason = (why: string) =>
      `CDK's own AwsCustomResource provider, which only reads one SSM parameter in us-east-1 at deploy time: ${why}`;
    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: reason('it writes its logs with AWSLambdaBasicExecutionRole.'),
      },
      { id: 'Serverless-LambdaDefaultMemorySize', reason: reason('one small SDK call fits the default memory.') },
      { id: 'Serverless-LambdaDLQ', reason: reason('CloudFormation invokes it and reports a failure itself.') },
      { id: 'Serverless-LambdaTracing', reason: reason('a deploy-time call has no request to trace.') },
    );
  }
}
